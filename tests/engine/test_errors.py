"""Expected failures are typed: WitsError(message, hint), one kind per case, turned into a
notice or a TurnError in one place each (issue 19.2)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from ollama import ResponseError

from tests.commands.test_commands import Answers
from tests.engine.conftest import CHAT, make_engine
from tests.engine.memory.conftest import make_memory
from wits_tui.commands import CommandContext, run_command
from wits_tui.engine.backends.ollama_errors import explain
from wits_tui.engine.build import EngineOptions, build_engine
from wits_tui.engine.errors import BackendError, ErrorKind, MemoryUnavailable, SessionNotFound, WitsError
from wits_tui.engine.events import TurnError
from wits_tui.settings import Settings


@pytest.mark.parametrize(("exc", "kind"), [
    (httpx.ConnectError("refused"), ErrorKind.CONNECTION),
    (httpx.ReadTimeout("slow"), ErrorKind.TIMEOUT),
    (ResponseError("no such model", 404), ErrorKind.MODEL_NOT_FOUND),
    (ResponseError("404 page not found", 404), ErrorKind.UNSUPPORTED),  # an endpoint the server lacks
    (ResponseError("no embeddings", 501), ErrorKind.UNSUPPORTED),
    (ResponseError("runner crashed", 500), ErrorKind.SERVER_ERROR),
    (ResponseError("bad option", 400), ErrorKind.BAD_REQUEST),
    (ResponseError("mid-stream", -1), ErrorKind.STREAM_ERROR),
    (httpx.RemoteProtocolError("dropped"), ErrorKind.DISCONNECTED),
    (json.JSONDecodeError("garbled", "x", 0), ErrorKind.STREAM_ERROR),
])
def test_every_backend_failure_has_a_kind_and_a_fix(exc, kind):
    err = explain(exc, host="http://127.0.0.1:9", model="m")
    assert isinstance(err, BackendError) and isinstance(err, WitsError)
    assert err.kind is kind and err.error_type == kind.value and err.message and err.hint
    assert err.describe() == f"{err.message}. Fix: {err.hint}"


def test_remember_on_a_broken_memory_raises_memory_unavailable_with_the_fix(paths, server):
    memory = make_memory(paths, server)
    paths.memory_dir.mkdir(parents=True, exist_ok=True)
    (paths.memory_dir / "wits-memory.json").write_text("not json")  # the index file is damaged
    try:
        assert memory.open().state == "broken"
        with pytest.raises(MemoryUnavailable) as info:
            memory.run_sync(memory.remember("my dog is called Rex"))
    finally:
        memory.close()
    assert "broken" in info.value.message and "wits memory repair" in info.value.hint


def test_the_command_runner_turns_a_wits_error_into_one_notice(paths, server):
    """/remember on a broken memory: the facade raises, the runner (and nothing else) says it."""
    server.add_model("nomic-embed-text", capabilities=["embedding"], embedding_dim=768)
    engine = make_engine(paths, server.host, use_memory=True)
    paths.memory_dir.mkdir(parents=True, exist_ok=True)
    (paths.memory_dir / "wits-memory.json").write_text("not json")
    session = engine.store.sessions.create()
    result = asyncio.run(run_command("/remember my dog is called Rex", CommandContext(engine, session.id, Answers())))
    engine.close()
    assert result.level == "warning" and "memory is broken" in result.text and "Fix: run `wits memory repair`" in result.text


def test_a_session_that_is_not_there_is_a_wits_error_and_a_lookup_error(store):
    with pytest.raises(SessionNotFound) as info:
        store.sessions.find("nowhere")
    assert isinstance(info.value, WitsError) and isinstance(info.value, LookupError)
    assert info.value.kind is ErrorKind.SESSION_NOT_FOUND and "wits sessions list" in info.value.hint


def test_retry_without_a_question_is_a_typed_turn_error(engine):
    session = engine.store.sessions.create()

    async def go():
        return [ev async for ev in engine.retry(session.id)]

    [err] = asyncio.run(go())
    assert isinstance(err, TurnError) and err.error_type == ErrorKind.NOTHING_TO_RETRY and err.hint


def test_behaviour_switches_are_fixed_at_construction(paths):
    async def confirm(name, arguments):
        return True

    on = build_engine(Settings(), paths, EngineOptions(use_memory=True, confirm_tool=confirm))
    assert on.use_memory and on.confirm_tool is confirm
    off = build_engine(Settings.model_validate({"memory": {"enabled": False}}), paths, EngineOptions(use_memory=True))
    assert not off.use_memory and off.memory is None and off.confirm_tool is None
    with pytest.raises(AttributeError):
        on.use_memory = False  # type: ignore[misc]


@pytest.fixture
def server():
    from tests.fakes.ollama_server import ScriptedOllama

    with ScriptedOllama() as s:
        s.add_model(CHAT, context_length=4096)
        yield s


@pytest.fixture
def engine(paths, server):
    return make_engine(paths, server.host)
