"""Small named values that outlive a run (active session, chosen theme, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wits_tui.engine.store.tx import transaction

if TYPE_CHECKING:
    import sqlite_utils


class State:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, key: str, default: str | None = None) -> str | None:
        rows = list(self.db.query("SELECT value FROM state WHERE key = ?", [key]))
        return rows[0]["value"] if rows else default

    def set(self, key: str, value: str | None) -> None:
        with transaction(self.db):
            if value is None:
                self.db.execute("DELETE FROM state WHERE key = ?", [key])
            else:
                self.db.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", [key, value])
