"""Failed and interrupted turns after reopening, and the stalled-stream notice (issue 15, items 11 and 12)."""

from __future__ import annotations

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, make_settings, press_now, ready, type_text, wait_for, wait_for_workers
from wits_tui.engine.store import Store
from wits_tui.engine.store.messages import FailedWith
from wits_tui.ui.widgets.chat import AssistantMessage, UserMessage
from wits_tui.ui.widgets.error_card import ErrorCard

pytestmark = pytest.mark.anyio

SIZE = (120, 40)


def _card(app) -> ErrorCard | None:
    cards = list(app.chat.query(ErrorCard))
    return cards[-1] if cards else None


def _chat_items(app) -> list[str]:
    """The chat as a list of kinds: you / answer:STATUS / card."""
    kinds = []
    for w in app.chat.children:
        if isinstance(w, UserMessage):
            kinds.append("you")
        elif isinstance(w, AssistantMessage):
            kinds.append(f"answer:{w.status}")
        elif isinstance(w, ErrorCard):
            kinds.append("card")
    return kinds


def _offers_retry(card: ErrorCard) -> bool:
    return card.can_retry and any(b.display and not b.disabled for b in card.query("#retry"))


def _status_line(widget: AssistantMessage) -> str:
    return str(widget.query_one(".status-line").content)


async def _send(pilot, text: str) -> None:
    await type_text(pilot, text)
    await press_now(pilot, "enter")


async def test_a_failed_turn_shows_its_reason_and_retry_after_reopening(make_app, server):
    server.script(MODEL, Reply(status=500, error="model runner has unexpectedly stopped"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _send(pilot, "hello there")
        await wait_for(pilot, lambda: _card(app) and not app.chat_screen.turns.running, what="the live card")
        live = _card(app)
        assert live is not None
        shown = (live.error_type, live.message, live.hint)

    server.script(MODEL, Reply(text="Second time lucky."))
    reopened = make_app()
    async with reopened.run_test(size=SIZE) as pilot:
        await ready(pilot)
        card = await wait_for(pilot, lambda: _card(reopened), what="the card after reopening")
        assert (card.error_type, card.message, card.hint) == shown  # the same reason and fix as live
        assert "unexpectedly stopped" in card.message and card.hint
        assert _chat_items(reopened) == ["you", "card"]
        assert _offers_retry(card), "a reopened failed turn offers Retry"
        before = len(server.requests_to("/api/chat"))
        await pilot.click("#retry")
        await wait_for(pilot, lambda: any(a.text == "Second time lucky." for a in reopened.chat.query(AssistantMessage)),
                       what="the retried answer")
        request = server.requests_to("/api/chat")[before].body
        assert request["messages"][-1] == {"role": "user", "content": "hello there"}  # the stored question again
        session = reopened.chat_screen.sessions.current
        users = [m for m in reopened.engine.store.messages.list(session.id) if m.role == "user"]
        assert len(users) == 1


async def test_only_the_last_failed_turn_offers_retry(make_app, app_paths):
    with Store(app_paths.database) as store:
        s = store.sessions.create("Two failures")
        store.messages.append(s.id, "user", "first question")
        store.messages.append(s.id, "assistant", "", status="error",
                              error=FailedWith("server_error", "Ollama failed: runner crashed", "check the server log"))
        store.messages.append(s.id, "user", "second question")
        store.messages.append(s.id, "assistant", "part of it", status="error", model=MODEL,
                              error=FailedWith("disconnected", "the connection to Ollama dropped", "try again"))
        store.sessions.switch(s.id)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_for_workers(pilot)  # the session is shown (and shown again after start-up's refresh)
        await wait_for(pilot, lambda: len(app.chat.query(ErrorCard)) == 2, what="both cards")
        assert _chat_items(app) == ["you", "card", "you", "answer:error", "card"]
        older, newer = list(app.chat.query(ErrorCard))
        assert older.message == "Ollama failed: runner crashed" and not _offers_retry(older)
        assert newer.message == "the connection to Ollama dropped" and _offers_retry(newer)
        # a new question makes the last card stale too
        await _send(pilot, "third question")
        await wait_for(pilot, lambda: len(app.chat.query(UserMessage)) == 3, what="the new question")
        await wait_for(pilot, lambda: not any(_offers_retry(card) for card in app.chat.query(ErrorCard)),
                       what="the cards above the new question to lose Retry")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="its answer")
        await wait_for_workers(pilot)


async def test_a_question_stopped_before_its_answer_began_shows_interrupted_after_reopening(make_app, server):
    server.hang_paths.add("/api/show")  # the turn waits on the server before the answer is asked for
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _send(pilot, "stopped early")
        await wait_for(pilot, lambda: server.requests_to("/api/show") and app.chat_screen.turns.running,
                       what="the turn to wait on /api/show")
        await press_now(pilot, "escape")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="Esc to stop the turn")
        server.hang_paths.clear()
        await wait_for_workers(pilot, "turn")

    reopened = make_app()
    async with reopened.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: _chat_items(reopened) == ["you", "answer:interrupted"],
                       what="the question and its interrupted marker")
        answer = reopened.chat.query(AssistantMessage).last()
        assert _status_line(answer) == "⏹ interrupted before the answer began" and answer.text == ""


def _live_line(app) -> str:
    """The status line under the answer being streamed ("" while there is none yet)."""
    live = app.chat._live
    lines = list(live.widget.query(".status-line")) if live is not None and live.widget is not None else []
    return str(lines[0].content) if lines else ""


async def _stalling_app(app_paths, server, reply: Reply):
    from wits_tui.ui.app import WitsApp

    settings = make_settings(server.host)
    settings.chat.stall_notice_s = 0.2
    server.script(MODEL, reply)
    return WitsApp(app_paths, settings)


async def test_a_stalled_stream_is_said_under_the_answer_and_cleared_when_tokens_come(app_paths, server):
    app = await _stalling_app(app_paths, server, Reply(text="one two three four five six", pause_after=3, pause_s=2.0))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_for_workers(pilot)
        await _send(pilot, "count slowly")
        await wait_for(pilot, lambda: _live_line(app).startswith("⏸ no tokens for"), what="the stall notice")
        assert _live_line(app).endswith("Esc stops") and app.chat_screen.turns.running  # still waiting
        assert "read_timeout" in str(app.chat._live.widget.query_one(".status-line").tooltip)
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="the rest of the answer")
        answer = app.chat.query(AssistantMessage).last()
        assert answer.text == "one two three four five six" and answer.status == "complete"
        assert _status_line(answer) == ""  # the notice went with the tokens that came


async def test_a_stream_that_never_recovers_can_be_stopped(app_paths, server):
    app = await _stalling_app(app_paths, server, Reply(text="one two three four", hang_after=2))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_for_workers(pilot)
        await _send(pilot, "count")
        await wait_for(pilot, lambda: _live_line(app).startswith("⏸ no tokens for"), what="the stall notice")
        await press_now(pilot, "escape")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="Esc to stop")
        answer = app.chat.query(AssistantMessage).last()
        await wait_for(pilot, lambda: _status_line(answer) == "⏹ interrupted", what="the interrupted marker")
        assert answer.text == "one two"


def test_reopened_failed_and_interrupted_turns(snap_compare, make_app, app_paths):
    """A session reopened after a question stopped early and an answer that failed half-way."""
    from tests.ui.test_snapshots import settle

    with Store(app_paths.database) as store:
        s = store.sessions.create("Counting words")
        store.messages.append(s.id, "user", "How do I count words in a string with Python?")
        store.messages.append(s.id, "assistant", "Split on whitespace and count: `len(text.split())`.", model=MODEL)
        store.messages.append(s.id, "user", "And each word separately?")
        store.messages.append(s.id, "assistant", "", status="interrupted", model=MODEL)
        store.messages.append(s.id, "user", "And each word separately, with Counter?")
        store.messages.append(
            s.id, "assistant", "Use `collections.Counter`:\n\n```python\nfrom collections import Counter\n", status="error",
            model=MODEL, error=FailedWith("stream_error", f"model '{MODEL}' stopped with an error: CUDA error: out of memory",
                                          "the model ran out of memory: try a smaller model or close other programs"))
        store.sessions.switch(s.id)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=settle)
