"""Which message carried which attachment (the blobs themselves: ``engine.attachments``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from wits_tui.engine.store.records import Attachment, Message

if TYPE_CHECKING:
    import sqlite_utils


def insert(db: sqlite_utils.Database, message_id: int, attachments: Sequence[Attachment]) -> None:
    """Record ``attachments`` for a message (inside the caller's transaction)."""
    for position, a in enumerate(attachments):
        db.execute(
            "INSERT INTO message_attachments (message_id, position, sha256, name, kind, mime, size) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [message_id, position, a.sha256, a.name, a.kind, a.mime, a.size],
        )


def for_messages(db: sqlite_utils.Database, ids: Sequence[int]) -> dict[int, tuple[Attachment, ...]]:
    found: dict[int, list[Attachment]] = {}
    for start in range(0, len(ids), 500):
        part = list(ids[start : start + 500])
        marks = ", ".join("?" * len(part))
        rows = db.query(f"SELECT * FROM message_attachments WHERE message_id IN ({marks}) ORDER BY message_id, position", part)
        for row in rows:
            found.setdefault(row["message_id"], []).append(Attachment.from_dict(row))
    return {k: tuple(v) for k, v in found.items()}


def fill(db: sqlite_utils.Database, messages: list[Message]) -> list[Message]:
    """``messages`` with their attachments (only user messages carry any)."""
    ids = [m.id for m in messages if m.role == "user"]
    if not ids:
        return messages
    found = for_messages(db, ids)
    if not found:
        return messages
    return [replace(m, attachments=found[m.id]) if m.id in found else m for m in messages]


class MessageAttachments:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def for_messages(self, ids: Sequence[int]) -> dict[int, tuple[Attachment, ...]]:
        return for_messages(self.db, ids)

    def referenced(self) -> set[str]:
        """Every blob some message still uses."""
        return {row["sha256"] for row in self.db.query("SELECT DISTINCT sha256 FROM message_attachments")}

    def stats(self) -> dict[str, Any]:
        row = next(self.db.query("SELECT count(*) AS n, count(DISTINCT sha256) AS blobs FROM message_attachments"))
        return dict(row)
