"""How processes share the document index's directory (the app, and `wits docs add|update` in
another terminal), as memory's store does (``memory/proclock.py``): writes take turns through the
write lock shared between processes, and every write and search first follows the meta file, so
a table another process made is opened, never made again over it, and a row id is only used
on the table and version it came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from wits_tui.engine.docs.rwlock import ReadWriteLock
from wits_tui.engine.errors import DocsError
from wits_tui.engine.memory import meta as meta_file
from wits_tui.engine.memory.proclock import MemoryBusy, ProcessLocks
from wits_tui.engine.memory.records import MemoryBroken

META_FILE = "wits-docs.json"


class SharedIndex(meta_file.SavedMeta):
    """The directory, its meta file and table, and the locks (thread-safe: one readers-writer lock)."""

    META_NAME = META_FILE

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.lock = ReadWriteLock()
        self.meta: dict[str, Any] = {}
        self._db: Any = None
        self._table: Any = None
        self._ds: tuple[Any, Any] | None = None  # (table stamp, its Lance dataset)
        # memory's: writes take turns between processes, other processes' reads keep old versions a while
        self._locks = ProcessLocks(self.directory, "the document index")
        self._meta_sig: tuple[int, int] | None = None  # the meta file's, when last read
        self._generation: int | None = None  # of the open table (a new one each time it is made)
        self._write_depth = 0  # writes of this process under way (nested ones)

    def _sync(self) -> None:
        """Follow other processes: the meta file changed since we read it (a table made, dropped or
        made again by `wits docs update` or the app in another terminal)."""
        if self._db is None or self._write_depth:
            return  # within a write of ours: what we hold is the newest (and may not be saved yet)
        try:
            if not self.reload_meta():
                return
        except MemoryBroken as exc:
            raise DocsError(str(exc).replace("memory index", "document index"),
                            f"move {self.directory} aside and run `wits docs update` for each collection") from exc
        name, generation = self.meta.get("table"), self.meta.get("generation", 0)
        if not name:
            self._table = self._ds = None
        elif self._table is None or generation != self._generation:
            self._table, self._ds, self._generation = self._db.open_table(name), None, generation

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """This process's lock, then the write lock shared with other processes, then the newest state."""
        with self.lock.write(), ExitStack() as held:
            try:
                held.enter_context(self._locks.writing())
            except MemoryBusy as exc:
                raise DocsError(str(exc), "wait for the other Wits process (`wits docs update`, or an app indexing) "
                                "to finish, then run it again: what was indexed is kept") from exc
            self._sync()
            self._write_depth += 1
            try:
                yield
            finally:
                self._write_depth -= 1

    def _fresh(self) -> Any:
        """The table as the meta file says it is now (None: none yet)."""
        with self.lock.read():
            self._sync()
            return self._table

    def _stamp(self) -> tuple[int | None, int]:
        """Which table and version a row id belongs to (a table made again starts its versions anew)."""
        return self._generation, self._table.version
