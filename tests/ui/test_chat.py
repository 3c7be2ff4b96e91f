"""Sending, streaming, stopping, errors and recovery, against the scripted Ollama server."""

from __future__ import annotations

import threading

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, make_settings, notified, press_now, ready, seed, type_text, wait_for, wait_for_workers
from wits_tui.ui.widgets.chat import AssistantMessage, UserMessage
from wits_tui.ui.widgets.error_card import ErrorCard

pytestmark = pytest.mark.anyio


def _answers(app):
    return list(app.chat.query(AssistantMessage))


async def test_send_streams_the_answer_and_stores_it(make_app, server):
    server.script(MODEL, Reply(text="Here is code:\n\n```python\nprint('hi')\n```\n\nDone.", token_delay=0.01))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_text(pilot, "show me code")
        await pilot.press("enter")
        assert app.prompt.text == ""
        await wait_for(pilot, lambda: not app.chat_screen.turns.running and _answers(app), what="the answer")
        answer = _answers(app)[-1]
        assert answer.text.endswith("Done.") and answer.status == "complete"
        assert answer.message_id is not None
        # the final text was set once the stream ended: the fence is in the document
        assert "print('hi')" in answer.markdown.source
        stored = app.engine.store.messages.list(app.chat_screen.sessions.current.id)
        assert [(m.role, m.status) for m in stored] == [("user", "complete"), ("assistant", "complete")]
        assert "tok/s" in str(app.query_one("#status-speed").content)
        # the title was made from the first message and the sidebar shows it
        await wait_for(pilot, lambda: app.chat_screen.sessions.current.title == "show me code", what="the title")


async def test_escape_stops_the_answer_and_keeps_what_arrived(make_app, server):
    # hangs after 30 words (until Esc): however busy the machine, the answer is still coming
    server.script(MODEL, Reply(text="one two three four five six seven eight nine ten " * 20, token_delay=0.05,
                               hang_after=30))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_text(pilot, "count")
        await press_now(pilot, "enter")
        await wait_for(pilot, lambda: _answers(app) and "three" in (app.chat._live.text if app.chat._live else ""),
                       what="some tokens")
        await press_now(pilot, "escape")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="the turn to stop")
        await wait_for_workers(pilot)
        answer = _answers(app)[-1]
        assert answer.status == "interrupted"
        assert "three" in answer.text and len(answer.text) < len("one two three four five six seven eight nine ten " * 200)
        assert "interrupted" in str(answer.query_one(".status-line").content)
        stored = app.engine.store.messages.list(app.chat_screen.sessions.current.id)
        assert stored[-1].role == "assistant" and stored[-1].status == "interrupted"


async def test_typing_works_while_an_answer_streams(make_app, server):
    server.script(MODEL, Reply(text="word " * 200, token_delay=0.01, hang_after=20))  # still coming until Esc
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_text(pilot, "go")
        await press_now(pilot, "enter")
        await wait_for(pilot, lambda: app.chat._live and app.chat._live.text, what="streaming")
        await press_now(pilot, "h", "i")
        await wait_for(pilot, lambda: app.prompt.text == "hi", what="the typed text")
        assert app.chat_screen.turns.running
        # a second send while streaming waits in the queue (tests/ui/test_queue.py), not sent yet
        await press_now(pilot, "enter")
        await wait_for(pilot, lambda: [i.text for i in app.chat_screen.queue.items] == ["hi"], what="the queued message")
        assert app.prompt.text == "" and not notified(app, "An answer is still coming")
        assert len(server.requests_to("/api/chat")) == 1
        await press_now(pilot, "escape")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running and app.chat_screen.queue.held, what="stop")
        assert len(server.requests_to("/api/chat")) == 1  # held after Esc, not sent


async def test_error_card_then_retry(make_app, server):
    server.script(MODEL, Reply(status=500, error="model runner has unexpectedly stopped"))
    server.script(MODEL, Reply(text="Second time lucky."))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_text(pilot, "hello")
        await pilot.press("enter")
        card = await wait_for(pilot, lambda: app.chat.query(ErrorCard).first() if app.chat.query(ErrorCard) else None,
                              what="the error card")
        assert card.error_type == "server_error"
        assert card.hint
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="the turn to end")
        await pilot.click("#retry")
        await wait_for(pilot, lambda: any(a.text == "Second time lucky." for a in _answers(app)), what="the retry")
        assert not app.chat.query(ErrorCard)
        users = [m for m in app.engine.store.messages.list(app.chat_screen.sessions.current.id) if m.role == "user"]
        assert len(users) == 1  # retry answers the same message again


async def test_fallback_shows_a_one_line_notice(app_paths, server):
    from wits_tui.ui.app import WitsApp

    server.add_model("qwen2.5:3b", capabilities=["completion"])
    server.script("qwen2.5:3b", Reply(text="From the fallback."))
    settings = make_settings(server.host)
    settings.chat.default_model = "missing:1b"
    settings.chat.fallback_models = ["qwen2.5:3b"]
    app = WitsApp(app_paths, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_text(pilot, "hi")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(a.text == "From the fallback." for a in _answers(app)), what="fallback answer")
        notes = [str(n.content) for n in app.chat.query(".notice")]
        assert any("missing:1b" in n and "qwen2.5:3b" in n for n in notes), notes


async def test_ollama_down_then_up(app_paths, server):
    from wits_tui.ui.app import WitsApp

    port = server.port
    server.stop()
    app = WitsApp(app_paths, make_settings(f"http://127.0.0.1:{port}"))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, healthy=False)
        assert "down" in str(app.query_one("#status-health").content)
        setup = app.chat_screen.setup_card
        assert setup.display and "ollama serve" in str(setup.content) and f"127.0.0.1:{port}" in str(setup.content)
        # usable while down: a message gets an error card, and the message is kept
        await type_text(pilot, "are you there?")
        await pilot.press("enter")
        card = await wait_for(pilot, lambda: app.chat.query(ErrorCard).first() if app.chat.query(ErrorCard) else None,
                              what="the error card")
        assert card.error_type == "connection"
        assert app.engine.store.messages.list(app.chat_screen.sessions.current.id)[0].content == "are you there?"
        server.start()  # same port
        await wait_for(pilot, lambda: app.health.ok, what="recovery")
        assert "0.12.0" in str(app.query_one("#status-health").content)
        assert not setup.display  # the normal view once the server answers


async def test_a_default_model_that_is_not_installed_is_said_at_start(app_paths, server):
    from wits_tui.ui.app import WitsApp

    settings = make_settings(server.host)
    settings.chat.default_model = "llama3.2"  # only llama3.2:1b is installed
    app = WitsApp(app_paths, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        note = await wait_for(pilot, lambda: next((str(n.content) for n in app.chat.query(".notice")
                                                    if "not installed" in str(n.content)), None),
                              what="the missing-model notice")
        assert "the default model 'llama3.2' is not installed" in note and "llama3.2:1b" in note
        assert "/pull llama3.2" in note and "chat.default_model" in note
        assert not app.chat_screen.setup_card.display


def _missing_notes(app) -> list[str]:
    return [str(n.content) for n in app.chat.query(".notice") if "not installed" in str(n.content)]


async def _model_checked(pilot, model: str) -> None:
    """Wait until ``model`` was looked for and the look-up is over (its notice, if any, is shown)."""
    health = pilot.app.chat_screen.health
    await wait_for(pilot, lambda: model in health.checked_models, what=f"{model} to be looked for")
    await wait_for_workers(pilot, "model-check")


async def test_a_chat_with_its_own_installed_model_is_not_told_about_the_default(app_paths, server):
    """The default model matters for the chat that uses it: a chat with its own installed model
    opens quietly, and a new chat (which uses the default) says the default is missing."""
    from wits_tui.engine.store import Store
    from wits_tui.ui.app import WitsApp

    with Store(app_paths.database) as store:
        store.sessions.switch(store.sessions.create("mine", model=MODEL).id)
    settings = make_settings(server.host)
    settings.chat.default_model = "llama3.2"  # only llama3.2:1b is installed
    app = WitsApp(app_paths, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await _model_checked(pilot, MODEL)
        assert _missing_notes(app) == []
        await pilot.press("ctrl+n")
        note = await wait_for(pilot, lambda: next(iter(_missing_notes(app)), None), what="the missing-model notice")
        assert "the default model 'llama3.2' is not installed" in note and app.chat_screen.sessions.current.model is None


async def test_a_chat_whose_own_model_is_gone_says_so(app_paths, server):
    from wits_tui.engine.store import Store
    from wits_tui.ui.app import WitsApp

    with Store(app_paths.database) as store:
        store.sessions.switch(store.sessions.create("old", model="mistral:7b").id)
    app = WitsApp(app_paths, make_settings(server.host))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        note = await wait_for(pilot, lambda: next(iter(_missing_notes(app)), None), what="the missing-model notice")
        assert "this chat's model 'mistral:7b' is not installed" in note and "/model NAME" in note
        assert "default" not in note
        await pilot.press("ctrl+n")  # a new chat uses the default, which is installed
        await _model_checked(pilot, MODEL)
        assert _missing_notes(app) == []


async def test_history_recall_with_up_and_down(make_app, app_paths):
    from wits_tui.engine.store import Store

    with Store(app_paths.database) as store:
        store.history.add("first thing")
        store.history.add("second thing")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_text(pilot, "draft")
        await pilot.press("up")
        assert app.prompt.text == "second thing"
        await pilot.press("up")
        assert app.prompt.text == "first thing"
        await pilot.press("up")
        assert app.prompt.text == "first thing"
        await pilot.press("down", "down")
        assert app.prompt.text == "draft"


async def test_ctrl_j_adds_a_line_and_enter_sends_both(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("a", "ctrl+j", "b")
        assert app.prompt.text == "a\nb"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.chat.query(UserMessage), what="the message")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="the answer")
        assert app.engine.store.messages.list(app.chat_screen.sessions.current.id)[0].content == "a\nb"


async def test_long_session_loads_the_tail_then_older_on_scroll(make_app, app_paths):
    from wits_tui.ui.controllers.sessions import TAIL

    seed(app_paths, [("user" if i % 2 == 0 else "assistant", f"message {i}") for i in range(300)], title="long")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        shown = lambda: [w for w in app.chat.children if getattr(w, "message_id", None)]  # noqa: E731
        assert len(shown()) == TAIL
        app.chat.scroll_home(animate=False)
        await wait_for(pilot, lambda: len(shown()) == 2 * TAIL, what="older messages")
        # kept the place instead of jumping to the very top (which would load more at once)
        await wait_for(pilot, lambda: app.chat.scroll_y > 20, what="the scroll position to be kept")
        await wait_for_workers(pilot)
        assert len(shown()) == 2 * TAIL


async def test_switching_sessions_while_streaming(make_app, server, app_paths):
    other = seed(app_paths, [("user", "old question"), ("assistant", "old answer")], title="other")
    seed(app_paths, [], title="current")
    held = threading.Event()  # the answer stops after 5 tokens until the switches are done, however busy the machine
    server.script(MODEL, Reply(text="tick " * 60, token_delay=0.02, hold_after=5, hold=held))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            await ready(pilot)
            current = app.chat_screen.sessions.current.id
            await type_text(pilot, "stream please")
            await press_now(pilot, "enter")
            await wait_for(pilot, lambda: app.chat._live and app.chat._live.text, what="streaming")
            app.chat_screen.sessions.open(other)
            await wait_for(pilot, lambda: app.chat_screen.sessions.current.id == other, what="the switch")
            # the pane fills after the switch: wait for it, not for a guessed moment
            await wait_for(pilot, lambda: [a.text for a in _answers(app)] == ["old answer"], what="the other session shown")
            app.chat_screen.sessions.open(current)
            await wait_for(pilot, lambda: app.chat_screen.sessions.current.id == current, what="switching back")
        finally:
            held.set()
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="the end")
        await wait_for(pilot, lambda: not app.chat.streaming, what="the answer to be final")
        await wait_for_workers(pilot)
        assert _answers(app)[-1].text.strip() == ("tick " * 60).strip()
