"""The sources under an answer that used documents: one row per numbered passage
(``[1] guide/install.md:12-30 — Install``); Enter or a click opens the passage.

The chat pane hands the engine's ``DocsUsed`` here when it arrives (:func:`docs_used`) and
again when the answer ends (:func:`after_answer`), which mounts the panel under the answer.
Nothing here reads files: the passages travel in the event.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from wits_tui.engine.docs.records import source_title
from wits_tui.ui.widgets.message import Notice

#: DocsUsed events waiting for their answer to end, per chat pane: (session id, event).
_pending: "WeakKeyDictionary[Widget, tuple[int, Any]]" = WeakKeyDictionary()


class SourceRow(Static, can_focus=True):
    """One source; Enter or a click shows its passage."""

    BINDINGS = [Binding("enter", "open", "Show passage", id="source.open", show=False)]

    def __init__(self, passage: dict[str, Any]) -> None:
        super().__init__(Content(source_title(passage)), classes="source-row")
        self.passage = passage

    def action_open(self) -> None:
        from wits_tui.ui.screens.passage import PassageScreen

        self.app.push_screen(PassageScreen(self.passage))

    def on_click(self) -> None:
        self.action_open()


class SourcesPanel(Vertical):
    """“Sources” and a row per passage the answer was given."""

    def __init__(self, passages: list[dict[str, Any]]) -> None:
        super().__init__(classes="sources")
        self.passages = passages

    def compose(self):
        yield Static("Sources", classes="sources-title")
        for p in self.passages:
            yield SourceRow(p)


async def docs_used(chat: Any, session_id: int, event: Any) -> None:
    """The passages were chosen for the answer being streamed: notes now, sources when it ends."""
    if session_id != chat.session_id:
        return
    for note in event.notes:
        await chat._above_answer(Notice(note, "warning"))
    if event.passages:
        _pending[chat] = (session_id, event)


async def after_answer(chat: Any, session_id: int, answer: Widget | None) -> None:
    """Mount the sources of the answer that just ended under it."""
    pending = _pending.pop(chat, None)
    if pending is None or pending[0] != session_id or answer is None or not answer.is_attached:
        return
    await chat.mount(SourcesPanel(pending[1].passages), after=answer)
    if chat.is_anchored:
        chat.call_after_refresh(chat.scroll_end, animate=False, immediate=True)
