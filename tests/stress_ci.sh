#!/usr/bin/env bash
# Run the whole test suite on a busy machine: N CPU-burning processes beside it
# (4 by default: a load of about 5 on 2 cores, where flaky tests used to fail).
#
#   bash tests/stress_ci.sh                  # 4 burners, one run
#   bash tests/stress_ci.sh --runs 3         # three runs in a row; stops at the first red one
#   bash tests/stress_ci.sh --burners 2 --fresh -- -x tests/ui   # extra args go to pytest
#
# --fresh runs in a fresh clone of HEAD (in a temporary directory, removed after), with its own
# `uv sync`, as CI would. Prints one line per run (result, seconds, load average) and exits
# non-zero if any run failed. The burners are killed (by their process ids) on exit.
set -euo pipefail
export UV_PYTHON_DOWNLOADS=never   # as .ci/run: the machine's Python, no downloads

burners=4
runs=1
fresh=0
pytest_args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --burners) burners="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --fresh) fresh=1; shift ;;
        --) shift; pytest_args=("$@"); break ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "stress_ci.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workdir="$repo"
burner_pids=()
cleanup() {
    for pid in "${burner_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${burner_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ $fresh == 1 && -n "${clone_dir:-}" ]]; then rm -rf "$clone_dir"; fi
}
trap cleanup EXIT INT TERM

if [[ $fresh == 1 ]]; then
    clone_dir="$(mktemp -d -t wits-stress.XXXXXX)"
    git clone --quiet "$repo" "$clone_dir/wits"
    workdir="$clone_dir/wits"
    (cd "$workdir" && uv sync --quiet)
fi

for _ in $(seq "$burners"); do
    python3 -c "while True: pass" &
    burner_pids+=("$!")
done
echo "# $burners CPU burners running (pids ${burner_pids[*]:-none}); $(nproc) cores; in $workdir"

failed=0
for run in $(seq "$runs"); do
    log="$(mktemp -t wits-stress-run.XXXXXX)"
    echo "run $run: output in $log"   # kept if the run is stopped from outside
    start=$(date +%s)
    set +e
    (cd "$workdir" && uv run pytest -q -p no:cacheprovider "${pytest_args[@]}") >"$log" 2>&1
    code=$?
    set -e
    seconds=$(( $(date +%s) - start ))
    summary="$(grep -E '^(=+ )?[0-9]+ (passed|failed)|[0-9]+ (passed|failed|error)' "$log" | tail -1)"
    echo "run $run: exit $code in ${seconds}s, load $(cut -d' ' -f1-3 /proc/loadavg): ${summary:-see $log}"
    if [[ $code != 0 ]]; then
        grep -E '^(FAILED|ERROR) ' "$log" || true
        echo "full output: $log"
        failed=1
        break
    fi
    rm -f "$log"
done
exit $failed
