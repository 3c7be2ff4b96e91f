"""Recorded turn events (see engine/recording.py for what is recorded)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wits_tui.engine.store.tx import transaction

if TYPE_CHECKING:
    import sqlite_utils


@dataclass(slots=True)
class RecordedEvent:
    session_id: int
    turn: int
    seq: int
    t_ms: float
    kind: str
    data: dict[str, Any]


class Recordings:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def next_turn(self, session_id: int) -> int:
        row = next(self.db.query("SELECT max(turn) AS n FROM turn_events WHERE session_id = ?", [session_id]))
        return (row["n"] or 0) + 1

    def add(self, session_id: int, turn: int, seq: int, t_ms: float, kind: str, data: dict[str, Any]) -> None:
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO turn_events (session_id, turn, seq, t_ms, kind, data) VALUES (?, ?, ?, ?, ?, ?)",
                [session_id, turn, seq, round(t_ms, 2), kind, json.dumps(data, ensure_ascii=False, separators=(",", ":"))],
            )

    def for_session(self, session_id: int, from_turn: int = 1) -> list[RecordedEvent]:
        rows = self.db.query(
            "SELECT * FROM turn_events WHERE session_id = ? AND turn >= ? ORDER BY turn, seq", [session_id, from_turn]
        )
        return [
            RecordedEvent(r["session_id"], r["turn"], r["seq"], r["t_ms"], r["kind"], json.loads(r["data"])) for r in rows
        ]

    def turns(self, session_id: int) -> int:
        return self.next_turn(session_id) - 1
