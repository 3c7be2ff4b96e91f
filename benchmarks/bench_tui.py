"""The TUI in a real terminal (tmux, 120x40) on the realistic answer corpus (benchmarks/corpus.py).

Each figure is read off the tmux pane by polling ``capture-pane`` every few ms, so
it includes that polling (±10 ms): what a person would see. Answers come from the
scripted Ollama server (tests/fakes) on a free port. Rows marked "word stream" use
the old " w0 w1 w2 ..." answers and are there for comparison only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import Result, median, percentile
from benchmarks.corpus import answer, tokenize

ROOT = Path(__file__).resolve().parents[1]
SOCKET = f"wits-bench-{os.getpid()}"  # a tmux server of its own (-L), never shared
SESSION = "wits-bench"
MODEL = "bench:1b"
END = "Let me know if you want me to go deeper"  # every corpus answer ends with it


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True).stdout


def _pane() -> str:
    return _tmux("capture-pane", "-p", "-t", SESSION)


def _wait(pred: Callable[[str], bool], timeout: float = 30.0, every: float = 0.005) -> float | None:
    """perf_counter() when ``pred(pane)`` first held, or None on timeout."""
    deadline = time.perf_counter() + timeout
    checked = time.perf_counter()
    while time.perf_counter() < deadline:
        if pred(_pane()):
            return time.perf_counter()
        if time.perf_counter() - checked > 2:
            checked = time.perf_counter()
            if _dead():
                return None
        time.sleep(every)
    return None


def _keys(*keys: str, literal: bool = False) -> None:
    _tmux("send-keys", "-t", SESSION, *(["-l"] if literal else []), *keys)


def _start(home: Path, host: str, uv: bool = False, memory: bool = False) -> float:
    """``memory``: as users have it (on by default): lancedb is imported once the app is quiet."""
    exe = (f"{shutil.which('uv')} run --project {ROOT} wits" if uv
           else shutil.which("wits", path=str(Path(sys.executable).parent)))
    env = (f"WITS_HOME={home} OLLAMA_HOST={host} WITS_CHAT__DEFAULT_MODEL={MODEL}"
           + ("" if memory else " WITS_MEMORY__ENABLED=false"))
    _tmux("kill-session", "-t", SESSION)
    t0 = time.perf_counter()
    _tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", f"{env} {exe}")
    _tmux("set-option", "-t", SESSION, "remain-on-exit", "on")  # a crash stays readable
    return t0


def _dead() -> bool:
    if _tmux("list-panes", "-t", SESSION, "-F", "#{pane_dead}").strip() in ("", "1"):
        print("#     the app is not running; its pane:\n" + _pane()[-2000:], file=sys.stderr, flush=True)
        return True
    return False


def _stop() -> None:
    _keys("C-q")
    time.sleep(0.3)
    _tmux("kill-session", "-t", SESSION)


def _ready(pane: str) -> bool:
    return "ollama" in pane and "#" in pane and "starting" not in pane


def _compile_bytecode() -> None:
    """Start-up is measured with bytecode cached, as a user's second launch has it (and as
    `uv sync` leaves it: pyproject sets compile-bytecode). Without this, a venv made where
    PYTHONDONTWRITEBYTECODE is set compiles ~600 modules at every launch."""
    import site

    dirs = [str(ROOT / "wits_tui"), *site.getsitepackages()]
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", *dirs], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _startup(server, runs: int, uv: bool) -> list[Result]:
    _compile_bytecode()
    first, paint, ready, cpu = [], [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            t0 = _start(Path(home), server.host, uv=uv)
            t_first = _wait(lambda p: bool(p.strip()))
            t_paint = _wait(lambda p: "Message Wits" in p)
            t_ready = _wait(lambda p: "Ask anything" in p and _ready(p))
            cpu.append(_cpu(_pid(home)) * 1000)
            _stop()
        if t_first and t_paint and t_ready:
            first.append((t_first - t0) * 1000)
            paint.append((t_paint - t0) * 1000)
            ready.append((t_ready - t0) * 1000)
    how = "uv run wits" if uv else "wits (venv script)"
    runs_s = lambda xs: ", ".join(f"{x:.0f}" for x in xs)  # noqa: E731
    return [
        Result(f"{how}: first character on screen (median)", median(first), "ms", "< 500 ms",
               median(first) < 500, f"runs: {runs_s(first)}"),
        Result(f"{how}: first full frame (median)", median(paint), "ms", note=f"runs: {runs_s(paint)}"),
        Result(f"{how}: ready for input, 'Ask anything' (median)", median(ready), "ms", "< 1000 ms",
               median(ready) < 1000, f"runs: {runs_s(ready)}"),
        Result(f"{how}: app CPU time until ready (median)", median(cpu), "ms",
               note=f"runs: {runs_s(cpu)}; not inflated by other load, unlike the rows above"),
    ]


def _send(text: str) -> None:
    _keys(text, literal=True)
    _keys("Enter")


def _stream(server, home: Path, text: str, tps: float | None, end: str) -> tuple[float | None, float, float]:
    """(seconds from the server's last token to ``end`` on screen, send duration, CPU seconds the app used)."""
    print(f"#     streaming {len(text)} characters at {tps or 'full speed'} tok/s", file=sys.stderr, flush=True)
    from tests.fakes.ollama_server import Reply

    tokens = tokenize(text)
    sent: dict[str, float] = {}

    def reply(request: dict) -> Reply:
        sent["t"] = time.perf_counter()
        return Reply(tokens=tokens, tokens_per_second=tps)

    server.script(MODEL, reply)
    _start(home, server.host)
    _wait(lambda p: "Ask anything" in p and _ready(p), timeout=90)
    time.sleep(0.3)
    pid = _pid(home)
    cpu0 = _cpu(pid)
    _send("go")
    seen = _wait(lambda p: end in p, timeout=120)
    cpu = _cpu(pid) - cpu0
    failed = seen is None or "t" not in sent
    if failed:  # say what the pane showed instead
        print(f"#     {end!r} not on screen after 120 s (request {'sent' if 't' in sent else 'NOT sent'}); "
              f"the pane:\n{_pane()}", file=sys.stderr, flush=True)
    _stop()
    duration = len(tokens) / tps if tps else 0.0
    if failed:
        return None, duration, cpu
    return seen - (sent["t"] + duration), duration, cpu


def _key_latency(server, home: Path, presses: int) -> list[float]:
    from tests.fakes.ollama_server import Reply

    server.script(MODEL, Reply(tokens=tokenize(answer(4000, 11)), tokens_per_second=500))
    _start(home, server.host)
    _wait(lambda p: "Ask anything" in p and _ready(p), timeout=90)
    time.sleep(0.3)
    _send("go")
    _wait(lambda p: "wits" in p and "go" in p and "Esc" in p, timeout=10)
    time.sleep(0.3)
    lat, typed = [], ""
    letters = "qzxjkvwy"
    for i in range(presses):
        ch = letters[i % len(letters)]
        typed += ch
        want = typed[-12:]
        t0 = time.perf_counter()
        _keys(ch, literal=True)
        t = _wait(lambda p, w=want: w in p.replace("\n", ""), timeout=2, every=0.002)
        if t is not None:
            lat.append((t - t0) * 1000)
        time.sleep(0.05)
    _stop()
    return lat


def _seed(home: Path, sessions: dict[str, list[tuple[str, str]]], active: str) -> None:
    from wits_tui.engine.store import Store
    from wits_tui.paths import resolve_paths

    paths = resolve_paths({"WITS_HOME": str(home)}).ensure()
    with Store(paths.database) as store:
        ids = {}
        for title, convo in sessions.items():
            ids[title] = store.sessions.create(title).id
            for role, content in convo:
                store.messages.append(ids[title], role, content)
        store.sessions.switch(ids[active])


def _convo(answers: int, tokens: int, mark: str) -> list[tuple[str, str]]:
    out = []
    for i in range(answers):
        out += [("user", f"{mark} question {i}"), ("assistant", answer(tokens, i) + f"\n{mark}-END-{i}\n")]
    return out


def _open_rows(server, quick: bool) -> list[Result]:
    n = 2 if quick else 5
    rows = []
    with tempfile.TemporaryDirectory() as home:
        _seed(Path(home), {"Small": [("user", "hi"), ("assistant", "hello")], "Big": _convo(n, 4000, "BIG")}, "Big")
        t0 = _start(Path(home), server.host, memory=True)
        t_first = _wait(lambda p: bool(p.strip()))
        t_end = _wait(lambda p: f"BIG-END-{n - 1}" in p, timeout=60)
        _stop()
        if t_first and t_end:
            ms = (t_end - t_first) * 1000
            rows.append(Result(f"open on {n} x 4,000-token answers: newest on screen after first paint", ms, "ms",
                               "< 500 ms", ms < 500, f"first character at {(t_first - t0) * 1000:.0f} ms; memory on"))
    with tempfile.TemporaryDirectory() as home:
        _seed(Path(home), {"Big": _convo(n, 4000, "BIG"), "Small": [("user", "hi"), ("assistant", "hello")]}, "Small")
        t, cpu, _ = _timed_switch(server, Path(home), "Big", f"BIG-END-{n - 1}")
        _stop()
        rows.append(Result(f"/switch to {n} x 4,000-token answers", t * 1000 if t is not None else -1, "ms", "< 300 ms",
                           t is not None and t < 0.3,
                           f"Enter until the newest answer's end shows; app CPU {cpu:.2f} s"))
    return rows


def _timed_switch(server, home: Path, title: str, end: str) -> tuple[float | None, float, int | None]:
    """Start the app on the seeded "Small" session, then time `/switch TITLE` until ``end`` is on screen:
    (seconds or None, the app's CPU seconds meanwhile, its pid). The app is left running."""
    _start(home, server.host)
    _wait(lambda p: "hello" in p and _ready(p), timeout=90)
    time.sleep(1.0)
    _keys(f"/switch {title}", literal=True)
    time.sleep(0.2)
    pid = _pid(home)
    cpu0, t0 = _cpu(pid), time.perf_counter()
    _keys("Enter")
    t = _wait(lambda p: end in p, timeout=60, every=0.002)
    return (t - t0 if t else None), _cpu(pid) - cpu0, pid


def _pid(home: str | Path) -> int | None:
    """The wits process started with this WITS_HOME."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if f"WITS_HOME={home}\0".encode() in environ and b"wits" in cmd and b"tmux" not in cmd:
            return int(pid)
    return None


def _rss(pid: int | None) -> float | None:
    """Resident memory in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _cpu(pid: int | None) -> float:
    """CPU seconds (user + system) the process has used: unlike wall time, not inflated by other load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _huge_rows(server, quick: bool) -> list[Result]:
    n = 200 if quick else 1000
    rows = []
    with tempfile.TemporaryDirectory() as home:
        _seed(Path(home), {"Huge": _convo(n, 1000, "HUGE"), "Small": [("user", "hi"), ("assistant", "hello")]},
              "Small")
        t, cpu, pid = _timed_switch(server, Path(home), "Huge", f"HUGE-END-{n - 1}")
        rows.append(Result(f"/switch to {n:,} answers of 1,000 tokens", t * 1000 if t is not None else -1, "ms",
                           "< 500 ms", t is not None and t < 0.5,
                           f"Enter until the newest answer's end shows; app CPU {cpu:.2f} s"))
        time.sleep(1.0)
        cpu0, t0 = _cpu(pid), time.perf_counter()
        _keys("C-Home")
        t = _wait(lambda p: "HUGE question 0" in p, timeout=60, every=0.002)
        cpu = _cpu(pid) - cpu0
        rows.append(Result(f"Ctrl+Home to the top of {n:,} answers", (t - t0) * 1000 if t else -1, "ms", "< 1000 ms",
                           t is not None and t - t0 < 1.0, f"until the first question shows; app CPU {cpu:.2f} s"))
        started = time.perf_counter()
        while f"HUGE-END-{n - 1}" not in _pane() and time.perf_counter() - started < 600:
            _tmux("send-keys", "-t", SESSION, "-N", "40", "PageDown")
            time.sleep(0.05)
        took = time.perf_counter() - started
        reached = f"HUGE-END-{n - 1}" in _pane()
        rss = _rss(_pid(home))
        time.sleep(5)  # the app is quiet: it collects and gives memory back (ui/controllers/collector.py)
        quiet = _rss(_pid(home))
        _stop()
        rows.append(Result(f"RSS after PageDown through {n:,} answers", rss or -1, "MB", "< 400 MB",
                           rss is not None and rss < 400,
                           (f"scrolled top to bottom in {took:.0f} s" if reached
                            else f"NOT at the bottom after {took:.0f} s (limit): partial scroll")
                           + f"; {quiet or -1:.0f} MB 5 s later"))
    return rows


def _corpus_stream_rows(server, quick: bool) -> list[Result]:
    tokens = 1000 if quick else 4000
    text = answer(tokens, 7)
    with tempfile.TemporaryDirectory() as home:
        lag, duration, cpu = _stream(server, Path(home), text, 500.0, END)
    rows = _with_load([Result(f"{tokens}-token corpus answer at 500 tok/s: on screen after the last token",
                              (lag if lag is not None else -1) * 1000, "ms", "<= 200 ms",
                              lag is not None and lag <= 0.2,
                              f"server sends for {duration:.1f} s; app CPU {cpu:.2f} s")])
    with tempfile.TemporaryDirectory() as home:
        total, _, cpu = _stream(server, Path(home), text, None, END)
    rows += _with_load([Result(f"{tokens}-token corpus answer at full speed: fully on screen",
                               (total if total is not None else -1) * 1000, "ms", "< 1000 ms",
                               total is not None and total < 1.0,
                               f"from the server's first byte; app CPU {cpu:.2f} s")])
    with tempfile.TemporaryDirectory() as home:
        lat = _key_latency(server, Path(home), 12 if quick else 30)
    if lat:
        p95, worst = percentile(lat, 95), max(lat)
        rows += _with_load([
            Result("key press while a 4,000-token answer streams: p95", p95, "ms", "< 50 ms", p95 < 50,
                   f"{len(lat)} presses, median {median(lat):.0f} ms, incl. tmux polling"),
            Result("key press while a 4,000-token answer streams: worst", worst, "ms", "< 100 ms", worst < 100)])
    words = " ".join(f"w{i}" for i in range(tokens - 1)) + " ENDMARK"
    with tempfile.TemporaryDirectory() as home:
        total, _, cpu = _stream(server, Path(home), words, None, "ENDMARK")
    rows += _with_load([Result(f"word stream (context): {tokens} words at full speed", (total or -1) * 1000, "ms",
                               note=f"the old benchmark's easy case; app CPU {cpu:.2f} s")])
    return rows


PARTS = {
    "startup": lambda server, quick: _with_load(_startup(server, 3 if quick else 7, uv=False))
    + _with_load(_startup(server, 3 if quick else 5, uv=True)),
    "stream": _corpus_stream_rows,
    "open": lambda server, quick: _with_load(_open_rows(server, quick)),
    "huge": lambda server, quick: _with_load(_huge_rows(server, quick)),
}


def run(quick: bool = False) -> list[Result]:
    """All parts, or those named in BENCH_TUI_PARTS (comma-separated: startup, stream, open, huge).
    Not a WITS_ variable: the app reads those as settings and refuses unknown ones."""
    if shutil.which("tmux") is None:
        raise SystemExit("bench_tui needs tmux")
    sys.path.insert(0, str(ROOT))
    from tests.fakes.ollama_server import ScriptedOllama

    chosen = [p for p in os.environ.get("BENCH_TUI_PARTS", ",".join(PARTS)).split(",") if p]
    results: list[Result] = []
    with ScriptedOllama() as server:
        server.add_model(MODEL, capabilities=["completion"])
        for part in chosen:
            print(f"#   tui: {part} ...", file=sys.stderr, flush=True)
            results += PARTS[part](server, quick)
    _tmux("kill-server")
    return results


def _with_load(rows: list[Result]) -> list[Result]:
    load = os.getloadavg()[0]
    for r in rows:
        r.note = (r.note + "; " if r.note else "") + f"load {load:.1f}"
    return rows
