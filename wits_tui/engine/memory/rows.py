"""Rows of the memory table: the schema, converting rows to segments, and small helpers."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wits_tui.engine.memory.records import Segment

FIELDS = ("id", "text", "kind", "role", "session_id", "message_id", "created_at", "last_accessed_at", "access_count", "relevance", "embed_model")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def directory_bytes(path: Path) -> int:
    """On-disk size of everything under ``path``, directories included, as ``du -sb`` counts
    (0 if it does not exist)."""
    try:
        total = os.lstat(path).st_size
    except FileNotFoundError:
        return 0
    for root, dirs, files in os.walk(path):
        for name in [*files, *dirs]:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except FileNotFoundError:  # removed by a concurrent clean-up
                pass
    return total


def is_conflict(exc: Exception) -> bool:
    text = str(exc).lower()
    return "conflict" in text or "concurrent" in text


def _iso(value: Any) -> str:
    return value.isoformat(timespec="microseconds") if isinstance(value, datetime) else str(value or "")


def quote(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def to_segment(row: dict[str, Any]) -> Segment:
    return Segment(
        id=row["id"], text=row["text"], kind=row["kind"], role=row["role"],
        session_id=row.get("session_id"), message_id=row.get("message_id"),
        created_at=_iso(row["created_at"]), last_accessed_at=_iso(row["last_accessed_at"]),
        access_count=int(row["access_count"] or 0), relevance=float(row["relevance"] or 0.0),
        embed_model=row.get("embed_model"),
    )


def schema(dim: int) -> Any:
    """The table's columns; vectors of ``dim`` floats (null until embedded)."""
    import pyarrow as pa

    ts = pa.timestamp("us", tz="UTC")
    schema = pa.schema([
        pa.field("id", pa.string(), nullable=False), pa.field("text", pa.string()),
        pa.field("kind", pa.string()), pa.field("role", pa.string()),
        pa.field("session_id", pa.int64()), pa.field("message_id", pa.int64()),
        pa.field("created_at", ts), pa.field("last_accessed_at", ts),
        pa.field("access_count", pa.int32()), pa.field("relevance", pa.float32()),
        pa.field("embed_model", pa.string()),
        pa.field("vector", pa.list_(pa.float32(), dim), nullable=True),
    ])
    return schema


def epoch_seconds(value: Any) -> float:
    if isinstance(value, datetime):
        return (value - _EPOCH).total_seconds()
    return 0.0
