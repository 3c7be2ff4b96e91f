"""The line mode shows memory use, tool calls and the results it used to ignore."""

from __future__ import annotations

import asyncio
import io

from tests.engine.conftest import CHAT, make_engine
from tests.fakes.ollama_server import Reply
from wits_tui.plain.app import PlainChat


def run_lines(engine, lines: str) -> str:
    out = io.StringIO()

    async def go():
        chat = PlainChat(engine, out=out, interactive=False)
        await chat.run_lines(io.StringIO(lines))
        await engine.aclose()

    asyncio.run(go())
    return out.getvalue()


def test_memory_used_and_tool_lines(paths, server):
    server.add_model(CHAT, capabilities=["completion", "tools"])
    server.add_model("nomic-embed-text", capabilities=["embedding"], embedding_dim=768)
    server.script(CHAT, Reply(tool_calls=[{"function": {"name": "calculator", "arguments": {"expression": "12*7"}}}]),
                  Reply(text="84 square metres."))
    engine = make_engine(paths, server.host, use_memory=True)
    engine.settings.memory.recall_min_similarity = 0.2  # hashed fake embeddings
    text = run_lines(engine, "/remember The garden is 12 metres long and 7 metres wide.\n"
                             "How big is my garden in square metres?\n")
    assert "remembered: The garden is 12 metres long" in text
    assert "memory used: 1 segment\n" in text
    assert "⚙ calculator(expression='12*7') → 84 · " in text and "84 square metres." in text


def test_replay_module_and_memory_results(paths, server):
    server.script(CHAT, Reply(text="Hi."))
    engine = make_engine(paths, server.host, use_memory=True)
    engine.settings.memory.enabled = False
    text = run_lines(engine, "hello\n/replay\n/module math_expert\n/memory\n")
    assert "replay is a full-screen feature: run `wits replay 1`" in text
    assert "module math_expert answers in this session" in text
    assert "warning: memory is switched off in the config" in text
