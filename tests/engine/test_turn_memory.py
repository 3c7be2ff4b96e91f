"""Long-term memory in the turn loop: recalled into the prompt, written after the answer."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

from tests.engine.conftest import CHAT, make_engine
from tests.fakes.ollama_server import Reply
from wits_tui.engine.events import MemoryRecalled, TurnDone
from wits_tui.engine.memory.session_flags import set_recall_enabled


def memory_engine(paths, server):
    server.add_model("nomic-embed-text", capabilities=["embedding"], embedding_dim=768)
    return make_engine(paths, server.host, use_memory=True)


async def run_turn(engine, session_id, text):
    events = []
    async with aclosing(engine.turn(session_id, text)) as stream:
        async for ev in stream:
            events.append(ev)
    return events


def test_a_remembered_fact_is_recalled_into_the_prompt(paths, server):
    engine = memory_engine(paths, server)
    s = engine.store.sessions.create()

    async def go():
        assert (await asyncio.to_thread(engine.memory.open)).state == "ready"
        await engine.memory.remember("My favourite editor is Helix, with the Catppuccin theme")
        events = await run_turn(engine, s.id, "Which editor is my favourite, Helix or Vim?")
        await engine.aclose()
        return events

    events = asyncio.run(go())
    recalled = next(e for e in events if isinstance(e, MemoryRecalled))
    assert recalled.segments and "Helix" in recalled.segments[0]["text"] and recalled.tokens > 0
    sent = server.requests_to("/api/chat")[-1].body["messages"]
    memory_blocks = [m for m in sent if m["role"] == "system" and "Helix" in m["content"]]
    assert len(memory_blocks) == 1 and sent[-1]["content"].startswith("Which editor")
    assert "memory_recalled" in [r.kind for r in engine.store.recordings.for_session(s.id)]


def test_the_exchange_is_remembered_after_the_answer(paths, server):
    server.script(CHAT, Reply(text="Your cat is called Miso."))
    engine = memory_engine(paths, server)
    s = engine.store.sessions.create()

    async def go():
        await asyncio.to_thread(engine.memory.open)
        events = await run_turn(engine, s.id, "Remember that my cat is called Miso")
        assert isinstance(events[-1], TurnDone)
        await engine.aclose()  # waits for the background write

    asyncio.run(go())
    again = make_engine(paths, server.host)

    async def search():
        memory = again.memory
        await asyncio.to_thread(memory.open)
        hits = await memory.search("Miso")
        memory.close()
        return hits

    hits = asyncio.run(search())
    assert any("Miso" in h.text for h in hits)


def test_recall_can_be_switched_off_per_session(paths, server):
    engine = memory_engine(paths, server)
    s = engine.store.sessions.create()
    set_recall_enabled(engine.store, s.id, False)

    async def go():
        await asyncio.to_thread(engine.memory.open)
        await engine.memory.remember("The launch code is 4242")
        events = await run_turn(engine, s.id, "What is the launch code 4242?")
        await engine.aclose()
        return events

    events = asyncio.run(go())
    assert not any(isinstance(e, MemoryRecalled) for e in events)
    assert not any("4242" in m["content"] for m in server.requests_to("/api/chat")[-1].body["messages"][:-1])


def test_without_memory_in_use_nothing_is_opened(engine, server, paths):
    s = engine.store.sessions.create()

    async def go():
        events = await run_turn(engine, s.id, "hello")
        await engine.aclose()
        return events

    events = asyncio.run(go())
    assert not any(isinstance(e, MemoryRecalled) for e in events)
    assert not paths.memory_dir.exists()

