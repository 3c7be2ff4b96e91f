"""Full-text search over the FTS5 indexes, safe for whatever a person types."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils


_TOKEN = re.compile(r"\w+", re.UNICODE)
#: Listings (search results, history) carry at most this much of each text: a 10 MB message
#: made `wits history` take 22 s when whole texts were loaded.
LISTING_CHARS = 2000


def clipped_columns(db: sqlite_utils.Database, table: str, column: str, alias: str = "") -> str:
    """A select list of every column of ``table``, with ``column`` cut to LISTING_CHARS."""
    prefix = f"{alias}." if alias else ""
    names = [c.name for c in db[table].columns]
    return ", ".join(f"substr({prefix}[{n}], 1, {LISTING_CHARS}) AS [{n}]" if n == column else f"{prefix}[{n}]" for n in names)


def fts_query(text: str, prefix: bool = True) -> str | None:
    """Each word becomes a quoted term (so ``-``, ``:`` or quotes never break the
    query syntax); with ``prefix`` each term also matches words it begins.
    Returns None when the text has no searchable word."""
    terms = _TOKEN.findall(text)
    if not terms:
        return None
    star = "*" if prefix else ""
    return " ".join(f'"{t}"{star}' for t in terms)


def fts_search(db: sqlite_utils.Database, table: str, text: str, limit: int, clip: str | None = None) -> list[dict[str, Any]]:
    """Rows of ``table`` matching ``text``, newest first.

    Whole words are tried first: FTS5 walks an exact term's list backwards and
    stops at ``limit``, which stays fast at millions of rows. Only if that finds
    too few are words also matched as prefixes ("pyth" finds "python"), since a
    prefix longer than the prefix index has to merge every matching term's list.
    """
    select = clipped_columns(db, table, clip, "t") if clip else "t.*"
    sql = (
        f"SELECT {select} FROM [{table}_fts] f JOIN [{table}] t ON t.id = f.rowid "
        f"WHERE [{table}_fts] MATCH ? ORDER BY f.rowid DESC LIMIT ?"
    )
    exact = fts_query(text, prefix=False)
    if exact is None:
        return []
    rows = list(db.query(sql, [exact, limit]))
    if len(rows) < limit:
        seen = {r["id"] for r in rows}
        more = [r for r in db.query(sql, [fts_query(text, prefix=True), limit + len(rows)]) if r["id"] not in seen]
        rows = sorted(rows + more, key=lambda r: r["id"], reverse=True)[:limit]
    return rows
