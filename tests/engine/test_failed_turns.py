"""Failed and interrupted turns as a reopened session shows them (issue 15 item 11), and the
notice of a stalled stream (item 12)."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from tests.engine.conftest import CHAT, make_engine
from tests.engine.test_turn import collect
from tests.fakes.ollama_server import Reply
from tests.waiting import async_wait_until, within
from wits_tui.engine import transfer
from wits_tui.engine.events import Stalled, Token, TurnDone, TurnError, event_from_dict, event_to_dict
from wits_tui.engine.stall import Silence, notice, watch


# -- item 11: the reason is stored with the failed answer --------------------------------------
def test_a_failed_answer_keeps_its_kind_message_and_fix(engine, server):
    s = engine.store.sessions.create()
    err = collect(engine, s.id, "hi", model="mistral:7b")[-1]
    assert isinstance(err, TurnError) and err.error_type == "model_not_found"
    stored = engine.store.messages.get(err.message_id)
    assert stored is not None and stored.status == "error" and stored.content == ""
    assert (stored.error_kind, stored.error_message, stored.error_hint) == ("model_not_found", err.message, err.hint)
    assert "ollama pull mistral:7b" in (stored.error_hint or "")


def test_a_failure_after_some_tokens_keeps_the_text_and_the_reason(engine, server):
    server.script(CHAT, Reply(text="one two three four", error_after=2, error="out of memory"))
    s = engine.store.sessions.create()
    err = collect(engine, s.id, "count")[-1]
    stored = engine.store.messages.list(s.id)[-1]
    assert (stored.content, stored.status, stored.error_kind) == ("one two", "error", "stream_error")
    assert stored.error_message == err.message and "out of memory" in stored.error_message


def test_a_question_stopped_before_the_answer_began_is_marked_interrupted(engine, server):
    """Stopped while Wits still asks the server about the model (before any request for the
    answer): the session must not end in a bare question, as if it had never been asked."""
    server.hang_paths.add("/api/show")
    s = engine.store.sessions.create()

    async def go():
        events = engine.turn(s.id, "a question stopped early")
        task = asyncio.create_task(anext(events))
        await async_wait_until(lambda: server.requests_to("/api/show"), what="the /api/show request")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await events.aclose()
        await engine.backend.close()

    asyncio.run(go())
    roles = [(m.role, m.status, m.content) for m in engine.store.messages.list(s.id)]
    assert roles == [("user", "complete", "a question stopped early"), ("assistant", "interrupted", "")]
    assert engine.store.recordings.for_session(s.id)[-1].kind == "interrupted"


def test_exports_say_why_an_answer_failed_and_html_has_no_literal_asterisks(engine, server):
    server.script(CHAT, Reply(text="half an answer and", error_after=3, error="CUDA error: out_of_memory"),
                  Reply(text="a b c d e f", tokens_per_second=200))
    s = engine.store.sessions.create()
    collect(engine, s.id, "first")

    async def stop_after_a_token():
        async with aclosing(engine.turn(s.id, "second")) as stream:
            async for ev in stream:
                if isinstance(ev, Token):
                    break
        await engine.backend.close()

    asyncio.run(stop_after_a_token())
    md = transfer.export_markdown(engine.store, s.id)
    why = "*(the answer failed here: model 'llama3.2:1b' stopped with an error: CUDA error: out\\_of\\_memory"
    assert why in md  # the reason, Markdown-escaped
    assert "Fix: " in md and "*(stopped before the end)*" in md
    page = transfer.export_html(engine.store, s.id)
    assert ('<p class="note">(the answer failed here: model &#x27;llama3.2:1b&#x27; stopped with an error: '
            "CUDA error: out_of_memory. Fix: ") in page
    assert '<p class="note">(stopped before the end)</p>' in page
    assert "*(" not in page and ")*" not in page


def test_the_reason_survives_a_json_export_and_import(engine, server):
    s = engine.store.sessions.create()
    collect(engine, s.id, "hi", model="mistral:7b")
    copy = transfer.import_session(engine.store, transfer.export_json(engine.store, s.id))
    failed = engine.store.messages.list(copy)[-1]
    assert failed.status == "error" and failed.error_kind == "model_not_found"
    assert "mistral:7b" in (failed.error_message or "") and "ollama pull" in (failed.error_hint or "")


# -- item 12: a stalled stream is said, and waited for -----------------------------------------
def test_watch_says_silence_and_keeps_waiting():
    """The stream goes quiet (the test holds it), a Silence comes, then the stream carries on."""
    go_on = asyncio.Event()
    closed: list[bool] = []

    async def source():
        try:
            yield "a"
            await go_on.wait()
            yield "b"
        finally:
            closed.append(True)

    async def run():
        got: list[object] = []
        async with aclosing(watch(source(), 0.05)) as items:
            async for item in items:
                got.append(item)
                if isinstance(item, Silence) and not go_on.is_set():
                    go_on.set()
        return got

    got = asyncio.run(within(run(), what="the watched stream"))
    assert got[0] == "a" and got[-1] == "b"
    assert [type(x) for x in got[1:-1]] and all(isinstance(x, Silence) for x in got[1:-1])
    assert closed == [True]


def test_closing_a_watched_stream_closes_the_stream_it_reads():
    closed: list[bool] = []

    async def source():
        try:
            yield 1
            await asyncio.Event().wait()  # silent for ever
        finally:
            closed.append(True)

    async def run():
        async with aclosing(watch(source(), 0.05)) as items:
            async for item in items:
                if isinstance(item, Silence):
                    break

    asyncio.run(within(run(), what="the watched stream"))
    assert closed == [True]


def test_a_stream_that_goes_silent_is_said_and_the_turn_keeps_waiting(paths, server):
    server.script(CHAT, Reply(text="one two three four five", pause_after=2, pause_s=3.0))
    engine = make_engine(paths, server.host, stall_notice_s=0.2)
    s = engine.store.sessions.create()
    events = collect(engine, s.id, "count")
    stalls = [e for e in events if isinstance(e, Stalled)]
    assert stalls, "no Stalled event during a 3 s pause with stall_notice_s=0.2"
    first = stalls[0]
    assert first.answering and first.model == CHAT and first.read_timeout == engine.settings.ollama.read_timeout
    texts = "".join(e.text for e in events if isinstance(e, Token))
    assert texts == "one two three four five" and isinstance(events[-1], TurnDone)  # waited, then finished
    assert [x.seconds for x in stalls] == sorted(x.seconds for x in stalls)
    assert event_from_dict(event_to_dict(first)) == first  # `wits ask --json` and recordings carry it


def test_silence_before_the_first_token_is_said_as_loading(paths, server):
    server.script(CHAT, Reply(text="late", first_token_delay=3.0))
    engine = make_engine(paths, server.host, stall_notice_s=0.2)
    s = engine.store.sessions.create()
    first = next(e for e in collect(engine, s.id, "hi") if isinstance(e, Stalled))
    assert not first.answering
    assert notice(first).startswith("no answer yet after") and "loading" in notice(first)


def test_no_stall_notice_when_switched_off(paths, server):
    server.script(CHAT, Reply(text="one two three", pause_after=1, pause_s=0.5))
    engine = make_engine(paths, server.host, stall_notice_s=0)
    s = engine.store.sessions.create()
    assert not [e for e in collect(engine, s.id, "hi") if isinstance(e, Stalled)]


def test_the_notice_text():
    assert notice(Stalled("m", 20.0, True, 300.0)) == "no tokens for 20 s — Esc stops"
    assert notice(Stalled("m", 40.0, True, 300.0), "Ctrl+C stops") == "no tokens for 40 s — Ctrl+C stops"
