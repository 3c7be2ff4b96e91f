"""Messages sent while an answer streams: shown above the prompt until they go out.

The bar only shows what the queue controller (:mod:`wits_tui.ui.controllers.queue`)
holds; a line asks to be dropped with Delete (or Esc) when focused, or a click on its ✕.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

PREVIEW = 80  # characters of a queued message shown on its line


def preview(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= PREVIEW else line[: PREVIEW - 1].rstrip() + "…"


class QueuedLine(Static, can_focus=True):
    """One queued message: "↳ queued · text  ✕"."""

    BINDINGS = [
        Binding("delete,escape,backspace", "drop", "Drop", id="drop_queued"),
    ]

    @dataclass
    class Dropped(Message):
        key: int

    def __init__(self, key: int, text: str, edit: bool) -> None:
        what = "queued edit" if edit else "queued"
        super().__init__(f"↳ {what} · {preview(text)}  ✕", markup=False, classes="queued")
        self.key = key

    def action_drop(self) -> None:
        self.post_message(self.Dropped(self.key))

    def on_click(self, event: events.Click) -> None:
        # the ✕ is the last cell of the text; a click anywhere else focuses the line
        if event.x >= len(str(self.content)) - 1:
            event.stop()
            self.action_drop()


class QueueBar(Vertical, can_focus=False):
    """The queue, newest last; hidden when empty. ``held``: Esc stopped the answer (or it failed),
    so nothing goes out by itself until the person says so."""

    def compose(self) -> ComposeResult:
        yield Static("", classes="queue-hint", markup=False)

    async def show(self, items: list[tuple[int, str, bool]], held: bool) -> None:
        self.display = bool(items)
        await self.remove_children(QueuedLine)
        if not items:
            return
        hint = self.query_one(".queue-hint", Static)
        if held:
            hint.update("held after the stop · Enter sends · Up takes back · /queue clear drops")
        else:
            hint.update("sent when the answer ends · Up takes back · /queue clear drops")
        hint.set_class(held, "-held")
        await self.mount_all([QueuedLine(key, text, edit) for key, text, edit in items])
