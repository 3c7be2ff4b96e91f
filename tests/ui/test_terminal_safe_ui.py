"""Terminal escape injection in the TUI (issue 21 item 6): a streamed answer, a stored answer
and a session title carrying the probe's payload reach the screen only as visible text."""

from __future__ import annotations

import pytest

from tests.fakes.ollama_server import Reply
from tests.test_terminal_safe import PAYLOAD
from tests.ui.conftest import MODEL, ready, seed, type_text, wait_for
from wits_tui.ui.widgets.chat import AssistantMessage

pytestmark = pytest.mark.anyio

UNSAFE = ("\x1b", "\x07", "\x9b")


async def test_a_streamed_answer_with_escape_sequences_is_shown_harmlessly(make_app, server):
    server.script(MODEL, Reply(text=PAYLOAD, token_delay=0.005))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_text(pilot, "say hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running and list(app.chat.query(AssistantMessage)), what="the answer")
        answer = list(app.chat.query(AssistantMessage))[-1]
        assert not any(c in answer.text for c in UNSAFE) and "␛]0;pwned-title␇" in answer.text
        screen = app.export_screenshot()
        assert "pwned-title" in screen and "\x1b" not in screen
        assert app.engine.store.messages.list(app.chat_screen.sessions.current.id)[-1].content == PAYLOAD  # stored as received


async def test_a_stored_answer_and_title_with_escape_sequences_are_shown_harmlessly(make_app, app_paths):
    seed(app_paths, [("user", "hi"), ("assistant", PAYLOAD)], title="evil \x1b]0;title\x07 \x1b[2J")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, healthy=None)
        await wait_for(pilot, lambda: list(app.chat.query(AssistantMessage)), what="the stored answer")
        answer = list(app.chat.query(AssistantMessage))[-1]
        assert not any(c in answer.text for c in UNSAFE) and "␛[2J" in answer.text
        assert not any(c in app.chat_screen.sessions.current.title for c in UNSAFE) and "␛]0;title␇" in app.chat_screen.sessions.current.title
