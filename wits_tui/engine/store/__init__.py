"""The SQLite store: one file, one owner of all writes (:class:`Store`, in ``core.py``).

The package imports its parts when a name is first asked for (PEP 562), not when it is imported:
`wits classify --keywords-only` reads three tables through ``store.reader`` with plain sqlite3, and
importing this package used to import every repository (attachments, documents, history, ...) first.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wits_tui.engine.store.core import Store
    from wits_tui.engine.store.db import DatabaseError
    from wits_tui.engine.store.records import HistoryEntry, Message, Session
    from wits_tui.engine.store.sessions import SessionNotFound

__all__ = ["Store", "DatabaseError", "SessionNotFound", "Session", "Message", "HistoryEntry"]

_HOMES = {"Store": "core", "DatabaseError": "db", "SessionNotFound": "sessions", "Session": "records",
          "Message": "records", "HistoryEntry": "records"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once
    return value
