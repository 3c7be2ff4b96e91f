"""Deleting or clearing a session removes what memory holds from it (real LanceDB, scripted server)."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

from tests.commands.test_commands import Answers
from tests.engine.memory.conftest import make_memory, run as run_async
from tests.test_cli import run as run_cli
from wits_tui.commands import ClearChat, CommandContext, SwitchSession, run_command


def _remember(memory, store, text: str, session_id: int | None) -> None:
    run_async(memory, memory.remember(text, session_id=session_id))


def _texts(memory) -> set[str]:
    return {s.text for s in memory.export()}


def _slash(text: str, store, memory, session_id: int, frontend: Answers):
    engine = SimpleNamespace(store=store, memory=memory)
    return asyncio.run(run_command(text, CommandContext(engine, session_id, frontend)))


def test_delete_and_clear_remove_the_sessions_memories_and_say_so(paths, server, store):
    memory = make_memory(paths, server)
    doomed, cleared, kept = (store.sessions.create(t) for t in ("doomed", "cleared", "kept"))
    for s in (doomed, cleared, kept):
        store.messages.append(s.id, "user", "hi")
    _remember(memory, store, "the doomed session's secret", doomed.id)
    _remember(memory, store, "the cleared session's secret", cleared.id)
    _remember(memory, store, "a note from the kept session", kept.id)
    _remember(memory, store, "a note from no session", None)

    asked = Answers(True)
    result = _slash("/delete", store, memory, doomed.id, asked)
    assert isinstance(result, SwitchSession) and "and 1 memories" in result.text
    assert "also removes 1 memories" in asked.asked[0]

    asked = Answers(True)
    result = _slash("/clear", store, memory, cleared.id, asked)
    assert isinstance(result, ClearChat) and "also removes 1 memories" in asked.asked[0]
    assert _texts(memory) == {"a note from the kept session", "a note from no session"}
    # a turn queued before the clear is never written afterwards; a later one is
    memory.queue_turn(kept.id, "question", "answer")
    assert memory.forget_session(kept.id) == 2
    memory.queue_turn(kept.id, "new question", "new answer")
    run_async(memory, memory.flush())
    assert _texts(memory) == {"a note from no session", "User: new question\nAssistant: new answer"}
    memory.close()


def test_wits_sessions_delete_removes_its_memories(capsys, paths, server, store, monkeypatch):
    monkeypatch.setenv("WITS_OLLAMA__HOST", server.host)
    memory = make_memory(paths, server)
    s = store.sessions.create("doomed")
    _remember(memory, store, "the doomed session's secret", s.id)
    _remember(memory, store, "a note from no session", None)
    memory.close()
    code, out, _ = run_cli(capsys, "sessions", "delete", str(s.id), "--yes")
    assert code == 0 and "and 1 memories" in out
    code, out, _ = run_cli(capsys, "memory", "export")
    assert [json.loads(line)["text"] for line in out.splitlines()] == ["a note from no session"]
