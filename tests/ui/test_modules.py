"""The module bar, switching keys, /module, feedback and the routed label."""

from __future__ import annotations

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, ready, type_text, wait_for
from wits_tui.ui.widgets.chat import AssistantMessage

pytestmark = pytest.mark.anyio


async def bar_ready(pilot):
    app = await ready(pilot)
    await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
    return app


def active(app) -> list[str]:
    return [getattr(label, "module_name", "auto") for label in app.chat_screen.module_bar.query(".module.-active")]


def stored_pin(app):
    return app.engine.store.sessions.get(app.chat_screen.sessions.current.id).pinned_module


async def test_keys_pin_cycle_and_return_to_auto(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await bar_ready(pilot)
        assert active(app) == ["auto"]
        await pilot.press("ctrl+2")
        # shown at once, before the worker has pinned anything
        assert active(app) == ["math_expert"]
        await wait_for(pilot, lambda: stored_pin(app) == "math_expert", what="the pin")
        await pilot.press("alt+1")
        assert active(app) == ["code_expert"]
        await pilot.press("f4")
        assert active(app) == ["math_expert"]
        await pilot.press("ctrl+0")
        assert active(app) == ["auto"]
        await wait_for(pilot, lambda: stored_pin(app) is None, what="auto")


async def test_routed_label_and_plus_minus_feedback(make_app, server):
    server.script(MODEL, Reply(text="Use `sorted(words, key=len)`."))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await bar_ready(pilot)
        await type_text(pilot, "Write a python function that sorts words by length")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running and app.chat.query(AssistantMessage), what="the answer")
        answer = app.chat.query(AssistantMessage).last()
        assert str(answer.query_one(".route").content).startswith("code_expert · code ")
        app.chat.focus()
        await pilot.press("plus")
        await wait_for(pilot, lambda: app.engine.router.profile().feedback_positive == 1, what="good feedback")
        answer.focus()
        await pilot.press("minus")
        await wait_for(pilot, lambda: app.engine.router.profile().feedback_negative == 1, what="bad feedback")
        assert app.engine.router.profile().module_prefs.get("code_expert") is not None
        # a prompt with + in it is text, not feedback
        app.prompt.focus()
        await pilot.press("plus")
        assert app.prompt.text == "+"


def type_keys(app, text: str) -> None:
    """Characters as a terminal sends them (Pilot.press drops those without a key name)."""
    from textual import events
    from textual.keys import _character_to_key

    for ch in text:
        app.post_message(events.Key(_character_to_key(ch), ch))


async def test_characters_stay_characters_unless_the_option_key_preset_is_on(make_app, settings):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await bar_ready(pilot)
        type_keys(app, "costs £5 · 1º piso ™")  # £ is Alt+3 and º Alt+0 in tmux, typed on UK / Iberian keyboards
        prompt = app.chat_screen.prompt
        await wait_for(pilot, lambda: prompt.text == "costs £5 · 1º piso ™", what="the typed text")
        assert active(app) == ["auto"] and stored_pin(app) is None

    opted = settings.model_copy(update={"ui": settings.ui.model_copy(update={"option_digit_module_keys": True})})
    app = make_app(settings=opted)
    async with app.run_test(size=(120, 40)) as pilot:
        await bar_ready(pilot)
        type_keys(app, "™")  # what Alt+2 arrives as in tmux and xterm
        await wait_for(pilot, lambda: active(app) == ["math_expert"], what="module 2 shown")
        await wait_for(pilot, lambda: stored_pin(app) == "math_expert", what="the pin")
        assert app.chat_screen.prompt.text == ""
        type_keys(app, "º")
        await wait_for(pilot, lambda: active(app) == ["auto"], what="auto again")


@pytest.mark.parametrize("width", [80, 104, 120, 200])
async def test_every_module_of_the_bar_shows_at_any_width(make_app, server, width):
    # Every module's model loaded (a dot each) and the sidebar open from 100 columns: the full
    # names did not fit at 104 and "6 base" was cut off; the bar abbreviates by its own width.
    server.add_model(MODEL, capabilities=["completion"], family="llama", parameter_size="1.2B", loaded=True)
    app = make_app()
    async with app.run_test(size=(width, 30)) as pilot:
        await bar_ready(pilot)
        bar = app.chat_screen.module_bar
        await wait_for(pilot, lambda: "●" in str(bar.query(".module.-named").last().content), what="the loaded dots")
        await wait_for(pilot, lambda: all(label.region.width for label in bar.query(".module")), what="the bar laid out")
        labels = list(bar.query(".module"))
        assert len(labels) == 7 and labels[-1].region.right <= bar.content_region.right
        assert bar.compact == (bar.full_width() > bar.outer_size.width)
        assert bar.compact == (width < 120)
