"""The session sidebar: one highlight, no pile of empty chats, Delete asks then deletes."""

from __future__ import annotations

import pytest

from tests.ui.conftest import ready, seed, wait_for
from wits_tui.ui.screens.confirm import ConfirmScreen
from wits_tui.ui.widgets.sidebar import SessionList

pytestmark = pytest.mark.anyio


def highlighted(app) -> int | None:
    option = app.query_one(SessionList).highlighted_option
    return None if option is None else int(option.id)


async def test_one_highlight_no_pile_of_empty_chats_and_delete_in_the_list(make_app, app_paths):
    cats = seed(app_paths, [("user", "about cats"), ("assistant", "cats are great")], title="Cats")
    dogs = seed(app_paths, [("user", "about dogs"), ("assistant", "dogs are loyal")], title="Dogs")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = app.chat_screen
        sidebar = app.query_one(SessionList)
        await pilot.press("ctrl+s", "down")  # move through the list: the cursor on Cats
        await wait_for(pilot, lambda: highlighted(app) == cats, what="the cursor on Cats")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.sessions.current.id not in (cats, dogs), what="the new session")
        fresh = screen.sessions.current.id
        # the open session is the highlighted one: no second highlight left on Cats
        await wait_for(pilot, lambda: sidebar.option_count == 3 and highlighted(app) == fresh, what="one highlight")
        await pilot.press("ctrl+n")  # again, still empty: the same session, not another "New chat"
        await wait_for(pilot, lambda: screen.sessions.current.id == fresh and sidebar.option_count == 3,
                       what="the empty session reused")

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: highlighted(app) == fresh, what="the list focused")
        await pilot.press("down", "down")  # Cats is the oldest, at the bottom
        await wait_for(pilot, lambda: highlighted(app) == cats, what="the cursor on Cats")
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        assert "Cats" in app.screen.question
        await pilot.press("y")
        await wait_for(pilot, lambda: sidebar.option_count == 2, what="Cats gone from the list")
        assert screen.sessions.current.id == fresh  # deleting another session keeps you where you are
        assert [s.id for s in app.engine.store.sessions.list()] == [fresh, dogs]
