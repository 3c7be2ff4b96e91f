"""What people see: SVG snapshots at a fixed size with the cursor blink off.

Update with ``uv run pytest tests/ui --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, ready, seed, type_in_palette, type_text, wait_for, wait_for_workers
from wits_tui.ui.widgets.error_card import ErrorCard

SIZE = (120, 40)

CONVERSATION = [
    ("user", "How do I count words in a string with Python?"),
    ("assistant",
     "Split on whitespace and count with a dictionary:\n\n"
     "```python\ndef count_words(text: str) -> dict[str, int]:\n"
     "    counts: dict[str, int] = {}\n"
     "    for word in text.lower().split():\n"
     "        counts[word] = counts.get(word, 0) + 1\n"
     "    return counts\n```\n\n"
     "- It makes **one pass** over the text.\n"
     "- `collections.Counter` does the same in one line."),
    ("user", "Thanks!"),
    ("assistant", "You're welcome. Ask again any time."),
]


async def settle(pilot) -> None:
    app = await ready(pilot)
    await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
    await wait_for_workers(pilot)


def test_empty_first_start(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=settle)


def test_finished_conversation_with_code(snap_compare, make_app, app_paths):
    seed(app_paths, CONVERSATION, title="Counting words")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=settle)


def test_error_card(snap_compare, make_app, app_paths, server):
    seed(app_paths, CONVERSATION[:2], title="Counting words")
    server.script(MODEL, Reply(text="", error_after=0, error="model runner has unexpectedly stopped"))

    async def fail(pilot):
        await settle(pilot)
        await type_text(pilot, "And with Counter?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.chat.query(ErrorCard) and not pilot.app.chat_screen.turns.running, what="card")
        # the bar looks again after each turn: the failed request still loaded the model
        await wait_for(pilot, lambda: pilot.app.chat_screen.module_bar.entries[0].loaded, what="the loaded dots")
        await wait_for_workers(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=fail)


def test_palette_open(snap_compare, make_app, app_paths):
    seed(app_paths, CONVERSATION, title="Counting words")

    async def palette(pilot):
        from textual.command import CommandList, CommandPalette
        from textual.widgets import Input

        await settle(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), what="the palette")
        pilot.app.screen.query_one(Input).cursor_blink = False
        await type_in_palette(pilot, "wits")  # the providers answer asynchronously: waits for the search
        assert pilot.app.screen.query_one(CommandList).option_count

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=palette)


@pytest.mark.parametrize("theme", ["wits-dark", "wits-light", "wits-high-contrast"])
def test_bundled_theme(snap_compare, make_app, app_paths, theme):
    seed(app_paths, CONVERSATION, title="Counting words")
    assert snap_compare(make_app(initial_theme=theme), terminal_size=SIZE, run_before=settle)
