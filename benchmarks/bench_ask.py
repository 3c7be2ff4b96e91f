"""`wits ask` end to end against a bare `ollama` client script, and the engine's
own overhead before a request leaves."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result, median, percentile

TOKENS = 4000
MODEL = "bench:1b"
QUESTION = "Tell me a long story."

BARE_SCRIPT = f"""
import sys, ollama
client = ollama.Client(host=sys.argv[1])
for part in client.chat(model={MODEL!r}, messages=[{{"role": "user", "content": {QUESTION!r}}}], stream=True):
    sys.stdout.write(part.message.content)
    sys.stdout.flush()
sys.stdout.write("\\n")
"""

BARE_ASYNC_SCRIPT = f"""
import asyncio, sys, ollama
async def main():
    client = ollama.AsyncClient(host=sys.argv[1])
    async for part in await client.chat(model={MODEL!r}, messages=[{{"role": "user", "content": {QUESTION!r}}}], stream=True):
        sys.stdout.write(part.message.content)
        sys.stdout.flush()
    sys.stdout.write("\\n")
asyncio.run(main())
"""


def _server():
    from tests.fakes.ollama_server import Reply, ScriptedOllama

    server = ScriptedOllama().start()
    server.add_model(MODEL, context_length=8192)
    server.default_reply(MODEL, Reply(tokens=[f" tok{i}" for i in range(TOKENS)]))
    return server


def _time(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0 or proc.stdout.count("tok") != TOKENS:
        raise RuntimeError(f"{cmd[:3]} failed: {proc.returncode} {proc.stderr[-500:]}")
    return elapsed


def end_to_end(quick: bool) -> list[Result]:
    # Users run with compiled bytecode after their first start; measure that state.
    env_base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    exe = shutil.which("wits", path=str(Path(sys.executable).parent))
    server = _server()
    runs = 5 if quick else 11
    wits_times, bare_times, async_times, server_times = [], [], [], []
    try:
        with tempfile.TemporaryDirectory() as home:
            env = {**env_base, "WITS_HOME": home, "OLLAMA_HOST": server.host, "WITS_CHAT__DEFAULT_MODEL": MODEL}
            _time([exe, "ask", QUESTION], env)  # first run creates the database
            _time([sys.executable, "-c", BARE_SCRIPT, server.host], env)
            for _ in range(runs):  # alternate, so drift hits both alike
                wits_times.append(_time([exe, "ask", QUESTION], env))
                bare_times.append(_time([sys.executable, "-c", BARE_SCRIPT, server.host], env))
                async_times.append(_time([sys.executable, "-c", BARE_ASYNC_SCRIPT, server.host], env))
            t0 = time.perf_counter()
            for _ in range(runs):
                import httpx

                with httpx.stream("POST", f"{server.host}/api/chat", json={"model": MODEL, "messages": [{"role": "user", "content": QUESTION}]}) as r:
                    for _line in r.iter_lines():
                        pass
                server_times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
    finally:
        server.stop()
    w, b = median(wits_times), median(bare_times)
    ratio = w / b
    return [
        Result(f"wits ask, {TOKENS}-token answer (median)", w * 1000, "ms", note=f"{runs} runs, whole process"),
        Result("bare ollama-client script, same request", b * 1000, "ms", note="whole process"),
        Result("wits ask / bare script", ratio, "x", "<= 1.15x", ratio <= 1.15),
        Result("bare AsyncClient script (what wits uses), same request", median(async_times) * 1000, "ms",
               note=f"wits ask / this = {w / median(async_times):.3f}x (for context; the target is against the sync script)"),
        Result("server alone sends the answer (raw httpx)", median(server_times) * 1000, "ms"),
    ]


class _InstantBackend:
    """Records when a request would leave; answers nothing."""

    name, host = "instant", "memory"

    def __init__(self) -> None:
        self.sent_at: list[float] = []
        self.sizes: list[int] = []

    async def chat(self, model, messages, *, options=None, tools=None, think=None, keep_alive=None):
        self.sent_at.append(time.perf_counter())
        self.sizes.append(len(messages))
        return
        yield  # an async generator that yields nothing

    async def show(self, model):
        from wits_tui.engine.backends.base import ModelDetails

        return ModelDetails(name=model, context_length=131072)

    async def close(self) -> None:
        pass


def engine_overhead(quick: bool) -> list[Result]:
    from wits_tui.engine.build import EngineOptions, build_engine
    from wits_tui.paths import Paths
    from wits_tui.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = Paths(root / "c", root / "d", root / "ca", root / "l").ensure()
        backend = _InstantBackend()
        engine = build_engine(Settings(), paths, EngineOptions(backend=backend)).open()
        sid = engine.store.sessions.create("bench").id
        with engine.store.lock, engine.store.db.conn:
            engine.store.db.conn.executemany(
                "INSERT INTO messages (session_id, role, content, status, created_at, updated_at) VALUES (?, ?, ?, 'complete', 'x', 'x')",
                [(sid, "user" if i % 2 == 0 else "assistant", f"message {i} " + "lorem ipsum " * 40) for i in range(1000)],
            )
        n = 50 if quick else 200
        times = []

        async def go():
            for i in range(n):
                t0 = time.perf_counter()
                async for _ in engine.turn(sid, f"question {i}"):
                    pass
                times.append((backend.sent_at[-1] - t0) * 1000)

        asyncio.run(go())
        p50 = percentile(times, 50)
        return [
            Result("engine overhead before the request leaves, p50", p50, "ms", "< 5 ms", p50 < 5,
                   f"session of 1,000+ messages; window of 200, {backend.sizes[-1]} with content sent"),
            Result("engine overhead before the request leaves, p95", percentile(times, 95), "ms"),
        ]


def run(quick: bool = False) -> list[Result]:
    return engine_overhead(quick) + end_to_end(quick)
