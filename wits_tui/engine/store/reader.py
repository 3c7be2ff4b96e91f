"""Reading the tables routing needs without opening the Store: for `wits classify`.

A routing decision reads three tables (module training, module statistics, the user's
profile). Opening the :class:`~wits_tui.engine.store.Store` for that imports sqlite-utils and
runs the migration check (about 60 ms of a cold `wits classify --keywords-only`). The reader
opens the file read-only with plain sqlite3 and hands the same repository classes a
connection that can only ``query`` and ``execute`` reads, so the SQL and the records stay in
one place each.

:meth:`StoreReader.open` answers None when the file is not up to date (a migration has not
run yet): the caller opens the Store, which migrates. A missing file reads as empty (nothing
recorded yet) and is not created.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from wits_tui.engine.store.migrations import MIGRATIONS, applied
from wits_tui.engine.store.module_stats import ModuleStats
from wits_tui.engine.store.module_training import ModuleTraining
from wits_tui.engine.store.profiles import Profiles

if TYPE_CHECKING:
    import sqlite_utils


class _ReadRows:
    """What the repositories read through (``query``, ``execute``) over a read-only sqlite3
    connection; None stands for a database that does not exist yet (every table empty)."""

    def __init__(self, conn: sqlite3.Connection | None) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        if self.conn is None:
            raise sqlite3.OperationalError("there is no database yet")
        return self.conn.execute(sql, tuple(params))

    def query(self, sql: str, params: Iterable[Any] = ()) -> Iterator[dict[str, Any]]:
        if self.conn is None:
            return
        cursor = self.conn.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row))


class StoreReader:
    """Read-only routing tables: ``training``, ``module_stats``, ``profiles`` (the Store's
    repositories over plain sqlite3). ``embeddings`` is None: the embedding cache is the
    Store's (a command that embeds opens the Store)."""

    embeddings = None

    def __init__(self, conn: sqlite3.Connection | None) -> None:
        self.conn = conn
        db = cast("sqlite_utils.Database", _ReadRows(conn))  # reads only: see _ReadRows
        self.training = ModuleTraining(db)
        self.module_stats = ModuleStats(db)
        self.profiles = Profiles(db)

    @classmethod
    def open(cls, path: Path | str) -> StoreReader | None:
        """The reader, or None when the file needs the Store (a migration to run, or it cannot
        be read this way): open the Store instead."""
        path = Path(path)
        if not path.exists():
            return cls(None)
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10.0)
        except sqlite3.Error:
            return None
        try:
            current = {name for name, _ in MIGRATIONS} <= applied(cast("sqlite_utils.Database", _ReadRows(conn)))
        except sqlite3.Error:
            current = False
        if not current:
            conn.close()
            return None
        return cls(conn)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
