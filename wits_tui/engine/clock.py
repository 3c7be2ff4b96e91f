"""Timestamps, in one format everywhere: ISO 8601 UTC with microseconds."""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def to_minute(iso: str | None) -> str:
    """An ISO timestamp as people read it in lists: ``2026-11-21 09:15`` (UTC)."""
    return (iso or "")[:16].replace("T", " ")
