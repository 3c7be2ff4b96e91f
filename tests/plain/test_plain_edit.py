"""The line mode's edit and resend: ``/edit TEXT`` asks TEXT in place of the last question."""

from __future__ import annotations

from tests.engine.conftest import CHAT, make_engine
from tests.fakes.ollama_server import Reply
from tests.plain.test_plain_memory_tools import run_lines


def test_edit_asks_again_in_place_of_the_last_question_and_keeps_the_old_turn(paths, server):
    server.script(CHAT, Reply(text="Paris."), Reply(text="Lyon."))
    engine = make_engine(paths, server.host)
    text = run_lines(engine, "capital of France?\n/edit second city of France?\n/queue\n/edit\n")
    assert "Paris." in text and "Lyon." in text
    assert "in place of: capital of France?" in text and "kept as an earlier version" in text
    assert "the line mode has no queue" in text
    assert "usage: /edit TEXT" in text
    sid = engine.store.sessions.active_id()
    assert [m.content for m in engine.store.messages.list(sid)] == ["second city of France?", "Lyon."]
    assert len(engine.store.messages.list(sid, branches=True)) == 4
    asked = [r.body["messages"][-1]["content"] for r in server.requests_to("/api/chat")]
    assert asked == ["capital of France?", "second city of France?"]


def test_edit_in_an_empty_session_says_there_is_nothing_to_edit(paths, server):
    engine = make_engine(paths, server.host)
    text = run_lines(engine, "/edit anything\n")
    assert "no message to edit" in text and not server.requests_to("/api/chat")
