"""Thinking in the TUI (tmux): key presses while a model thinks at full speed.

The scripted server streams a long thought (plain words, as thinking is prose)
before a short answer; keys are typed into the prompt meanwhile and timed until
they show on the pane (polling capture-pane, so ±10 ms of polling is included).
The thought is long enough to last through every press (20,000 words streamed in
about 1.5 s, so most presses came after it had ended and the row measured an idle app).
Uses its own tmux session name, so it can run beside other benchmarks.

The scripted server runs in a process of its own, as Ollama does. In this process it
was a thread streaming at full speed beside the loop that polls the pane, and every
poll waited for the interpreter after each of its `tmux` calls (CPython's 5 ms switch
interval): the instrument, not the app, was slowed. ``BENCH_THINKING_SERVER=inprocess``
runs it the old way, for comparison.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks import bench_tui
from benchmarks.common import Result, median, percentile

ROOT = Path(__file__).resolve().parents[1]
THOUGHT_WORDS = 200_000


def _serve(conn) -> None:
    """In a process of its own: the scripted server, thinking at full speed, until told to stop."""
    from tests.fakes.ollama_server import Reply, ScriptedOllama

    words = " ".join(f"t{i}" for i in range(THOUGHT_WORDS))
    with ScriptedOllama() as server:
        server.add_model(bench_tui.MODEL, capabilities=["completion", "thinking"])
        server.script(bench_tui.MODEL, Reply(thinking=words, text="Done."))  # no pacing: full speed
        conn.send(server.host)
        conn.recv()


@contextmanager
def _server() -> Iterator[str]:
    """The server's address: in its own process, or (BENCH_THINKING_SERVER=inprocess) a thread here."""
    if os.environ.get("BENCH_THINKING_SERVER") == "inprocess":
        here, there = multiprocessing.Pipe()
        thread = threading.Thread(target=_serve, args=(there,), daemon=True)
        thread.start()
        yield here.recv()
        here.send("stop")
        thread.join()
        return
    context = multiprocessing.get_context("spawn")
    here, there = context.Pipe()
    process = context.Process(target=_serve, args=(there,), daemon=True)
    process.start()
    try:
        yield here.recv()
    finally:
        here.send("stop")
        process.join(10)
        if process.is_alive():
            process.kill()


def _key_latency_while_thinking(host: str, home: Path, presses: int) -> tuple[list[float], bool]:
    bench_tui._start(home, host)
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
    saved, bench_tui.SESSION = bench_tui.SESSION, "wits-bench-thinking"
    try:
        with _server() as host, tempfile.TemporaryDirectory() as home:
            lat, still = _key_latency_while_thinking(host, Path(home), 10 if quick else 30)
    finally:
        bench_tui.SESSION = saved
    if not lat:
        return [Result("key press while thinking streams", -1, "ms", "p95 < 50 ms", False, "no key press showed")]
    p95 = percentile(lat, 95)
    where = "in this process" if os.environ.get("BENCH_THINKING_SERVER") == "inprocess" else "in its own process"
    return [Result(f"key press while thinking streams at full speed, p95 of {len(lat)}", p95, "ms", "< 50 ms", p95 < 50,
                   f"median {median(lat):.0f} ms, incl. tmux polling; server {where}; "
                   + ("still thinking at the last press" if still else "thinking had ended before the last press"))]


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run("--quick" in sys.argv))
