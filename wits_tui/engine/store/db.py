"""Opening the database: one SQLite file, WAL mode, migrations on every open."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from wits_tui.engine.errors import DatabaseError
from wits_tui.engine.store._lean_import import import_sqlite_utils
from wits_tui.engine.store.migrations import migrate

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["DatabaseError", "connect"]


def classify(exc: BaseException) -> str:
    """Which disk fault an error is: they need different advice (moving a database aside
    fixes none but a damaged one)."""
    text = str(exc).lower()
    errno_ = getattr(exc, "errno", None)
    if errno_ == 28 or "disk is full" in text or "no space" in text:
        return "full"
    if errno_ in (13, 30) or "readonly" in text or "read-only" in text or "unable to open" in text \
            or "permission denied" in text:
        return "read_only"
    if "malformed" in text or "not a database" in text or "disk image" in text or "corrupt" in text:
        return "damaged"
    return "other"


def _nearly_full(path: Path) -> bool:
    import shutil

    for folder in (path.parent, *path.parents):
        if folder.exists():
            try:
                return shutil.disk_usage(folder).free < 1_000_000
            except OSError:
                return False
    return False


def advice(path: Path, exc: BaseException, kind: str | None = None) -> DatabaseError:
    """The error to show for ``exc``; ``kind`` overrides the guess (a store opened read-only
    because the disk was full fails its writes as "readonly", but the cause is the full disk)."""
    kind = kind or classify(exc)
    if kind == "other" and _nearly_full(path):  # SQLite says "disk I/O error" when the WAL cannot grow
        kind = "full"
    fix = {
        "full": "the disk is full: free some space and try again (what was saved before is intact)",
        "read_only": f"Wits cannot write to {path.parent}: make it writable (or set WITS_HOME to a writable "
                     "directory); reading commands such as `wits history` still work",
        "damaged": "the file is damaged: `wits doctor --salvage` copies what can still be read into a fresh "
                   "database and keeps the damaged one beside it",
        "other": "run `wits doctor` for details",
    }[kind]
    return DatabaseError(f"cannot use the database {path}: {exc}. {fix[0].upper()}{fix[1:]}.", kind)


def connect(path: Path | str, *, read_only: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database at ``path``.

    ``read_only`` opens an existing file without writing anything (no migrations): reading
    commands use it when the data directory cannot be written.
    The connection may be used from worker threads; callers serialise access
    (see :class:`wits_tui.engine.store.Store`).
    """
    path = Path(path)
    if read_only:
        return _connect_read_only(path)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise advice(path, exc) from exc
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0)
        db = _database(conn)
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is crash-safe in WAL mode: an application crash or kill never
        # corrupts the file; at worst the last transaction before a power cut is lost.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        migrate(db)
    except sqlite3.DatabaseError as exc:
        raise advice(path, exc) from exc
    return db


def _database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils over ``conn``, imported here (through _lean_import) the first time a database
    opens: importing the store does not cost its ~45 ms (see reader.py)."""
    import_sqlite_utils()
    import sqlite_utils

    return sqlite_utils.Database(conn, execute_plugins=False)  # no third-party plugins on our connection (and no entry-point scan: ~14 ms)


def _connect_read_only(path: Path) -> sqlite_utils.Database:
    if not path.exists():
        raise DatabaseError(f"there is no database at {path} yet", "read_only")
    last: BaseException | None = None
    # mode=ro reads the WAL if its index can be made; immutable=1 when not even that can be written
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(f"file:{path}?{query}", uri=True, check_same_thread=False, timeout=10.0)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return _database(conn)
        except sqlite3.DatabaseError as exc:
            last = exc
    raise advice(path, last or OSError("cannot open"))
