"""The TUI in a real terminal (tmux): start-up, streaming, key latency, a long session.

Each figure is read off the tmux pane by polling ``capture-pane`` every few
milliseconds, so it includes that polling (±10 ms) - what a person would see.
Answers come from the scripted Ollama server (tests/fakes) on a free port.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result, median

ROOT = Path(__file__).resolve().parents[1]
SESSION = "wits-bench"
MODEL = "bench:1b"


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def _pane() -> str:
    return _tmux("capture-pane", "-p", "-t", SESSION)


def _wait(pred, timeout: float = 30.0, every: float = 0.005) -> float | None:
    """Seconds (perf_counter) when ``pred(pane)`` first held, or None on timeout."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if pred(_pane()):
            return time.perf_counter()
        time.sleep(every)
    return None


def _start(home: Path, host: str) -> float:
    exe = shutil.which("wits", path=str(Path(sys.executable).parent))
    env = f"WITS_HOME={home} OLLAMA_HOST={host} WITS_CHAT__DEFAULT_MODEL={MODEL}"
    _tmux("kill-session", "-t", SESSION)
    t0 = time.perf_counter()
    _tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", f"{env} {exe}")
    return t0


def _stop() -> None:
    _tmux("send-keys", "-t", SESSION, "C-q")
    time.sleep(0.3)
    _tmux("kill-session", "-t", SESSION)


def _startup(server, runs: int) -> list[Result]:
    paint, ready = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            t0 = _start(Path(home), server.host)
            t_paint = _wait(lambda p: "Message Wits" in p)
            t_ready = _wait(lambda p: "#1 New chat" in p)
            _stop()
        if t_paint and t_ready:
            paint.append((t_paint - t0) * 1000)
            ready.append((t_ready - t0) * 1000)
    p, r = median(paint), median(ready)
    return [
        Result("wits first paint in tmux (median)", p, "ms", "< 500 ms", p < 500, f"{len(paint)} runs"),
        Result("wits ready for input in tmux (median)", r, "ms", "< 1000 ms", r < 1000, "store open, session shown"),
    ]


def _stream(server, home: Path, tokens: int, tps: float | None) -> tuple[float | None, float]:
    """(seconds from the last token sent to the answer's end on screen, server send time)."""
    from tests.fakes.ollama_server import Reply

    words = [f" w{i}" for i in range(tokens - 1)] + [" ENDMARK"]
    sent: dict[str, float] = {}

    def reply(request: dict) -> Reply:
        sent["t"] = time.perf_counter()
        return Reply(tokens=words, tokens_per_second=tps)

    server.script(MODEL, reply)
    _start(home, server.host)
    _wait(lambda p: "#1" in p and "ollama" in p)
    time.sleep(0.3)
    _tmux("send-keys", "-t", SESSION, "-l", "go")
    _tmux("send-keys", "-t", SESSION, "Enter")
    seen = _wait(lambda p: "ENDMARK" in p, timeout=60)
    _stop()
    duration = tokens / tps if tps else 0.0
    if seen is None or "t" not in sent:
        return None, duration
    return seen - (sent["t"] + duration), duration


def _key_latency(server, home: Path) -> list[float]:
    from tests.fakes.ollama_server import Reply

    server.script(MODEL, Reply(tokens=[f" w{i}" for i in range(3000)], tokens_per_second=500))
    _start(home, server.host)
    _wait(lambda p: "ollama" in p and "#1" in p)
    time.sleep(0.3)
    _tmux("send-keys", "-t", SESSION, "-l", "go")
    _tmux("send-keys", "-t", SESSION, "Enter")
    _wait(lambda p: " w50" in p)
    lat = []
    for ch in "qzxjkv":
        t0 = time.perf_counter()
        _tmux("send-keys", "-t", SESSION, "-l", ch * 3)
        t = _wait(lambda p, c=ch: c * 3 in p, timeout=2, every=0.002)
        if t is not None:
            lat.append((t - t0) * 1000)
        time.sleep(0.1)
    _stop()
    return lat


def _long_session(server, home: Path, count: int, settle: float = 0.3) -> float | None:
    from wits_tui.engine.store import Store

    paths_db = home / "data" / "wits.db"
    with Store(paths_db) as store:
        big = store.sessions.create("Big")
        for i in range(count):
            store.messages.append(big.id, "user" if i % 2 == 0 else "assistant", f"message number {i}")
        small = store.sessions.create("Small")
        store.sessions.switch(small.id)
    _start(home, server.host)
    _wait(lambda p: "Small" in p and "ollama" in p)
    time.sleep(settle)
    _tmux("send-keys", "-t", SESSION, "-l", "/switch Big")
    time.sleep(0.2)
    t0 = time.perf_counter()
    _tmux("send-keys", "-t", SESSION, "Enter")
    t = _wait(lambda p: f"message number {count - 1}" in p, timeout=10, every=0.002)
    _stop()
    return None if t is None else (t - t0) * 1000


def run(quick: bool = False) -> list[Result]:
    if shutil.which("tmux") is None:
        raise SystemExit("bench_tui needs tmux")
    sys.path.insert(0, str(ROOT))
    from tests.fakes.ollama_server import ScriptedOllama

    results: list[Result] = []
    with ScriptedOllama() as server:
        server.add_model(MODEL, capabilities=["completion"])
        results += _startup(server, 3 if quick else 7)
        tokens = 1000 if quick else 4000
        with tempfile.TemporaryDirectory() as home:
            lag, duration = _stream(server, Path(home), tokens, 500.0)
        results.append(Result(f"{tokens}-token answer at 500 tok/s: on screen after last token", (lag or -1) * 1000, "ms",
                              "<= 300 ms", lag is not None and lag <= 0.3, f"server sends for {duration:.1f} s"))
        with tempfile.TemporaryDirectory() as home:
            total, _ = _stream(server, Path(home), tokens, None)
        results.append(Result(f"{tokens}-token answer at full speed: fully rendered", (total or -1) * 1000, "ms",
                              "< 2000 ms", total is not None and total < 2.0, "from the server's first byte"))
        with tempfile.TemporaryDirectory() as home:
            lat = _key_latency(server, Path(home))
        if lat:
            m = max(lat)
            results.append(Result("key press while streaming (worst of 6)", m, "ms", "< 100 ms", m < 100,
                                  f"median {median(lat):.0f} ms, incl. tmux polling"))
        with tempfile.TemporaryDirectory() as home:
            n = 2000 if quick else 10_000
            ms = _long_session(server, Path(home), n)
        results.append(Result(f"open a session of {n:,} messages", ms if ms is not None else -1, "ms", "< 300 ms",
                              ms is not None and ms < 300, "/switch 0.3 s after start-up, until the newest message shows"))
        # The row above overlaps the background start-up work (LanceDB loading holds the
        # GIL for about a second); this one shows the cost of opening the session alone.
        with tempfile.TemporaryDirectory() as home:
            ms = _long_session(server, Path(home), n, settle=3.0)
        results.append(Result(f"open a session of {n:,} messages, app settled", ms if ms is not None else -1, "ms",
                              note="/switch 3 s after start-up (memory loaded): for context"))
    return results
