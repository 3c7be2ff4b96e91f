"""Thinking in the TUI (tmux): key presses while a model thinks at full speed.

The scripted server streams a long thought (plain words, as thinking is prose)
before a short answer; keys are typed into the prompt meanwhile and timed until
they show on the pane (polling capture-pane, so ±10 ms of polling is included).
The thought is long enough to last through every press (20,000 words streamed in
about 1.5 s, so most presses came after it had ended and the row measured an idle app).
Uses its own tmux session name, so it can run beside other benchmarks.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import bench_tui
from benchmarks.common import Result, median, percentile

ROOT = Path(__file__).resolve().parents[1]
THOUGHT_WORDS = 200_000


def _key_latency_while_thinking(server, home: Path, presses: int) -> tuple[list[float], bool]:
    from tests.fakes.ollama_server import Reply

    words = " ".join(f"t{i}" for i in range(THOUGHT_WORDS))
    server.script(bench_tui.MODEL, Reply(thinking=words, text="Done."))  # no pacing: full speed
    bench_tui._start(home, server.host)
    bench_tui._wait(lambda p: "ollama" in p and "#1" in p)
    time.sleep(0.3)
    bench_tui._tmux("send-keys", "-t", bench_tui.SESSION, "-l", "go")
    bench_tui._tmux("send-keys", "-t", bench_tui.SESSION, "Enter")
    bench_tui._wait(lambda p: "thinking…" in p and " t" in p)
    lat: list[float] = []
    letters = "qzxjkvwy"
    for n in range(presses):
        mark = letters[n % len(letters)] * 3 + str(n)
        t0 = time.perf_counter()
        bench_tui._tmux("send-keys", "-t", bench_tui.SESSION, "-l", mark)
        t = bench_tui._wait(lambda p, m=mark: m in p, timeout=2, every=0.002)
        if t is not None:
            lat.append((t - t0) * 1000)
        bench_tui._tmux("send-keys", "-t", bench_tui.SESSION, "C-u")  # clear the prompt for the next one
        time.sleep(0.05)
    still_thinking = "thinking…" in bench_tui._pane()
    bench_tui._stop()
    return lat, still_thinking


def run(quick: bool = False) -> list[Result]:
    if shutil.which("tmux") is None:
        raise SystemExit("bench_thinking needs tmux")
    sys.path.insert(0, str(ROOT))
    from tests.fakes.ollama_server import ScriptedOllama

    saved, bench_tui.SESSION = bench_tui.SESSION, "wits-bench-thinking"
    try:
        with ScriptedOllama() as server:
            server.add_model(bench_tui.MODEL, capabilities=["completion", "thinking"])
            with tempfile.TemporaryDirectory() as home:
                lat, still = _key_latency_while_thinking(server, Path(home), 10 if quick else 30)
    finally:
        bench_tui.SESSION = saved
    if not lat:
        return [Result("key press while thinking streams", -1, "ms", "p95 < 50 ms", False, "no key press showed")]
    p95 = percentile(lat, 95)
    return [Result(f"key press while thinking streams at full speed, p95 of {len(lat)}", p95, "ms", "< 50 ms", p95 < 50,
                   f"median {median(lat):.0f} ms, incl. tmux polling; "
                   + ("still thinking at the last press" if still else "thinking had ended before the last press"))]


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run("--quick" in sys.argv))
