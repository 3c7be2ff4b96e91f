"""A read-only look at one saved value before the store is opened.

Bare `wits` paints its first frame before the engine opens the store (which imports
sqlite-utils and runs migrations, off the UI thread). The theme chosen last time must
be known for that first frame, so it is read here with plain sqlite3, read-only, with
a short timeout. Everything else goes through :class:`wits_tui.engine.store.Store`.
This module must not import the store package (its import is what it avoids).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def saved_state(database: Path, key: str) -> str | None:
    """The ``state`` value for ``key``, or None (no database yet, no such key, locked or damaged)."""
    if not database.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=0.5)
        try:
            row = conn.execute("SELECT value FROM state WHERE key = ?", [key]).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def saved_theme(database: Path) -> str | None:
    """The theme chosen in the app last time (None if there is none yet)."""
    return saved_state(database, "theme")
