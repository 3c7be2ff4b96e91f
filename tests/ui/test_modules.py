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
