"""Replay in the TUI: pause, step, quit, /replay, and the SVG export of a session."""

from __future__ import annotations

import pytest

from tests.ui.conftest import ready, type_text, wait_for, wait_for_player_looks, wait_for_workers
from tests.ui.record_replay import load_fixture
from wits_tui.ui.widgets.chat import AssistantMessage, UserMessage

pytestmark = pytest.mark.anyio


def imported(paths, name: str) -> int:
    from wits_tui.engine.store import Store

    with Store(paths.database) as store:
        return load_fixture(name, store)


def shown(app) -> list[str]:
    return [w.text if isinstance(w, AssistantMessage) else str(w.content)
            for w in app.chat.query("UserMessage, AssistantMessage")]


async def test_pause_step_and_quit(make_app, app_paths):
    session_id = imported(app_paths, "routed_chat")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        # starts paused: no race between the first turn and the key that pauses it on a busy machine
        app.chat_screen.replay.start(session_id, speed=0.1, paused=True)
        await wait_for(pilot, lambda: app.chat_screen.replay.state is not None
                       and "paused" in str(app.query_one("#status-replay").content), what="the paused replay")
        assert app.chat_screen.replay.state.player.paused
        assert len(app.chat.query(UserMessage)) == 0  # nothing played yet
        await pilot.press("n")  # play the first turn, then wait
        await wait_for(pilot, lambda: app.chat_screen.replay.state.player.paused and len(app.chat.query(AssistantMessage)) == 1
                       and not app.chat.streaming, what="the first turn")
        await wait_for_player_looks(pilot, app.chat_screen.replay.state.player)
        assert len(app.chat.query(UserMessage)) == 1  # paused between turns
        await pilot.press("n")  # exactly one more turn
        await wait_for(pilot, lambda: len(app.chat.query(UserMessage)) == 2 and app.chat_screen.replay.state.player.paused
                       and not app.chat.streaming, what="one step")
        await wait_for_player_looks(pilot, app.chat_screen.replay.state.player)
        assert len(app.chat.query(UserMessage)) == 2
        await pilot.press("space")
        await wait_for(pilot, lambda: app.chat_screen.replay.state.done and not app.chat.streaming, what="the end")
        labels = [str(w.query_one(".route").content) for w in app.chat.query(AssistantMessage)]
        assert labels == ["code_expert · code 1.00 (keywords)", "math_expert · math 1.00 (keywords)",
                          "creative_expert · creative 0.99 (keywords)"]
        assert "replayed 3/3" in str(app.query_one("#status-replay").content)
        await pilot.press("q")
        assert app.chat_screen.replay.state is None and not app.prompt.disabled
        assert not app.query_one("#status-replay").has_class("-shown")
        # back to the stored session (replayed questions have no message id; stored ones do)
        await wait_for(pilot, lambda: [w.message_id is not None for w in app.chat.query(UserMessage)] == [True] * 3,
                       what="the stored session")


async def test_slash_replay_plays_this_session_again(make_app, app_paths, server):
    from tests.fakes.ollama_server import Reply
    from tests.ui.conftest import MODEL

    server.script(MODEL, Reply(text="Forty-two."))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_text(pilot, "What is the answer?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running and app.chat.query(AssistantMessage), what="the answer")
        await wait_for_workers(pilot)
        await app.chat.show_session(app.chat_screen.sessions.current.id, [], False)  # clear the pane: the replay must rebuild it
        await type_text(pilot, f"/replay {app.chat_screen.sessions.current.id} 0")
        app.prompt.menu.hide()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.chat_screen.replay.state is not None and app.chat_screen.replay.state.done and not app.chat.streaming,
                       what="the replay")
        assert shown(app) == ["What is the answer?", "Forty-two."]
        assert app.prompt.disabled
        await pilot.press("escape")
        assert app.chat_screen.replay.state is None


async def test_replay_with_nothing_recorded_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_text(pilot, "/replay")
        app.prompt.menu.hide()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "nothing recorded" in " ".join(str(n.content) for n in app.chat.query(".notice")),
                       what="the notice")
        assert app.chat_screen.replay.state is None


def test_session_svg_renders_the_chat(app_paths, settings):
    from wits_tui.ui.snapshot import session_svg

    session_id = imported(app_paths, "code_answer")
    svg = session_svg(app_paths, settings, session_id)
    assert svg.startswith("<svg") and "</svg>" in svg
    flat = svg.replace("&#160;", " ")
    for text in ("Parsing", "json.loads", "code_expert", "modules"):
        assert text in flat, text
