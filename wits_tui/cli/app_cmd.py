"""Bare `wits`: the full-screen app."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from wits_tui.cli.context import Context


def saved_theme(database: Path) -> str | None:
    """The theme chosen in the app last time, read with plain sqlite3 (cheap,
    read-only) so the first frame already has it. None if there is none yet."""
    if not database.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=0.5)
        try:
            row = conn.execute("SELECT value FROM state WHERE key = 'theme'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def run_app(ctx: Context) -> int:
    from wits_tui.ui.app import WitsApp

    WitsApp(ctx.paths, ctx.settings, initial_theme=saved_theme(ctx.paths.database)).run()
    return 0
