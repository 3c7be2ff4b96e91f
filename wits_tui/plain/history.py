"""A prompt-toolkit History backed by the SQLite command history (shared with the TUI)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prompt_toolkit.history import History

#: How many entries the prompt loads for Up/Down and Ctrl+R.
LOAD_LIMIT = 5000


class StoreHistory(History):
    def __init__(self, store: Any, session_id: Any = None, limit: int = LOAD_LIMIT) -> None:
        super().__init__()
        self.store = store
        self.session_id = session_id  # a callable giving the current session, or None
        self.limit = limit

    def load_history_strings(self) -> Iterable[str]:
        # prompt-toolkit wants the newest first
        return [e.command for e in self.store.history.recent(self.limit)]

    def store_string(self, string: str) -> None:
        sid = self.session_id() if callable(self.session_id) else self.session_id
        from wits_tui.engine.textsafe import valid_text

        self.store.history.add(valid_text(string)[0], sid)  # invalid bytes from the terminal arrive escaped
