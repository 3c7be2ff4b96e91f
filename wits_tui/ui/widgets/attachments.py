"""The files attached to the next message, as chips above the prompt.

A chip is removed with a click, or with Delete/Backspace when it has focus; the bar
hides itself when nothing is attached. It only shows what the attach controller holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.message import Message
from textual.widgets import Static

ICONS = {"image": "▣", "text": "≣"}


def attachment_line(attachments: Any) -> str:
    """"▣ cat.png  ≣ notes.md": under a question in the chat."""
    return "  ".join(f"{ICONS.get(a.kind, '•')} {a.name}" for a in attachments)


def size_text(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.1f} KB" if size >= 1000 else f"{size} B"


def chip_text(a: Any) -> str:
    return f"{ICONS.get(a.kind, '•')} {a.name}  {size_text(a.size)}  ✕"


class Chip(Static, can_focus=True):
    BINDINGS = [Binding("delete,backspace", "remove", "Remove", id="remove_attachment")]

    def __init__(self, index: int, attachment: Any) -> None:
        super().__init__(chip_text(attachment), markup=False, classes="chip")
        self.index = index
        self.tooltip = f"{attachment.name}: {attachment.kind}, sent with your next message. Click or Delete removes it."

    def on_click(self) -> None:
        self.action_remove()

    def action_remove(self) -> None:
        self.post_message(AttachmentBar.Remove(self.index))


class AttachmentBar(HorizontalGroup):
    """Chips for the pending attachments."""

    @dataclass
    class Remove(Message):
        index: int

    def show(self, attachments: list[Any]) -> None:
        self.remove_children()
        if attachments:
            self.mount_all([Static("attached:", classes="chip-label"),
                            *(Chip(n, a) for n, a in enumerate(attachments))])
        self.display = bool(attachments)
