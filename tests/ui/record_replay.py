"""Replay fixtures: real sessions, exported as JSON, that the snapshot tests play back.

Add one from a session you ran (in the app, `wits ask`, anything that records):

    WITS_HOME=/tmp/try uv run python -m tests.ui.record_replay NAME --session ID

then add NAME to ``REPLAYS`` in ``tests/ui/test_replay_snapshots.py`` and run
``uv run pytest tests/ui/test_replay_snapshots.py --snapshot-update`` (look at the SVG).

``--bundled`` re-records the bundled fixtures: real turns through the engine against
the scripted Ollama server (a code answer, a routed multi-domain chat, an error and
fallback, a long streamed answer).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

REPLAYS_DIR = Path(__file__).parent / "replays"


def fixture_path(name: str) -> Path:
    return REPLAYS_DIR / f"{name}.json"


def save_fixture(name: str, store, session_id: int) -> Path:
    """Write session ``session_id`` of ``store`` as the fixture ``name``."""
    from wits_tui.engine.transfer import export_json

    path = fixture_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(export_json(store, session_id), encoding="utf-8")
    return path


def load_fixture(name: str, store) -> int:
    """Import fixture ``name`` into ``store``; returns the new session id."""
    from wits_tui.engine.transfer import import_session

    return import_session(store, fixture_path(name).read_text(encoding="utf-8"), str(fixture_path(name)))


# -- the bundled fixtures ------------------------------------------------------------------
CODE = ("Use `json.loads` and catch the error:\n\n```python\nimport json\n\n\ndef parse(text: str) -> dict | None:\n"
        "    try:\n        return json.loads(text)\n    except json.JSONDecodeError:\n        return None\n```\n\n"
        "It returns `None` for text that is not JSON.")
LONG = " ".join(f"Step {i}: measure, change one thing, measure again, and write down what moved." for i in range(1, 41))


async def _session(engine, title: str, turns: list[tuple[str, list]]) -> int:
    from contextlib import aclosing

    session = engine.store.sessions.create(title)
    for text, replies in turns:
        for model, reply in replies:
            engine._server.script(model, reply)
        async with aclosing(engine.turn(session.id, text)) as events:
            async for _ in events:
                pass
    return session.id


async def _record_bundled() -> None:
    from tests.fakes.ollama_server import Reply, ScriptedOllama
    from wits_tui.engine.build import build_engine
    from wits_tui.paths import resolve_paths
    from wits_tui.settings import Settings

    main, spare = "llama3.2:1b", "qwen2.5:3b"
    with tempfile.TemporaryDirectory() as home, ScriptedOllama() as server:
        os.environ["WITS_HOME"] = home
        for name in (main, spare):
            server.add_model(name, capabilities=["completion"])
        settings = Settings.model_validate({
            "ollama": {"host": server.host}, "chat": {"default_model": main, "fallback_models": [spare]},
            "routing": {"use_embeddings": False},
        })
        engine = build_engine(settings, resolve_paths().ensure())
        engine._server = server
        fast = {"token_delay": 0.01}
        try:
            sid = await _session(engine, "Parsing JSON", [
                ("How do I parse JSON in Python without crashing on bad input?", [(main, Reply(text=CODE, **fast))])])
            save_fixture("code_answer", engine.store, sid)
            sid = await _session(engine, "Three kinds of question", [
                ("Write a python function that reverses a list", [(main, Reply(text="`items[::-1]` returns a reversed copy.", **fast))]),
                ("Solve the equation 2x + 3 = 11", [(main, Reply(text="2x = 8, so **x = 4**.", **fast))]),
                ("Write a short poem about the sea", [(main, Reply(text="Grey water folds\nover the old stones,\nsalt on the wind.", **fast))]),
            ])
            save_fixture("routed_chat", engine.store, sid)
            sid = await _session(engine, "When models fail", [
                ("Summarise the plot of Hamlet", [(main, Reply(status=500, error="model runner has unexpectedly stopped")),
                                                  (spare, Reply(text="A prince avenges his father and nearly everyone dies.", **fast))]),
                ("And Macbeth?", [(main, Reply(text="A general hears a prophecy and", error_after=6,
                                               error="model runner has unexpectedly stopped", **fast))]),
            ])
            save_fixture("error_fallback", engine.store, sid)
            sid = await _session(engine, "A long answer", [
                ("How do I speed up a slow program, step by step?", [(main, Reply(text=LONG, token_delay=0.002))])])
            save_fixture("long_stream", engine.store, sid)
        finally:
            await engine.aclose()
    await _record_memory_tools()


async def _record_memory_tools() -> None:
    """``memory_tools``: a note in memory, then a question that recalls it and makes the model call
    the calculator twice (one good call, one with a missing argument) before it answers."""
    from tests.fakes.ollama_server import Reply, ScriptedOllama
    from wits_tui.engine.build import EngineOptions, build_engine
    from wits_tui.paths import resolve_paths
    from wits_tui.settings import Settings

    main = "llama3.2:1b"
    with tempfile.TemporaryDirectory() as home, ScriptedOllama() as server:
        os.environ["WITS_HOME"] = home
        server.add_model(main, capabilities=["completion", "tools"])
        server.add_model("nomic-embed-text", capabilities=["embedding"], embedding_dim=768)
        settings = Settings.model_validate({"ollama": {"host": server.host}, "chat": {"default_model": main},
                                            "routing": {"enabled": False},
                                            "memory": {"recall_min_similarity": 0.2}})  # hashed fake embeddings
        engine = build_engine(settings, resolve_paths().ensure(), EngineOptions(use_memory=True))
        engine._server = server
        try:
            await asyncio.to_thread(engine.memory.open)
            await engine.memory.remember("The garden is 12 metres long and 7 metres wide.")
            calls = Reply(tool_calls=[{"function": {"name": "calculator", "arguments": {"expression": "12*7"}}},
                                      {"function": {"name": "calculator", "arguments": {}}}])
            sid = await _session(engine, "Garden maths", [
                ("How big is my garden in square metres?", [
                    (main, calls), (main, Reply(text="Your garden is **84 m²** (12 m × 7 m).", token_delay=0.01))])])
            save_fixture("memory_tools", engine.store, sid)
        finally:
            await engine.aclose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.ui.record_replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("name", nargs="?", help="fixture name (tests/ui/replays/NAME.json)")
    parser.add_argument("--session", help="session id or title in $WITS_HOME's store")
    parser.add_argument("--bundled", action="store_true", help="re-record the bundled fixtures")
    parser.add_argument("--memory-tools", action="store_true", help="re-record only the memory_tools fixture")
    args = parser.parse_args(argv)
    if args.memory_tools:
        asyncio.run(_record_memory_tools())
        print(f"recorded {fixture_path('memory_tools')}")
        return 0
    if args.bundled:
        asyncio.run(_record_bundled())
        print(f"recorded the bundled fixtures in {REPLAYS_DIR}")
        return 0
    if not (args.name and args.session):
        parser.error("give NAME and --session ID (or --bundled)")
    from wits_tui.engine.store import Store
    from wits_tui.paths import resolve_paths

    with Store(resolve_paths().database) as store:
        session = store.sessions.find(args.session)
        print(f"wrote {save_fixture(args.name, store, session.id)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
