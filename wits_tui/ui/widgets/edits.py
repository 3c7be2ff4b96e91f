"""Edited questions in the chat: what a resend replaces, and the earlier versions it keeps.

An edit replaces a question and everything after it on screen; the replaced turns stay in
the database as an earlier branch. The edited question's border says "✎ edited · N earlier
versions ▸"; Enter (or a click) on it shows them below it, dimmed, and hides them again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from wits_tui.engine.clock import to_minute
from wits_tui.ui import messages as msg
from wits_tui.ui.widgets.message import UserMessage

if TYPE_CHECKING:
    from wits_tui.ui.widgets.chat import ChatView

SHOWN_CHARS = 1500  # of each earlier answer; the export has them whole


async def drop_from(chat: "ChatView", message_id: int) -> None:
    """Take the replaced question and what follows it off the screen (all of it when the
    question is above the loaded window: then everything shown came after it)."""
    children = list(chat.children)
    start = next((i for i, w in enumerate(children) if isinstance(w, UserMessage) and w.message_id == message_id), None)
    if start is None:
        first = next((getattr(w, "message_id", None) for w in children if getattr(w, "message_id", None)), None)
        if first is not None and first > message_id:
            chat.has_more = True
            await chat.remove_children()
        return
    await chat.remove_children(children[start:])


def toggle_earlier(widget: UserMessage) -> None:
    """Show (read by a worker) or hide the earlier versions of an edited question."""
    if not widget.earlier or widget.message_id is None or widget.parent is None:
        return
    shown = [w for w in widget.parent.children if isinstance(w, EarlierVersions) and w.message_id == widget.message_id]
    if shown:
        for w in shown:
            w.remove()
        widget.border_subtitle = str(widget.border_subtitle or "").replace("▾", "▸")
        return
    widget.post_message(msg.EarlierAsked(widget.message_id, widget))


class EarlierVersions(Vertical):
    """The earlier versions of one question, newest first, each with what answered it."""

    def __init__(self, message_id: int, versions: list[list[Any]]) -> None:
        super().__init__(classes="earlier")
        self.message_id = message_id
        self.versions = versions

    def compose(self) -> ComposeResult:
        total = len(self.versions)
        for n, version in enumerate(self.versions):
            question = next((m for m in version if m.role == "user"), None)
            when = f"{to_minute(question.created_at)} UTC" if question is not None else ""
            yield Static(f"earlier version {total - n} of {total} · {when}", classes="earlier-title", markup=False)
            for m in version:
                if m.role == "user":
                    yield Static(m.content, classes="earlier-question", markup=False)
                elif m.role == "assistant":
                    from rich.markdown import Markdown

                    text = m.content if len(m.content) <= SHOWN_CHARS else m.content[:SHOWN_CHARS] + " …"
                    status = "" if m.status == "complete" else f" · {m.status}"
                    yield Static(f"{m.model or 'wits'}{status}", classes="earlier-who", markup=False)
                    yield Static(Markdown(text), classes="earlier-answer")


async def show_earlier(widget: UserMessage, versions: list[list[Any]]) -> None:
    """Mount the versions read from the store under the question (if it is still shown)."""
    if not widget.is_attached or widget.parent is None or widget.message_id is None:
        return
    if any(isinstance(w, EarlierVersions) and w.message_id == widget.message_id for w in widget.parent.children):
        return
    chat = widget.parent
    assert isinstance(chat, Widget)
    await chat.mount(EarlierVersions(widget.message_id, versions), after=widget)
    widget.border_subtitle = str(widget.border_subtitle or "").replace("▸", "▾")
