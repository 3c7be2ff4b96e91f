"""Recall on or off per session, kept in the SQLite ``state`` table (key ``memory.recall_off.<id>``)."""

from __future__ import annotations

from typing import Any


def _key(session_id: int) -> str:
    return f"memory.recall_off.{session_id}"


def recall_enabled(store: Any, session_id: int) -> bool:
    """``store`` is a wits_tui.engine.store.Store."""
    return store.state.get(_key(session_id)) is None


def set_recall_enabled(store: Any, session_id: int, enabled: bool) -> None:
    store.state.set(_key(session_id), None if enabled else "1")
