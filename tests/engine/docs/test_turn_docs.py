"""Documents in the turn loop: numbered passages in the prompt, the DocsUsed event, @mentions."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from tests.engine.conftest import CHAT, make_engine
from tests.fakes.ollama_server import Reply
from wits_tui.engine.docs.session import set_attached
from wits_tui.engine.events import DocsUsed, TurnDone, event_from_dict, event_to_dict


@pytest.fixture
def docs_engine(paths, server, tmp_path, monkeypatch):
    server.add_model(CHAT, context_length=4096)  # the docs conftest's server has the embedding model
    root = tmp_path / "manual"
    root.mkdir()
    (root / "boats.md").write_text("# Boats\n\nThe ferry to the island leaves at 7:15 every morning.\n\n"
                                   "## Tickets\n\nTickets cost 12 euros at the harbour office.\n")
    (root / "kites.md").write_text("# Kites\n\nKites need a steady wind of 15 km/h.\n")
    monkeypatch.chdir(tmp_path)
    engine = make_engine(paths, server.host)
    engine.docs.add([root], "manual")
    report = engine.docs.run_sync(engine.docs.index("manual"))
    assert report.ok
    engine._backend = None  # run_sync closed the client on its own loop
    engine._docs = None
    return engine


def turn(engine, session_id, text):
    async def go():
        events = []
        async with aclosing(engine.turn(session_id, text)) as stream:
            async for ev in stream:
                events.append(ev)
        await engine.aclose()
        return events

    return asyncio.run(go())


def test_an_attached_collection_puts_numbered_passages_in_the_prompt(docs_engine, server):
    server.script(CHAT, Reply(text="It leaves at 7:15 [1]."))
    s = docs_engine.store.sessions.create()
    set_attached(docs_engine.store, s.id, ["manual"])
    events = turn(docs_engine, s.id, "When does the ferry leave?")
    used = next(e for e in events if isinstance(e, DocsUsed))
    assert used.collections == ["manual"] and used.mode == "hybrid"
    first = used.passages[0]
    assert first["n"] == 1 and first["location"] == "boats.md:3" and "7:15" in first["text"]
    sent = server.requests_to("/api/chat")[-1].body["messages"]
    block = next(m["content"] for m in sent if m["role"] == "system" and "[1] boats.md:3" in m["content"])
    assert "cite each passage" in block and "7:15" in block
    assert isinstance(events[-1], TurnDone)
    assert event_from_dict(event_to_dict(used)) == used  # recorded and replayed like every event
    assert "docs_used" in [r.kind for r in docs_engine.store.recordings.for_session(s.id)]


def test_at_name_attaches_for_one_message(docs_engine, server):
    s = docs_engine.store.sessions.create()
    events = turn(docs_engine, s.id, "@manual how much is a ticket?")
    used = next(e for e in events if isinstance(e, DocsUsed))
    assert used.collections == ["manual"] and "12 euros" in used.passages[0]["text"]
    plain = turn(docs_engine, s.id, "and what about tomorrow?")
    assert not any(isinstance(e, DocsUsed) for e in plain)


def test_at_path_attaches_a_file_and_says_when_it_does_not_fit(docs_engine, server, tmp_path):
    (tmp_path / "todo.txt").write_text("buy rope\nfix the sail\n")
    (tmp_path / "huge.log").write_text("x " * 40_000)
    s = docs_engine.store.sessions.create()
    events = turn(docs_engine, s.id, "what is on @todo.txt and in @huge.log?")
    used = next(e for e in events if isinstance(e, DocsUsed))
    assert used.mode == "files_only" and used.files == [str(tmp_path / "todo.txt")]
    assert used.passages[0]["location"] == "todo.txt:1-3" and "fix the sail" in used.passages[0]["text"]
    assert len(used.notes) == 1 and "@huge.log is about" in used.notes[0] and "tokens" in used.notes[0]
    sent = server.requests_to("/api/chat")[-1].body["messages"]
    assert any("[1] todo.txt:1-3" in m["content"] for m in sent if m["role"] == "system")


def test_a_file_outside_the_allowed_folders_is_refused(docs_engine, server, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "secret.txt"
    elsewhere.write_text("the secret\n")
    s = docs_engine.store.sessions.create()
    events = turn(docs_engine, s.id, f"read @{elsewhere}")
    used = next(e for e in events if isinstance(e, DocsUsed))
    assert not used.passages and "outside the folders Wits may read" in used.notes[0]
    sent = server.requests_to("/api/chat")[-1].body["messages"]
    assert not any("the secret" in m["content"] for m in sent)


def test_no_docs_no_event(docs_engine, server):
    s = docs_engine.store.sessions.create()
    events = turn(docs_engine, s.id, "mail me at someone@example.com")
    assert not any(isinstance(e, DocsUsed) for e in events)
