"""A turn can always be stopped, whatever it waits on, and the question is saved first.

Each dependency of a turn is made to hang: the database (a lock held by another
connection), the embedding call of the router, ``/api/show`` and ``/api/chat``
(which never sends its headers). Esc must free the app (a new message goes out)
and the question must be in the database.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, press_now, ready, type_text, wait_for
from wits_tui.ui.widgets.chat import AssistantMessage, ChatView

pytestmark = pytest.mark.anyio


def _questions(app_paths) -> list[str]:
    """What the database holds, read through a connection of our own."""
    with sqlite3.connect(app_paths.database, timeout=60) as conn:
        return [row[0] for row in conn.execute("select content from messages where role = 'user' order by id")]


async def _send(pilot, text: str) -> None:
    await type_text(pilot, text)
    await press_now(pilot, "enter")


async def _then_a_new_message_goes_out(pilot, server, app_paths) -> None:
    app = pilot.app
    app.prompt.clear()
    server.script(MODEL, Reply(text="back again"))
    await _send(pilot, "are you there?")
    await wait_for(pilot, lambda: "are you there?" in _questions(app_paths), what="the new question")
    await wait_for(pilot, lambda: not app.chat_screen.turns.running and any(
        a.text == "back again" for a in app.chat.query(AssistantMessage)), what="the new answer")


@pytest.mark.parametrize("path", ["/api/show", "/api/chat", "/api/embed"])
async def test_escape_frees_a_turn_whose_server_call_hangs(make_app, server, app_paths, path):
    server.hang_paths.add(path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await _send(pilot, "hello")
        # /api/show may have been asked (and be hanging) since start-up, for the models' facts: wait for
        # the question to be saved and the turn to be under way while the call hangs
        await wait_for(pilot, lambda: server.requests_to(path) and app.chat_screen.turns.running
                       and "hello" in _questions(app_paths), what=f"the turn to wait on {path}")
        await press_now(pilot, "escape")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="Esc to stop the turn")
        server.hang_paths.clear()
        await _then_a_new_message_goes_out(pilot, server, app_paths)
        assert _questions(app_paths) == ["hello", "are you there?"]


async def test_escape_frees_a_turn_waiting_for_a_locked_database(make_app, server, app_paths):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        locker = sqlite3.connect(app_paths.database, timeout=60, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")  # another process writing: the turn's first write waits
        try:
            await _send(pilot, "hello")
            await wait_for(pilot, lambda: app.chat_screen.turns.running, what="the turn")
            await press_now(pilot, "escape")
            await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="Esc to stop the turn")
            # not saved yet, so not lost either: it is back in the prompt
            await wait_for(pilot, lambda: app.prompt.text == "hello", what="the question back")
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        # the engine finishes its write once the database is free: the question is kept
        await wait_for(pilot, lambda: "hello" in _questions(app_paths), what="the question saved")
        await _then_a_new_message_goes_out(pilot, server, app_paths)


async def test_the_question_is_in_the_database_before_the_chat_shows_it(make_app, server, app_paths, monkeypatch):
    """A kill between Enter and the first frame loses nothing the person saw."""
    seen: list[tuple[str, list[str]]] = []
    show = ChatView.add_user

    async def add_user(self, text: str, *args, **kwargs) -> None:
        seen.append((text, _questions(app_paths)))
        await show(self, text, *args, **kwargs)

    monkeypatch.setattr(ChatView, "add_user", add_user)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await _send(pilot, "remember this")
        await wait_for(pilot, lambda: seen and not app.chat_screen.turns.running, what="the answer")
    assert seen == [("remember this", ["remember this"])]


async def test_a_turn_that_cannot_start_says_why_and_keeps_the_question(make_app, server, app_paths):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = app.chat_screen
        engine = app.engine

        def broken(*args, **kwargs):
            raise sqlite3.OperationalError("disk I/O error")

        engine.store.messages.append = broken  # the store cannot write
        await _send(pilot, "hello")
        await wait_for(pilot, lambda: app.prompt.text == "hello" and not screen.turns.running,
                       what="the question back in the prompt")
        assert any("disk I/O error" in str(n.message) for n in app._notifications)
