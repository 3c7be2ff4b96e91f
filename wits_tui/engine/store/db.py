"""Opening the database: one SQLite file, WAL mode, migrations on every open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from wits_tui.engine.errors import DatabaseError
from wits_tui.engine.store.migrations import migrate

__all__ = ["DatabaseError", "connect"]


def connect(path: Path | str) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database at ``path``.

    The connection may be used from worker threads; callers serialise access
    (see :class:`wits_tui.engine.store.Store`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0)
        db = sqlite_utils.Database(conn)
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is crash-safe in WAL mode: an application crash or kill never
        # corrupts the file; at worst the last transaction before a power cut is lost.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        migrate(db)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            f"cannot open the database {path}: {exc}. "
            f"If the file is damaged, move it aside (it will be recreated empty)."
        ) from exc
    return db
