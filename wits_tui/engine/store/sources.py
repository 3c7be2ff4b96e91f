"""The sources each answer was given (``DocsUsed`` passages), kept with the answer so a reopened
session and its exports show them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from wits_tui.engine.store.records import Message, Source

if TYPE_CHECKING:
    import sqlite_utils

_COLUMNS = ("message_id", "n", "location", "path", "rel", "collection", "kind", "start_line", "end_line", "heading", "text")


def insert(db: sqlite_utils.Database, message_id: int, sources: Iterable[Source]) -> None:
    """Record ``sources`` for an answer (replacing any it had), inside the caller's transaction."""
    db.execute("DELETE FROM message_sources WHERE message_id = ?", [message_id])
    marks = ", ".join("?" * len(_COLUMNS))
    for s in sources:
        row = {"message_id": message_id, **s.to_dict()}
        db.execute(f"INSERT INTO message_sources ({', '.join(_COLUMNS)}) VALUES ({marks})", [row[c] for c in _COLUMNS])


def for_messages(db: sqlite_utils.Database, ids: Sequence[int]) -> dict[int, tuple[Source, ...]]:
    found: dict[int, list[Source]] = {}
    for start in range(0, len(ids), 500):
        part = list(ids[start : start + 500])
        marks = ", ".join("?" * len(part))
        for row in db.query(f"SELECT * FROM message_sources WHERE message_id IN ({marks}) ORDER BY message_id, n", part):
            found.setdefault(row["message_id"], []).append(Source.from_dict(row))
    return {k: tuple(v) for k, v in found.items()}


def fill(db: sqlite_utils.Database, messages: list[Message]) -> list[Message]:
    """``messages`` with their sources (only answers carry any)."""
    ids = [m.id for m in messages if m.role == "assistant"]
    found = for_messages(db, ids) if ids else {}
    if not found:
        return messages
    return [replace(m, sources=found[m.id]) if m.id in found else m for m in messages]


def from_passages(passages: Iterable[dict[str, Any]]) -> list[Source]:
    """Sources from a ``DocsUsed`` event's passages (its ``n``, ``location`` and passage fields)."""
    return [Source.from_dict(p) for p in passages]


class MessageSources:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def save(self, message_id: int, sources: Iterable[Source]) -> None:
        from wits_tui.engine.store.tx import transaction

        with transaction(self.db):
            insert(self.db, message_id, sources)

    def for_messages(self, ids: Sequence[int]) -> dict[int, tuple[Source, ...]]:
        return for_messages(self.db, ids)
