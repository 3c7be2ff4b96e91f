"""/help and the palette as people read them: whole descriptions, usage from one source."""

from __future__ import annotations

from tests.ui.conftest import ready, type_text, wait_for


def test_help_listing(snap_compare, make_app):
    async def help_open(pilot):
        app = await ready(pilot)
        await type_text(pilot, "/help")
        await pilot.press("enter")
        from wits_tui.ui.screens.listing import ListingScreen

        await wait_for(pilot, lambda: isinstance(app.screen, ListingScreen), what="the help listing")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=help_open)


def test_palette_lists_slash_commands(snap_compare, make_app):
    async def palette(pilot):
        from textual.command import CommandList, CommandPalette
        from textual.widgets import Input

        app = await ready(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*"/m")
        await wait_for(pilot, lambda: app.screen.query_one(CommandList).option_count >= 4, what="palette hits")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=palette)
