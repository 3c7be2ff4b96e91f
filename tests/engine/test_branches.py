"""Edit and resend: the edited turns stay in the database as an earlier branch, and only the
active branch reaches the model, the chat, /retry and the session's count; exports list both."""

from __future__ import annotations

import asyncio
import json
from contextlib import aclosing

import pytest

from tests.engine.conftest import CHAT
from tests.fakes.ollama_server import Reply
from wits_tui.engine.errors import NothingToEdit
from wits_tui.engine.events import TurnDone, TurnError
from wits_tui.engine.transfer import export_html, export_json, export_markdown, import_session


def run(engine, stream_factory):
    async def go():
        events = []
        async with aclosing(stream_factory()) as stream:
            async for ev in stream:
                events.append(ev)
        await engine.backend.close()
        return events

    return asyncio.run(go())


def ask(engine, sid, text):
    return run(engine, lambda: engine.turn(sid, text))


def sent_messages(server):
    return [[(m["role"], m["content"]) for m in r.body["messages"] if m["role"] != "system"]
            for r in server.requests_to("/api/chat")]


@pytest.fixture
def chat(engine, server):
    """A session with two turns: "first?" -> "one.", "second?" -> "two."."""
    server.script(CHAT, Reply(text="one."), Reply(text="two."))
    sid = engine.store.sessions.create().id
    ask(engine, sid, "first?")
    ask(engine, sid, "second?")
    return sid


def test_an_edit_replaces_the_turn_from_there_and_keeps_it(engine, server, chat):
    first_q = engine.store.messages.list(chat)[0]
    server.script(CHAT, Reply(text="one, edited."))
    saved = []
    events = run(engine, lambda: engine.edit(chat, first_q.id, "first, better?", on_saved=saved.append))
    assert isinstance(events[-1], TurnDone) and events[-1].text == "one, edited."
    active = engine.store.messages.list(chat)
    assert [(m.role, m.content) for m in active] == [("user", "first, better?"), ("assistant", "one, edited.")]
    assert saved[0].id == active[0].id and saved[0].edit_of == first_q.id and saved[0].earlier == 1
    # the model saw only the new question: the replaced turns are not context any more
    assert sent_messages(server)[-1] == [("user", "first, better?")]
    # nothing was deleted: all four earlier messages are kept, marked as replaced by the new question
    everything = engine.store.messages.list(chat, branches=True)
    assert len(everything) == 6
    replaced = [m for m in everything if m.superseded_by == active[0].id]
    assert [m.content for m in replaced] == ["first?", "one.", "second?", "two."]
    [version] = engine.store.messages.earlier_versions(active[0].id)
    assert [m.content for m in version] == ["first?", "one.", "second?", "two."]
    assert engine.store.messages.count(chat) == 2
    assert engine.store.sessions.list()[0].message_count == 2


def test_edits_of_edits_count_their_versions_and_retry_asks_the_active_question(engine, server, chat):
    last_q = engine.store.messages.list(chat)[-2]
    server.script(CHAT, Reply(text="two b."), Reply(text="two c."), Reply(text="two c again."))
    run(engine, lambda: engine.edit(chat, last_q.id, "second, b?"))
    b = engine.store.messages.list(chat)[-2]
    run(engine, lambda: engine.edit(chat, b.id, "second, c?"))
    c = engine.store.messages.list(chat)[-2]
    assert (c.content, c.earlier, c.edit_of) == ("second, c?", 2, b.id)
    versions = engine.store.messages.earlier_versions(c.id)
    assert [[m.content for m in v] for v in versions] == [["second, b?", "two b."], ["second?", "two."]]
    # the first turn stays shared by every version; the model sees it and the latest question only
    assert sent_messages(server)[-1] == [("user", "first?"), ("assistant", "one."), ("user", "second, c?")]
    # /retry keeps its meaning: the last question of the active branch, answered again
    run(engine, lambda: engine.retry(chat))
    assert sent_messages(server)[-1][-1] == ("user", "second, c?")


def test_an_edit_of_a_replaced_or_foreign_message_is_refused_and_changes_nothing(engine, server, chat):
    first_q, first_a = engine.store.messages.list(chat)[:2]
    server.script(CHAT, Reply(text="edited."))
    run(engine, lambda: engine.edit(chat, first_q.id, "again?"))
    before = engine.store.messages.list(chat, branches=True)
    for target in (first_q.id, first_a.id, 10_000):  # replaced already, an answer, not there
        events = run(engine, lambda t=target: engine.edit(chat, t, "no"))
        assert isinstance(events[-1], TurnError) and events[-1].error_type == "nothing_to_edit"
        assert "cannot be edited" in events[-1].message and events[-1].hint
    assert engine.store.messages.list(chat, branches=True) == before
    with pytest.raises(NothingToEdit):
        engine.store.messages.replace(chat, first_a.id, "x")


def test_exports_show_the_earlier_version_and_json_round_trips_the_branches(engine, server, chat):
    first_q = engine.store.messages.list(chat)[0]
    server.script(CHAT, Reply(text="one, edited."))
    run(engine, lambda: engine.edit(chat, first_q.id, "first, better?"))
    md = export_markdown(engine.store, chat)
    assert "Earlier version 1 of 1" in md and "> first?" in md and "> two." in md
    assert md.index("Earlier version") < md.index("## You (edited)") < md.index("one, edited.")
    page = export_html(engine.store, chat)
    assert '<details class="earlier">' in page and "first?" in page
    data = json.loads(export_json(engine.store, chat))
    assert len(data["messages"]) == 6 and sum(1 for m in data["messages"] if m["superseded_by"]) == 4
    new_sid = import_session(engine.store, json.dumps(data))
    active = engine.store.messages.list(new_sid)
    assert [m.content for m in active] == ["first, better?", "one, edited."]
    [version] = engine.store.messages.earlier_versions(active[0].id)
    assert [m.content for m in version] == ["first?", "one.", "second?", "two."]
    again = json.loads(export_json(engine.store, new_sid))
    strip = [{k: v for k, v in m.items() if k not in ("id", "superseded_by", "edit_of")} for m in again["messages"]]
    assert strip == [{k: v for k, v in m.items() if k not in ("id", "superseded_by", "edit_of")} for m in data["messages"]]


def test_the_recording_says_which_question_an_edit_replaced(engine, server, chat):
    first_q = engine.store.messages.list(chat)[0]
    server.script(CHAT, Reply(text="edited."))
    run(engine, lambda: engine.edit(chat, first_q.id, "first, better?"))
    notes = [e for e in engine.store.recordings.for_session(chat) if e.kind == "user"]
    assert [n.data.get("edit_of") for n in notes] == [None, None, first_q.id]


def test_search_finds_an_earlier_version_and_leads_to_the_question_that_replaced_it(engine, server, chat):
    from wits_tui.commands import CommandContext, Listing, run_command

    first_q = engine.store.messages.list(chat)[0]
    server.script(CHAT, Reply(text="edited."), Reply(text="edited twice."))
    run(engine, lambda: engine.edit(chat, first_q.id, "first, better?"))
    better = engine.store.messages.list(chat)[0]
    run(engine, lambda: engine.edit(chat, better.id, "first, best?"))
    best = engine.store.messages.list(chat)[0]
    result = asyncio.run(run_command("/search first", CommandContext(engine, chat, None)))
    assert isinstance(result, Listing)
    rows = {r.cells[2]: (r.cells[0], r.message_id) for r in result.rows if r.message_id is not None}
    assert rows["first?"] == ("user (earlier version)", best.id)  # followed through both edits
    assert rows["first, better?"] == ("user (earlier version)", best.id)
    assert rows["first, best?"] == ("user", best.id)


def test_memory_forgets_the_answer_an_edit_replaced(paths, server):
    from tests.engine.conftest import make_engine

    server.add_model("nomic-embed-text", capabilities=["embedding"], embedding_dim=768)
    server.script(CHAT, Reply(text="Your dog is called Biscuit."), Reply(text="Your cat is called Miso."))
    engine = make_engine(paths, server.host, use_memory=True)
    sid = engine.store.sessions.create().id

    async def go():
        await asyncio.to_thread(engine.memory.open)
        async with aclosing(engine.turn(sid, "Remember that my dog is called Biscuit")) as stream:
            async for _ in stream:
                pass
        await engine.aclose()  # the exchange is written
        await asyncio.to_thread(engine.open)
        await asyncio.to_thread(engine.memory.open)
        assert any("Biscuit" in h.text for h in await engine.memory.search("Biscuit"))
        question = engine.store.messages.list(sid)[0]
        async with aclosing(engine.edit(sid, question.id, "Remember that my cat is called Miso")) as stream:
            async for _ in stream:
                pass
        await engine.aclose()  # waits for the forgetting and the new write
        await asyncio.to_thread(engine.open)
        await asyncio.to_thread(engine.memory.open)
        found = [h.text for h in await engine.memory.search("called")]
        engine.memory.close()
        return found

    found = asyncio.run(go())
    assert any("Miso" in t for t in found) and not any("Biscuit" in t for t in found)
