"""Command history: everything typed at a prompt, searchable, capped in size."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wits_tui.engine.clock import now_iso
from wits_tui.engine.store.fts import clipped_columns, fts_search
from wits_tui.engine.store.records import HistoryEntry
from wits_tui.engine.store.tx import transaction

if TYPE_CHECKING:
    import sqlite_utils


class History:
    def __init__(self, db: sqlite_utils.Database, max_entries: int) -> None:
        self.db = db
        self.max_entries = max_entries

    def add(self, command: str, session_id: int | None = None) -> HistoryEntry | None:
        """Record ``command`` (blank ones and a repeat of the last one are skipped)
        and trim the oldest entries beyond the cap."""
        if not command.strip():
            return None
        last = list(self.db.query("SELECT command FROM command_history ORDER BY id DESC LIMIT 1"))
        if last and last[0]["command"] == command:
            return None
        ts = now_iso()
        with transaction(self.db):
            new_id = self.db.execute(
                "INSERT INTO command_history (command, session_id, created_at) VALUES (?, ?, ?)",
                [command, session_id, ts],
            ).lastrowid
            assert new_id is not None  # an INSERT always sets it
            # ids only grow, so everything at or below new_id - cap is beyond the cap:
            # an indexed range delete instead of counting a million rows.
            self.db.execute("DELETE FROM command_history WHERE id <= ?", [new_id - self.max_entries])
        return HistoryEntry(id=new_id, command=command, created_at=ts, session_id=session_id)

    def recent(self, limit: int = 50) -> list[HistoryEntry]:
        """Newest first."""
        cols = clipped_columns(self.db, "command_history", "command")
        rows = self.db.query(f"SELECT {cols} FROM command_history ORDER BY id DESC LIMIT ?", [limit])
        return [HistoryEntry.from_row(r) for r in rows]

    def search(self, text: str, limit: int = 50) -> list[HistoryEntry]:
        """Full-text search (words match as prefixes), newest first."""
        return [HistoryEntry.from_row(r) for r in fts_search(self.db, "command_history", text, limit, clip="command")]

    def count(self) -> int:
        return int(next(self.db.query("SELECT count(*) AS n FROM command_history"))["n"])
