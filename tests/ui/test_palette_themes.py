"""The command palette's providers, themes as data files, key remapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import make_settings, ready, seed, type_in_palette, wait_for
from wits_tui.ui.themes import BUNDLED, load_theme, load_themes

pytestmark = pytest.mark.anyio


async def palette_search(pilot, query: str) -> list[str]:
    from textual.command import CommandList, CommandPalette

    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    await type_in_palette(pilot, query)
    options = app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_palette_finds_sessions_models_themes_and_commands(make_app, app_paths):
    other = seed(app_paths, [("user", "x")], title="Gardening")
    seed(app_paths, [], title="Now")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        found = await palette_search(pilot, "garden")
        assert any("Gardening" in f for f in found), found
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.chat_screen.sessions.current.id == other, what="the session to open")

        found = await palette_search(pilot, "llama3.2")
        assert any("Use model: llama3.2:1b" in f for f in found), found
        await pilot.press("escape")

        found = await palette_search(pilot, "wits-light")
        assert any("Theme: wits-light" in f for f in found), found
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "wits-light", what="the theme")

        found = await palette_search(pilot, "/rename")
        assert any("/rename" in f for f in found), found
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.prompt.text == "/rename ", what="the prompt to be filled")


def test_bundled_themes_are_data_files_and_load():
    themes, problems = load_themes(None)
    assert problems == []
    assert set(BUNDLED) <= set(themes)
    assert themes["wits-light"].dark is False and themes["wits-dark"].dark is True


def test_user_themes_add_and_bad_files_are_reported(tmp_path: Path):
    (tmp_path / "mine.toml").write_text('name = "mine"\nprimary = "#ff0000"\n')
    (tmp_path / "broken.toml").write_text('primary = "#ff0000"\ncolour = "x"\n')
    themes, problems = load_themes(tmp_path)
    assert "mine" in themes and "broken" not in themes
    assert len(problems) == 1 and "colour" in problems[0] and "broken.toml" in problems[0]
    with pytest.raises(ValueError, match="primary"):
        (tmp_path / "empty.toml").write_text('name = "e"\n')
        load_theme(tmp_path / "empty.toml")


async def test_saved_theme_and_user_theme_are_used_at_start(app_paths, server):
    from wits_tui.engine.peek import saved_theme
    from wits_tui.engine.store import Store
    from wits_tui.ui.app import WitsApp

    assert saved_theme(app_paths.database) is None
    app_paths.user_themes_dir.mkdir(parents=True)
    (app_paths.user_themes_dir / "sunset.toml").write_text('name = "sunset"\nprimary = "#ff8800"\ndark = true\n')
    with Store(app_paths.database) as store:
        store.state.set("theme", "sunset")
    app = WitsApp(app_paths, make_settings(server.host), initial_theme=saved_theme(app_paths.database))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.theme == "sunset"


async def test_keymap_from_settings_remaps_a_binding(app_paths, server):
    from wits_tui.ui.app import WitsApp
    from wits_tui.ui.widgets.sidebar import Sidebar

    settings = make_settings(server.host)
    settings.keymap = {"toggle_sidebar": "f5"}
    app = WitsApp(app_paths, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        sidebar = app.query_one(Sidebar)
        await pilot.press("ctrl+b")
        assert sidebar.display  # the old key no longer does it
        await pilot.press("f5")
        assert not sidebar.display
        await pilot.press("f5")
        assert sidebar.display


def test_every_binding_has_an_id():
    from wits_tui.ui.app import WitsApp
    from wits_tui.ui.screens.confirm import ConfirmScreen
    from wits_tui.ui.screens.listing import ListingScreen
    from wits_tui.ui.widgets.prompt import PromptInput

    for owner in (WitsApp, PromptInput, ConfirmScreen, ListingScreen):
        for binding in owner.BINDINGS:
            assert binding.id, f"{owner.__name__}: {binding.key} has no id"


async def test_themes_changed_in_quick_succession_end_in_the_last_one(make_app, app_paths):
    # A theme change restyles a stretch at a time (wits_tui.ui.restyle); a second change
    # before the first is done replaces it, and the screen ends in the second theme's colours.
    from textual.color import Color

    seed(app_paths, [("user", "how?"), ("assistant", "## Steps\n\n- one\n- two\n")], title="answers")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        dark = Color.parse(app.get_theme("wits-dark").background)
        light = Color.parse(app.get_theme("wits-light").background)
        assert app.screen.styles.background == dark
        app.theme = "wits-light"
        app.theme = "wits-dark"
        app.theme = "wits-light"
        await wait_for(pilot, lambda: not any(w.name == "restyle" and not w.is_finished for w in app.workers),
                       timeout=60, what="the restyle")
        await pilot.pause()
        assert app.screen.styles.background == light
        assert app._batch_count == 0  # frames are drawn again
