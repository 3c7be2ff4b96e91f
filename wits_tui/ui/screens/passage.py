"""One passage of a source, shown over the chat (Esc closes)."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class PassageScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q", "close", "Close", id="passage.close")]

    def __init__(self, passage: dict[str, Any]) -> None:
        super().__init__(classes="dialog-screen")
        self.passage = passage

    def compose(self):
        from wits_tui.engine.docs.records import source_title

        with Vertical(classes="dialog passage"):
            yield Static(source_title(self.passage), classes="passage-title", markup=False)
            with VerticalScroll(classes="passage-scroll"):
                yield Static(self.passage.get("text", ""), classes="passage-text", markup=False)
            yield Static("Esc closes", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(".passage-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
