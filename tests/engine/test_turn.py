from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from contextlib import aclosing

import pytest

from tests.engine.conftest import CHAT, make_engine
from tests.fakes.ollama_server import Reply
from tests.waiting import async_wait_until
from wits_tui.engine.events import ContextInfo, Fallback, Token, TurnDone, TurnError, TurnStarted, event_to_dict


def collect(engine, session_id, text, **kw):
    async def go():
        events = []
        async with aclosing(engine.turn(session_id, text, **kw)) as stream:
            async for ev in stream:
                events.append(ev)
        await engine.backend.close()
        return events

    return asyncio.run(go())


def kinds(events):
    """Event kinds, without the tokens and the context figures (tests/engine/test_context_window.py)."""
    return [type(e).__name__ for e in events if not isinstance(e, (Token, ContextInfo))]


def chat_requests(server):
    return [r.body for r in server.requests_to("/api/chat")]


def test_a_turn_streams_persists_and_records(engine, server):
    server.script(CHAT, Reply(text="Hello there, friend.", eval_count=4, tokens_per_second=500))
    s = engine.store.sessions.create()
    events = collect(engine, s.id, "Say hello\nplease")
    assert kinds(events) == ["TurnStarted", "TurnDone"]
    tokens = [e.text for e in events if isinstance(e, Token)]
    assert "".join(tokens) == "Hello there, friend." and len(tokens) > 1
    done = events[-1]
    assert done.text == "Hello there, friend." and done.model == CHAT
    assert done.stats.ttft_ms is not None and done.stats.eval_tokens == 4 and done.stats.tokens_per_s > 0
    msgs = engine.store.messages.list(s.id)
    assert [(m.role, m.content, m.status) for m in msgs] == [
        ("user", "Say hello\nplease", "complete"),
        ("assistant", "Hello there, friend.", "complete"),
    ]
    assert msgs[1].model == CHAT and msgs[1].id == done.message_id
    assert engine.store.sessions.get(s.id).title == "Say hello"
    [metric] = engine.store.metrics.for_session(s.id)
    assert metric["status"] == "complete" and metric["eval_tokens"] == 4 and metric["message_id"] == done.message_id


def test_prior_messages_are_sent_as_context(engine, server):
    s = engine.store.sessions.create()
    collect(engine, s.id, "first question")
    collect(engine, s.id, "second question")
    sent = chat_requests(server)[-1]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[0]["content"] == "first question" and sent[-1]["content"] == "second question"


def test_context_is_trimmed_oldest_first_to_the_models_window(paths, server):
    server.add_model("tiny", context_length=600)
    engine = make_engine(paths, server.host, default_model="tiny", answer_reserve_tokens=200)
    s = engine.store.sessions.create()
    for i in range(10):
        engine.store.messages.append(s.id, "user", f"old question {i} " + "words " * 60)
        engine.store.messages.append(s.id, "assistant", f"old answer {i} " + "words " * 60)
    collect(engine, s.id, "the newest question")
    sent = chat_requests(server)[-1]["messages"]
    assert sent[-1]["content"] == "the newest question"
    assert 1 < len(sent) < 21
    assert sum(len(m["content"]) // 4 + 5 for m in sent) <= 600 - 200
    assert sent[0]["role"] == "user" and "old question 9" in sent[-3]["content"]
    # /api/show is asked once per model, then cached
    collect(engine, s.id, "again")
    assert len(server.requests_to("/api/show")) == 1


def test_server_not_running(paths, wits_home):
    engine = make_engine(paths, "http://127.0.0.1:9", fallback_models=["other"])
    s = engine.store.sessions.create()
    events = collect(engine, s.id, "anyone there?")
    assert kinds(events) == ["TurnStarted", "TurnError"]  # no pointless fallback on the same dead server
    err = events[-1]
    assert err.error_type == "connection" and "127.0.0.1:9" in err.message and "ollama serve" in err.hint
    assert err.context == {"model": CHAT, "host": "http://127.0.0.1:9", "attempt": 1, "session_id": s.id}
    # the question survives; the failed answer is recorded as an error
    msgs = engine.store.messages.list(s.id)
    assert [(m.role, m.status) for m in msgs] == [("user", "complete"), ("assistant", "error")]
    # one JSON line in today's error log, and a traceback only in wits.log
    [logfile] = list(paths.log_dir.glob("model-errors-*.jsonl"))
    [record] = [json.loads(line) for line in logfile.read_text().splitlines()]
    assert record["error_id"] == err.error_id and record["type"] == "connection" and record["model"] == CHAT
    assert record["context"]["session_id"] == s.id


def test_model_not_found_suggests_pull(engine, server):
    s = engine.store.sessions.create()
    err = collect(engine, s.id, "hi", model="mistral:7b")[-1]
    assert isinstance(err, TurnError) and err.error_type == "model_not_found"
    assert "ollama pull mistral:7b" in err.hint


def test_fallback_to_the_next_model_when_the_first_fails_before_any_token(paths, server):
    server.add_model("backup")
    server.script("backup", Reply(text="backup answer"))
    engine = make_engine(paths, server.host, default_model="missing", fallback_models=["backup"])
    s = engine.store.sessions.create()
    events = collect(engine, s.id, "hello")
    assert kinds(events) == ["TurnStarted", "Fallback", "TurnStarted", "TurnDone"]
    fb = [e for e in events if isinstance(e, Fallback)][0]
    assert (fb.from_model, fb.to_model, fb.error_type, fb.attempt) == ("missing", "backup", "model_not_found", 2)
    assert events[-1].model == "backup" and events[-1].text == "backup answer"
    assert engine.store.messages.list(s.id)[-1].model == "backup"


def test_fallback_order_and_attempt_limit(paths, server):
    for name in ("a", "b", "c", "d"):
        server.add_model(name)
        server.script(name, Reply(status=500, error="llama runner process has terminated: signal: killed"))
    engine = make_engine(paths, server.host, default_model="a", fallback_models=["b", "a", "c", "d"], max_fallback_attempts=2)
    s = engine.store.sessions.create()
    events = collect(engine, s.id, "hello")
    assert [r["model"] for r in chat_requests(server)] == ["a", "b", "c"]
    assert kinds(events) == ["TurnStarted", "Fallback", "TurnStarted", "Fallback", "TurnStarted", "TurnError"]
    err = events[-1]
    assert err.error_type == "server_error" and "runner process has terminated" in err.message
    assert err.context["attempt"] == 3 and err.context["model"] == "c"


def test_fallback_can_be_switched_off(paths, server):
    engine = make_engine(paths, server.host, default_model="missing", fallback_models=[CHAT], enable_model_fallback=False)
    s = engine.store.sessions.create()
    assert kinds(collect(engine, s.id, "hello")) == ["TurnStarted", "TurnError"]


@pytest.mark.parametrize(
    ("reply", "error_type"),
    [
        (Reply(text="one two three four five six", error_after=3, error="out of memory"), "stream_error"),
        (Reply(text="one two three four five six", disconnect_after=3), "disconnected"),
    ],
)
def test_failure_after_tokens_keeps_the_partial_answer_and_does_not_retry(paths, server, reply, error_type):
    server.add_model("backup")
    server.script(CHAT, reply)
    engine = make_engine(paths, server.host, fallback_models=["backup"])
    s = engine.store.sessions.create()
    events = collect(engine, s.id, "count")
    assert kinds(events) == ["TurnStarted", "TurnError"]
    err = events[-1]
    assert err.error_type == error_type and err.partial_text == "one two three"
    last = engine.store.messages.list(s.id)[-1]
    assert (last.content, last.status, last.id) == ("one two three", "error", err.message_id)
    assert [r["model"] for r in chat_requests(server)] == [CHAT]


def test_error_line_before_any_token_falls_back(paths, server):
    server.add_model("backup")
    server.script(CHAT, Reply(text="x", error_after=0, error="model failed to load"))
    engine = make_engine(paths, server.host, fallback_models=["backup"])
    s = engine.store.sessions.create()
    events = collect(engine, s.id, "hi")
    assert kinds(events) == ["TurnStarted", "Fallback", "TurnStarted", "TurnDone"]
    assert [e for e in events if isinstance(e, Fallback)][0].error_type == "stream_error"


def test_read_timeout(paths, server):
    server.script(CHAT, Reply(text="never comes", hang_after=0))
    engine = make_engine(paths, server.host, read_timeout=0.5)
    s = engine.store.sessions.create()
    err = collect(engine, s.id, "hello")[-1]
    assert isinstance(err, TurnError) and err.error_type == "timeout" and "read_timeout" in err.hint


def test_slow_first_token_is_measured(engine, server):
    server.script(CHAT, Reply(text="late but fine", first_token_delay=0.3))
    s = engine.store.sessions.create()
    done = collect(engine, s.id, "hello")[-1]
    assert isinstance(done, TurnDone) and done.stats.prompt_eval_duration_ms >= 300  # the server's scripted wait
    assert done.stats.ttft_ms >= done.stats.prompt_eval_duration_ms  # measured from before the request: includes it


def test_cancelling_keeps_the_partial_answer_as_interrupted(engine, server):
    # hangs after 100 words: still coming when the cancel arrives, however busy the machine
    server.script(CHAT, Reply(text=" ".join(f"w{i}" for i in range(200)), tokens_per_second=100, hang_after=100))
    s = engine.store.sessions.create()
    seen: list[str] = []

    async def consume():
        async with aclosing(engine.turn(s.id, "long answer please")) as stream:
            async for ev in stream:
                if isinstance(ev, Token):
                    seen.append(ev.text)

    async def go():
        task = asyncio.create_task(consume())
        await async_wait_until(lambda: len(seen) >= 5, what="five tokens")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await engine.backend.close()

    asyncio.run(go())
    last = engine.store.messages.list(s.id)[-1]
    assert last.status == "interrupted" and last.content == "".join(seen)[: len(last.content)]
    assert last.content.startswith("w0 w1 w2 w3 w4")
    assert engine.store.metrics.for_session(s.id)[-1]["status"] == "interrupted"


def test_abandoning_the_stream_also_counts_as_interrupted(engine, server):
    server.script(CHAT, Reply(text="a b c d e f g h", tokens_per_second=200))
    s = engine.store.sessions.create()

    async def go():
        async with aclosing(engine.turn(s.id, "hi")) as stream:
            async for ev in stream:
                if isinstance(ev, Token):
                    break
        await engine.backend.close()

    asyncio.run(go())
    last = engine.store.messages.list(s.id)[-1]
    assert (last.status, last.content) == ("interrupted", "a")
    # and the recording says so too, for replays
    recorded = engine.store.recordings.for_session(s.id)[-1]
    assert recorded.kind == "interrupted" and recorded.data["partial_text"] == "a"


def test_retry_answers_the_last_question_again(engine, server):
    server.script(CHAT, Reply(status=500, error="runner crashed"), Reply(text="second try worked"))
    s = engine.store.sessions.create()
    assert isinstance(collect(engine, s.id, "question")[-1], TurnError)

    async def go():
        out = [ev async for ev in engine.retry(s.id)]
        await engine.backend.close()
        return out

    done = asyncio.run(go())[-1]
    assert isinstance(done, TurnDone) and done.text == "second try worked"
    roles = [(m.role, m.status) for m in engine.store.messages.list(s.id)]
    assert roles == [("user", "complete"), ("assistant", "error"), ("assistant", "complete")]
    assert [m["content"] for m in chat_requests(server)[-1]["messages"]] == ["question"]


def test_retry_with_nothing_to_retry(engine):
    s = engine.store.sessions.create()

    async def go():
        return [ev async for ev in engine.retry(s.id)]

    [err] = asyncio.run(go())
    assert isinstance(err, TurnError) and "no question" in err.message


def test_an_answer_cut_off_by_a_crash_is_recovered_as_interrupted(paths, server):
    engine = make_engine(paths, server.host)
    s = engine.store.sessions.create()
    m = engine.store.messages.append(s.id, "assistant", "half an ans", status="streaming")
    again = make_engine(paths, server.host)  # this process is alive: its answer is still being written
    assert again.store.messages.get(m.id).status == "streaming"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    engine.store.db.execute("UPDATE message_writers SET pid = ? WHERE message_id = ?", [int(gone.stdout), m.id])
    engine.store.db.conn.commit()
    engine.store.close()
    again.store.close()
    third = make_engine(paths, server.host)  # the writer is gone now
    assert [(m.content, m.status) for m in third.store.messages.list(s.id)] == [("half an ans", "interrupted")]


def test_events_serialise_to_json(engine, server):
    s = engine.store.sessions.create()
    for ev in collect(engine, s.id, "hi"):
        assert json.loads(json.dumps(event_to_dict(ev)))["event"] == ev.kind
    assert {TurnStarted.kind, Token.kind, Fallback.kind, TurnDone.kind, TurnError.kind} == {
        "turn_started", "token", "fallback", "done", "error"}


def test_no_rate_from_a_duration_that_is_not_a_measurement():
    from wits_tui.engine.turn import stats_from

    assert stats_from({"eval_count": 4, "eval_duration": 1_000}, 10.0, 20.0).tokens_per_s is None  # 1 µs
    assert stats_from({"eval_count": 4, "eval_duration": 0}, 10.0, 20.0).tokens_per_s is None
    assert stats_from({"eval_count": 40, "eval_duration": 2_000_000_000}, 10.0, 20.0).tokens_per_s == 20.0


def test_module_models_are_learned_before_a_turn_is_routed_to_them(paths, server):
    """What /api/show says about a module's model (does it think? its window) is asked when Ollama
    first answers, not on the path of the first turn routed to that module."""
    server.add_model("qwen2.5-coder:7b", context_length=8192)
    paths.user_modules_dir.mkdir(parents=True, exist_ok=True)
    (paths.user_modules_dir / "code_expert.toml").write_text('model = "qwen2.5-coder:7b"\n')
    (paths.user_modules_dir / "writer.toml").write_text('model = "not-installed:1b"\ndomains = ["creative"]\n')
    engine = make_engine(paths, server.host, routing=True)

    async def learn() -> None:
        await engine.learn_module_models([m.name for m in await engine.list_models()])
        await engine.backend.close()

    asyncio.run(learn())
    asked = [r.body["model"] for r in server.requests_to("/api/show")]
    assert sorted(asked) == [CHAT, "qwen2.5-coder:7b"]  # installed ones only; each once
    assert engine.catalog.cached("qwen2.5-coder:7b").context_length == 8192
    server.clear_requests()
    s = engine.store.sessions.create()
    engine.store.sessions.pin_module(s.id, "code_expert")
    events = collect(engine, s.id, "hello")
    assert [e.model for e in events if isinstance(e, TurnStarted)] == ["qwen2.5-coder:7b"]
    assert server.requests_to("/api/show") == []
