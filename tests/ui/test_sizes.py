"""The same conversation at 60x20, 80x24, 120x40 and 200x50: below 100 columns the sidebar
hides itself (Ctrl+B shows it over the chat) and the module bar abbreviates."""

from __future__ import annotations

import pytest

from tests.ui.conftest import ready, seed, wait_for
from tests.ui.test_snapshots import CONVERSATION


async def settled(pilot) -> None:
    app = await ready(pilot)
    await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
    await pilot.pause()


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_sizes(snap_compare, make_app, app_paths, size):
    seed(app_paths, CONVERSATION, title="Counting words")
    assert snap_compare(make_app(), terminal_size=size, run_before=settled)


def test_narrow_sidebar_shows_over_the_chat(snap_compare, make_app, app_paths):
    seed(app_paths, CONVERSATION, title="Counting words")

    async def shown(pilot):
        await settled(pilot)
        assert not pilot.app.chat_screen.sidebar.display
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: pilot.app.chat_screen.sidebar.display, what="the sidebar")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=shown)
