"""Each slash command driven through the TUI: typed at the prompt, result rendered."""

from __future__ import annotations

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, ready, seed, type_text, wait_for, wait_for_workers
from wits_tui.ui.screens.confirm import ConfirmScreen
from wits_tui.ui.screens.listing import ListingScreen
from wits_tui.ui.widgets.chat import AssistantMessage, Notice
from wits_tui.ui.widgets.sidebar import SessionList

pytestmark = pytest.mark.anyio


async def slash(pilot, text: str) -> None:
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.prompt.text == "", what=f"{text!r} to be taken from the prompt")


def notices(app) -> list[str]:
    return [str(n.content) for n in app.chat.query(Notice)]


async def last_notice(pilot) -> str:
    await wait_for_workers(pilot, "slash")
    await wait_for(pilot, lambda: notices(pilot.app), what="a notice")
    return notices(pilot.app)[-1]


async def test_new_rename_and_the_sidebar(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        first = app.chat_screen.sessions.current.id
        await slash(pilot, "/new Trip plans")
        await wait_for(pilot, lambda: app.chat_screen.sessions.current.id != first, what="the new session")
        assert app.chat_screen.sessions.current.title == "Trip plans"
        await slash(pilot, "/rename Holiday")
        await wait_for(pilot, lambda: app.chat_screen.sessions.current.title == "Holiday", what="the rename")
        sidebar = app.query_one(SessionList)
        await wait_for(pilot, lambda: "Holiday" in str(sidebar.get_option_at_index(0).prompt), what="sidebar")
        assert sidebar.option_count == 2
        assert app.prompt.text == ""


async def test_sessions_listing_opens_the_chosen_session(make_app, app_paths):
    other = seed(app_paths, [("user", "about cats"), ("assistant", "cats are great")], title="Cats")
    seed(app_paths, [], title="Dogs")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await slash(pilot, "/sessions")
        await wait_for(pilot, lambda: isinstance(app.screen, ListingScreen), what="the listing")
        await pilot.press("down", "enter")  # the second row: Cats (newest first)
        await wait_for(pilot, lambda: app.chat_screen.sessions.current.id == other, what="the switch")
        assert [a.text for a in app.chat.query(AssistantMessage)] == ["cats are great"]


async def test_switch_by_title_and_unknown(make_app, app_paths):
    other = seed(app_paths, [("user", "q")], title="Research")
    seed(app_paths, [], title="Now")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await slash(pilot, "/switch resea")
        await wait_for(pilot, lambda: app.chat_screen.sessions.current.id == other, what="the switch")
        await slash(pilot, "/switch nowhere")
        assert "no session 'nowhere'" in await last_notice(pilot)


async def test_delete_asks_first(make_app, app_paths):
    seed(app_paths, [("user", "keep?")], title="Doomed")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await slash(pilot, "/delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("n")
        assert "kept the session" in await last_notice(pilot)
        await slash(pilot, "/delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.chat_screen.sessions.current.title == "New chat", what="a fresh session")
        assert [s.title for s in app.engine.store.sessions.list()] == ["New chat"]


async def test_clear_empties_the_pane(make_app, app_paths):
    seed(app_paths, [("user", "q"), ("assistant", "a")], title="Chat")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.chat.query(AssistantMessage)
        await slash(pilot, "/clear")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.chat.query("#welcome"), what="an empty pane")
        assert app.engine.store.messages.count(app.chat_screen.sessions.current.id) == 0


async def test_history_row_goes_back_into_the_prompt(make_app, app_paths):
    from wits_tui.engine.store import Store

    with Store(app_paths.database) as store:
        store.history.add("an old question")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await slash(pilot, "/history 5")
        await wait_for(pilot, lambda: isinstance(app.screen, ListingScreen), what="the listing")
        await pilot.press("down", "enter")  # row 0 is "/history 5" itself
        await wait_for(pilot, lambda: app.prompt.text == "an old question", what="the prompt")


async def test_search_opens_the_session_at_the_message(make_app, app_paths):
    other = seed(app_paths, [("user", f"filler {i}") for i in range(80)] + [("assistant", "the zanzibar answer")]
                 + [("user", f"later {i}") for i in range(80)], title="Old")
    seed(app_paths, [], title="Current")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await slash(pilot, "/search zanzibar")
        await wait_for(pilot, lambda: isinstance(app.screen, ListingScreen), what="results")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.chat_screen.sessions.current.id == other, what="the session")
        found = await wait_for(pilot, lambda: app.chat.query(".-found"), what="the message")
        assert found.first().text == "the zanzibar answer"
        await wait_for(pilot, lambda: app.chat.region.overlaps(found.first().region), what="the message in view")
        region = found.first().region
        assert app.chat.region.contains_region(region) or app.chat.region.overlaps(region)


async def test_model_pull_and_retry(make_app, server):
    server.add_pullable("tinyllama:1b")
    server.script(MODEL, Reply(text="first"))
    server.script(MODEL, Reply(text="second"))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await slash(pilot, "/model nothere:7b")  # refused: not installed
        assert "/pull nothere:7b" in await last_notice(pilot)
        assert "nothere" not in str(app.query_one("#status-model").content)
        await slash(pilot, f"/model {MODEL}")
        await type_text(pilot, "hi")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running and app.chat.query(AssistantMessage), what="answer")
        await slash(pilot, "/retry")
        await wait_for(pilot, lambda: any(a.text == "second" for a in app.chat.query(AssistantMessage)), what="retry")
        await slash(pilot, "/pull tinyllama:1b")
        await wait_for(pilot, lambda: "pulled tinyllama:1b" in notices(app), what="pull result")
        assert "tinyllama:1b" in [m.name for m in server.list_models()] if hasattr(server, "list_models") else True
        await slash(pilot, "/pull nosuchmodel:1b")
        await wait_for(pilot, lambda: any("pull nosuchmodel:1b failed" in n for n in notices(app)), what="failure")


async def test_the_model_listing_fits_a_wide_terminal_without_wrapping(make_app, server):
    # Columns were squeezed to one width when they did not all fit at their widest: model names wrapped
    # ("qwen2.5-co / der:7b") beside half-empty size and family columns.
    server.add_model("qwen2.5-coder:7b", capabilities=["completion", "tools"], family="qwen2")
    server.add_model("deepseek-r1:14b", capabilities=["completion", "thinking"], family="qwen2", loaded=True)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await slash(pilot, "/model")
        await wait_for(pilot, lambda: isinstance(app.screen, ListingScreen), what="the model listing")
        from textual.widgets import DataTable

        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count >= 3, what="the rows")
        assert [row.height for row in table.ordered_rows] == [1] * table.row_count
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ListingScreen), what="the listing to close")
        await pilot.resize_terminal(80, 30)
        await slash(pilot, "/model")  # reopened at 80 columns: wrapped, but every column inside the dialog
        await wait_for(pilot, lambda: isinstance(app.screen, ListingScreen) and app.screen.query(DataTable)
                       and app.screen.query_one(DataTable).row_count >= 3, what="the model listing at 80 columns")
        table = app.screen.query_one(DataTable)
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert used <= table.size.width - table.styles.scrollbar_size_vertical
        # the model names stay whole: the family and quantisation columns make room, and the dialog says so
        assert [str(c.label) for c in table.columns.values()] == ["model", "size", "context", "can", "loaded"]
        names = [table.get_row_at(i)[0].plain.strip() for i in range(table.row_count)]
        assert "qwen2.5-coder:7b" in names and "deepseek-r1:14b" in names
        model_column = next(iter(table.columns.values()))
        assert model_column.get_render_width(table) - 2 * table.cell_padding >= max(len(n) + 2 for n in names)
        assert "family, quant hidden at this width" in str(app.screen.query_one(".dialog-help").content)


def test_column_widths_narrow_the_widest_first_and_keep_room_for_the_description():
    from wits_tui.ui.screens.listing import column_widths

    assert column_widths([17, 6, 6, 7, 26], 88) == [17, 6, 6, 7, 26]  # all fit: as wide as their cells
    narrowed = column_widths([17, 6, 6, 6, 7, 16, 26], 70)
    assert narrowed[1:5] == [6, 6, 6, 7] and narrowed[-1] == 26 and sum(narrowed) <= 70  # the widest wrap, not the rest
    assert column_widths([45, 80], 88) == [39, 49]  # a long usage line wraps; the description keeps 55%
    tight = column_widths([18, 6, 6, 6, 7, 15, 25], 50)  # 7 columns in an 80-column terminal's dialog
    assert sum(tight) <= 50 and tight[1:5] == [6, 6, 6, 7]  # all visible (wrapped), none cut off at the edge
    assert column_widths([18, 6, 6, 6, 7, 8, 6], 50)[-1] == 6  # a narrow last column is never widened
    # a kept column (a model's name) is narrowed only when the others at their narrowest do not make room
    assert column_widths([18, 6, 7, 15, 25], 67, keep=[0]) == [18, 6, 7, 11, 25]
    assert column_widths([18, 6, 7, 15, 25], 67) == [14, 6, 7, 14, 25]
    assert column_widths([30, 20, 20, 25], 50, keep=[0]) == column_widths([30, 20, 20, 25], 50)


def test_optional_columns_are_left_out_in_order_until_the_rest_fit():
    from wits_tui.ui.screens.listing import shown_columns

    room = lambda n: 80 - 2 * n  # noqa: E731 - each column's padding takes room too
    assert shown_columns([18, 6, 6, 6, 7, 15, 25], (2, 3), room) == [0, 1, 4, 5, 6]  # 83 > 66, 77 > 68, 71 > 70
    assert shown_columns([18, 6, 6, 6, 7, 10, 20], (2, 3), room) == [0, 1, 3, 4, 5, 6]  # one is enough
    assert shown_columns([10, 6, 6], (1,), room) == [0, 1, 2]  # all fit: all shown


async def test_export_and_theme_and_help_and_unknown(make_app, app_paths, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    seed(app_paths, [("user", "q"), ("assistant", "a")], title="Export me")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await slash(pilot, "/export json")
        assert f"exported session {app.chat_screen.sessions.current.id} to" in await last_notice(pilot)
        assert (tmp_path / f"wits-session-{app.chat_screen.sessions.current.id}.json").exists()
        await slash(pilot, "/theme wits-light")
        await wait_for(pilot, lambda: app.theme == "wits-light", what="the theme")
        await wait_for(pilot, lambda: app.engine.store.state.get("theme") == "wits-light", what="persisted")
        await slash(pilot, "/theme")
        await wait_for(pilot, lambda: any(n.startswith("theme: wits-light; themes:") for n in notices(app)),
                       what="the theme in use named")
        await slash(pilot, "/frobnicate")
        assert "unknown command /frobnicate" in await last_notice(pilot)
        await slash(pilot, "/help")
        await wait_for(pilot, lambda: isinstance(app.screen, ListingScreen), what="help")
        await pilot.press("escape")


async def test_completion_menu_as_you_type(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("slash", "t", "h", "e")  # "/th" is /think or /theme
        menu = app.prompt.menu
        await wait_for(pilot, lambda: menu.display and menu.option_count == 1, what="completions")
        await pilot.press("tab")
        assert app.prompt.text == "/theme "
        await pilot.press("w", "i", "t", "s", "-", "h")
        await wait_for(pilot, lambda: menu.display and menu.option_count == 1, what="theme completions")
        await pilot.press("tab")
        assert app.prompt.text == "/theme wits-high-contrast"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "wits-high-contrast", what="the theme")


async def test_a_pull_stopped_with_escape_says_stopped_not_failed(make_app, server):
    server.add_pullable("bigllama:70b", pull_delay=5, pull_steps=50)  # minutes of progress: Esc comes first
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await slash(pilot, "/pull bigllama:70b")
        await wait_for(pilot, lambda: app.chat_screen.pull.running and app.chat_screen.job.display,
                       what="the pull under way")
        await pilot.press("escape")
        await wait_for(pilot, lambda: any("pull bigllama:70b stopped" in n for n in notices(app)), what="stopped")
        assert not any("failed" in n for n in notices(app))


async def test_keys_typed_during_commands_are_queued_in_order(make_app, server, app_paths):
    """Everything typed at once, as from a busy terminal or tmux send-keys: nothing merged, nothing lost."""
    from textual import events

    one = seed(app_paths, [], title="One")
    two = seed(app_paths, [], title="Two")
    server.script(MODEL, Reply(text="hi from two"))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.prompt.focus()
        for ch in f"/switch {one}\r/switch {two}\rhello\r":
            key = "enter" if ch == "\r" else ("slash" if ch == "/" else ("space" if ch == " " else ch))
            app.post_message(events.Key(key, ch))
        await wait_for(pilot, lambda: server.requests_to("/api/chat"), what="hello to be sent")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="the answer")
        assert [m.content for m in app.engine.store.messages.list(two)][0] == "hello"
        assert app.engine.store.messages.list(one) == []
        assert not any("no session" in n for n in notices(app)) and app.prompt.text == ""
