"""Cold start of `wits --version` (a fresh interpreter each run)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import Result, median

TARGET_MS = 150.0


def run(quick: bool = False) -> list[Result]:
    exe = shutil.which("wits", path=str(Path(sys.executable).parent))
    if exe is None:
        raise SystemExit("the `wits` script is not installed in this environment: run with `uv run`")
    runs = 7 if quick else 21
    # Users run with compiled bytecode after their first start; measure that state.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([exe, "--version"], capture_output=True, check=True, env=env)  # warm caches, write bytecode
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([exe, "--version"], capture_output=True, check=True, env=env)
        times.append((time.perf_counter() - t0) * 1000)
    bare = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True, env=env)
        bare.append((time.perf_counter() - t0) * 1000)
    m = median(times)
    return [
        Result("wits --version cold start (median)", m, "ms", f"< {TARGET_MS:.0f} ms", m < TARGET_MS,
               f"{runs} runs; bare `python -c pass` {median(bare):.0f} ms"),
    ]
