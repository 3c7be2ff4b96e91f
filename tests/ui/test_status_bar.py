"""The status bar: a long title uses the room there is, figures belong to the session shown."""

from __future__ import annotations

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, ready, seed, type_text, wait_for

pytestmark = pytest.mark.anyio

TITLE = "Planning the migration of the billing service to the new event bus, step by step"


def label(app, name: str) -> str:
    return str(app.query_one(f"#status-{name}").content)


def shown(app, name: str) -> str:
    """What is on screen of the label (the CSS may cut it with an ellipsis)."""
    widget = app.query_one(f"#status-{name}")
    return "".join(seg.text for seg in widget.render_line(0))


async def test_a_long_title_is_whole_on_a_wide_screen_and_cut_with_an_ellipsis_on_a_narrow_one(make_app, app_paths):
    seed(app_paths, [("user", "hi"), ("assistant", "hello")], title=TITLE)
    app = make_app()
    async with app.run_test(size=(220, 40)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: TITLE in shown(app, "session"), what="the whole title")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: "…" in shown(app, "session"), what="the cut title")
        assert shown(app, "session").startswith("#1 Planning the")


async def test_figures_are_the_last_answers_and_go_with_another_session(make_app, server):
    server.script(MODEL, Reply(text="one two three four five six", tokens_per_second=200))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_text(pilot, "count")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "tok/s" in label(app, "speed") and not app.chat_screen.turns.running,
                       what="the answer's figures")
        assert "1,000,000" not in label(app, "speed")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: label(app, "speed") == "", what="a new session without figures")


async def test_a_narrow_bar_keeps_the_speed_whole_and_leaves_the_rest_to_tooltips(make_app, server):
    # At 80 columns the bar ran out of room: "400.0 tok" with the "/s" and the time to the first token cut off.
    server.script(MODEL, Reply(text="one two three four five six", tokens_per_second=200))
    question = "A long enough question to make a title that needs the room"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await type_text(pilot, question)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "tok/s" in label(app, "speed") and not app.chat_screen.turns.running,
                       what="the answer's figures")
        status = app.chat_screen.status
        speed = app.query_one("#status-speed")
        assert label(app, "speed").endswith("tok/s") and shown(app, "speed") == label(app, "speed")
        assert speed.region.right <= status.region.right  # on screen, not cut at the edge
        assert "first token" in str(speed.tooltip) and label(app, "health") == "● ollama"
        assert "0.12.0" in str(app.query_one("#status-health").tooltip)
        await pilot.resize_terminal(120, 40)
        await wait_for(pilot, lambda: "first token" in label(app, "speed"), what="the whole figures on a wide screen")
        assert "0.12.0" in label(app, "health")
