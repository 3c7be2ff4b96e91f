"""`wits doctor --salvage`: copy what can still be read from a damaged database into a fresh one.

Each table is read in rowid order, a batch at a time; a batch that fails (a damaged page) is
retried row by row and rows that cannot be read are skipped, so one bad page costs the rows on
it, not the table. The fresh file gets the current schema (migrations), the full-text indexes
are rebuilt, and the damaged file is kept beside it as ``wits.db.damaged-YYYYmmdd-HHMMSS``.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

BATCH = 500
#: After this many unreadable rowids in a row, the rest of the table is taken as lost.
GIVE_UP_AFTER = 20_000


@dataclass
class SalvageReport:
    kept_aside: Path
    copied: dict[str, int] = field(default_factory=dict)
    lost: dict[str, str] = field(default_factory=dict)  # table -> what went wrong


def _tables(src: sqlite3.Connection) -> list[str]:
    try:
        rows = src.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError:
        rows = []
    return [r[0] for r in rows]


def _rows(src: sqlite3.Connection, table: str, columns: list[str], report: SalvageReport) -> list[tuple[Any, ...]]:
    cols = ", ".join(f"[{c}]" for c in columns)
    out: list[tuple[Any, ...]] = []
    last, misses = -(2**63), 0
    while misses < GIVE_UP_AFTER:
        try:
            batch = src.execute(f"SELECT rowid, {cols} FROM [{table}] WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                [last, BATCH]).fetchall()
        except sqlite3.DatabaseError as exc:
            report.lost[table] = str(exc)
            try:  # step over the bad row(s) one rowid at a time
                row = src.execute(f"SELECT rowid, {cols} FROM [{table}] WHERE rowid = ?", [last + 1]).fetchone()
                if row:
                    out.append(row[1:])
            except sqlite3.DatabaseError:
                pass
            last, misses = last + 1 if last > -(2**63) else 0, misses + 1
            continue
        if not batch:
            break
        out += [r[1:] for r in batch]
        last, misses = batch[-1][0], 0
    return out


def salvage(path: Path) -> SalvageReport:
    """Replace the database at ``path`` with a fresh one holding every row that could be read."""
    from wits_tui.engine.store.db import connect

    path = Path(path)
    aside = path.with_name(f"{path.name}.damaged-{datetime.now():%Y%m%d-%H%M%S}")
    shutil.move(str(path), aside)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            shutil.move(str(extra), aside.with_name(aside.name + suffix))
    report = SalvageReport(aside)
    src = sqlite3.connect(f"file:{aside}?mode=ro", uri=True)
    fresh = connect(path)  # the current schema
    try:
        wanted = [t for t in _tables(fresh.conn) if t != "_migrations" and not t.endswith(("_fts", "_fts_data", "_fts_idx", "_fts_docsize",
                                                                     "_fts_config", "_fts_content"))]
        available = set(_tables(src))
        for table in wanted:
            if table not in available:
                continue
            try:
                src_cols = [r[1] for r in src.execute(f"PRAGMA table_info([{table}])")]
            except sqlite3.DatabaseError as exc:
                report.lost[table] = str(exc)
                continue
            columns = [c for c in (r[1] for r in fresh.conn.execute(f"PRAGMA table_info([{table}])")) if c in src_cols]
            rows = _rows(src, table, columns, report)
            marks = ", ".join("?" * len(columns))
            with fresh.conn:
                fresh.conn.executemany(
                    f"INSERT OR IGNORE INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({marks})", rows)
            report.copied[table] = len(rows)
        for table in ("messages", "command_history"):
            if f"{table}_fts" in _tables(fresh.conn):
                with fresh.conn:
                    fresh.conn.execute(f"INSERT INTO [{table}_fts]([{table}_fts]) VALUES ('rebuild')")
    finally:
        src.close()
        fresh.conn.close()
    return report
