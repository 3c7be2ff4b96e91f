"""Copying to the clipboard from the chat: an answer, a code block, a selection.

Textual's ``copy_to_clipboard`` (OSC 52) is written on the UI thread; the system tool
(:mod:`wits_tui.clipboard`) runs in a thread worker with a timeout. A toast says how the
text went, or why nothing was copied.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from wits_tui import clipboard
from wits_tui.ui.controllers.base import Controller

if TYPE_CHECKING:
    from wits_tui.ui.screens.chat import ChatScreen


class CopyController(Controller):
    """Owns the copy of the moment (at most one tool runs at a time)."""

    def __init__(self, screen: "ChatScreen", bridge: Any) -> None:
        super().__init__(screen, bridge)
        self.last: clipboard.Outcome | None = None  # what the last copy did (tests and the toast read it)

    def copy(self, text: str, what: str) -> None:
        self.screen.run_worker(self._copy(text, what), group="copy", exclusive=True, exit_on_error=False)

    async def _copy(self, text: str, what: str) -> None:
        app = self.screen.app
        mode = self.screen.settings.ui.clipboard
        sent = mode != "system" and clipboard.osc52_refused() is None
        if sent:
            app.copy_to_clipboard(text)  # OSC 52, written by Textual's driver on this thread
        outcome = await asyncio.to_thread(clipboard.copy, text, what, mode=mode,
                                          write_osc52=(lambda _text: None) if sent else None)
        self.last = outcome
        self.screen.notify(outcome.text, severity="information" if outcome.ok else "warning", timeout=6 if outcome.ok else 10)

    def copy_selection(self) -> bool:
        """Ctrl+C with text selected in the chat; False when nothing is selected."""
        text = self.screen.get_selected_text()
        if not text:
            return False
        self.copy(text, "the selection")
        return True
