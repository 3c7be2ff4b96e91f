"""Run the benchmarks and print one table.

    uv run python -m benchmarks.run            # everything
    uv run python -m benchmarks.run startup    # some of them
    uv run python -m benchmarks.run --quick    # smaller sizes, for a smoke run
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys

from benchmarks.common import print_table

SUITES = {
    "startup": "benchmarks.bench_startup",
    "history": "benchmarks.bench_history",
    "tui": "benchmarks.bench_tui",
    "ask": "benchmarks.bench_ask",
    "memory": "benchmarks.bench_memory",
    "routing": "benchmarks.bench_routing",
    "fakes": "benchmarks.bench_fakes",
    "thinking": "benchmarks.bench_thinking",
    "docs": "benchmarks.bench_docs",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suites", nargs="*", choices=[[], *SUITES], metavar="SUITE", help=f"any of: {', '.join(SUITES)}")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (figures are then not the issue's targets)")
    args = parser.parse_args(argv)
    chosen = args.suites or list(SUITES)
    print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}"
          + (" (quick)" if args.quick else ""), flush=True)
    results = []
    for name in chosen:
        print(f"# running {name} ...", file=sys.stderr, flush=True)
        results += importlib.import_module(SUITES[name]).run(quick=args.quick)
    print_table(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
