"""The scripted Ollama server's own speed: the timing its self-tests used to assert.

Tests check the server's behaviour (order, batching, concurrency, what it reports) without a
clock; how fast it does it is measured here, where a busy machine gives a slow figure
instead of a red test run.
"""

from __future__ import annotations

import threading
import time

from benchmarks.common import Result, median

MODEL = "bench:1b"
MSGS = [{"role": "user", "content": "Say hello"}]


def _fast_stream(server, rounds: int) -> tuple[list[float], list[float]]:
    """A 4000-token unpaced stream: client wall time and the server's reported eval_duration."""
    import httpx

    from tests.fakes.ollama_server import Reply

    wall, reported = [], []
    for _ in range(rounds):
        server.script(MODEL, Reply(tokens=[" tok"] * 4000))
        t0 = time.perf_counter()
        with httpx.stream("POST", f"{server.host}/api/chat", json={"model": MODEL, "messages": MSGS}) as response:
            lines = list(response.iter_lines())
        wall.append(time.perf_counter() - t0)
        reported.append(httpx.Response(200, content=lines[-1]).json()["eval_duration"] / 1e9)
    return wall, reported


def _concurrent(server, rounds: int) -> list[float]:
    """Four paced streams (0.4 s each) at once: one after another would take 1.6 s."""
    import ollama

    from tests.fakes.ollama_server import Reply

    def one() -> None:
        with ollama.Client(host=server.host) as client:
            for _ in client.chat(MODEL, messages=MSGS, stream=True):
                pass

    times = []
    for _ in range(rounds):
        for _ in range(4):
            server.script(MODEL, Reply(text="a b c d e", token_delay=0.1))
        threads = [threading.Thread(target=one) for _ in range(4)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        times.append(time.perf_counter() - t0)
    return times


def _first_token(server, rounds: int) -> list[float]:
    """A scripted 0.3 s first-token delay, as the client sees it."""
    import ollama

    from tests.fakes.ollama_server import Reply

    times = []
    with ollama.Client(host=server.host) as client:
        for _ in range(rounds):
            server.script(MODEL, Reply(text="late but fine", first_token_delay=0.3))
            t0 = time.perf_counter()
            stream = client.chat(MODEL, messages=MSGS, stream=True)
            next(iter(stream))
            times.append(time.perf_counter() - t0)
            list(stream)
    return times


def run(quick: bool = False) -> list[Result]:
    from tests.fakes.ollama_server import ScriptedOllama

    rounds = 3 if quick else 10
    with ScriptedOllama() as server:
        server.add_model(MODEL)
        wall, reported = _fast_stream(server, rounds)
        concurrent = _concurrent(server, max(2, rounds // 3))
        first = _first_token(server, rounds)
    fast_wall, fast_reported, together, ttft = median(wall), median(reported), median(concurrent), median(first)
    return [
        Result("fakes: 4000-token stream, client wall", fast_wall, "s", "< 1.0", fast_wall < 1.0,
               f"median of {rounds}"),
        Result("fakes: 4000-token stream, reported eval_duration", fast_reported, "s", "< 0.2",
               fast_reported < 0.2, f"median of {rounds}"),
        Result("fakes: 4 concurrent 0.4 s streams", together, "s", "< 1.2", together < 1.2,
               f"median of {len(concurrent)}; one after another: 1.6 s"),
        Result("fakes: scripted 0.3 s first token, client", ttft, "s", "0.3-1.0", 0.3 <= ttft < 1.0,
               f"median of {rounds}"),
    ]
