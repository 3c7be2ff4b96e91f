"""Locks between processes that share one memory directory (the TUI, `wits ask`, `wits memory ...`);
the document index (`wits docs ...`) uses the same presence lock and grace period for its clean-ups.

Design (also in the README, "When things go wrong"):

* **Writes take turns.** Every change to the table (append, delete, update, creating a table,
  compaction, index building) holds an exclusive ``flock`` on ``.wits-write.lock``. Lance's own
  optimistic commits then never race (no "commit conflict", no "Append incompatible with
  concurrent Overwrite"), and the table is opened or created with the lock held, so a process
  that started before the table existed opens what another process created instead of
  replacing it. A writer waits up to ``WRITE_WAIT_S`` for its turn.
* **Reads never wait.** Readers see the newest committed version (the connection re-checks it
  on every read). Old versions' files are deleted only when they are older than a grace period,
  so a read that started on an older version in another process still finds its files.
* **Alone, space comes back at once.** Every process with the memory open holds a shared POSIX
  lock on ``.wits-present.lock``. The clean-up tries to turn that into an exclusive lock
  without waiting: if it can, no other process has the memory open and every old version can
  go now (which keeps the directory under its size cap); if not, the grace period applies.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

WRITE_LOCK = ".wits-write.lock"
PRESENT_LOCK = ".wits-present.lock"
#: Files of old table versions younger than this stay while other processes have the directory open
#: (a read they started on that version still needs them).
CLEANUP_GRACE = timedelta(minutes=2)
#: How long a write waits for another process's write or compaction before giving up (reported).
WRITE_WAIT_S = 60.0
_POLL_S = 0.02


class MemoryBusy(TimeoutError):
    """Another process held the memory's write lock for longer than we wait."""


def _open(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


class ProcessLocks:
    def __init__(self, directory: Path, what: str = "the memory") -> None:
        self.directory = Path(directory)
        self.what = what  # named in MemoryBusy's message
        self._present_fd: int | None = None
        self._write_fd: int | None = None
        self._write_depth = 0

    def announce(self) -> None:
        """Hold the shared presence lock while the memory is open (called by open)."""
        if self._present_fd is None:
            fd = _open(self.directory / PRESENT_LOCK)
            fcntl.lockf(fd, fcntl.LOCK_SH)
            self._present_fd = fd

    def release(self) -> None:
        for attr in ("_present_fd", "_write_fd"):
            fd = getattr(self, attr)
            if fd is not None:
                os.close(fd)  # closing drops every lock this descriptor held
                setattr(self, attr, None)
        self._write_depth = 0

    @contextmanager
    def writing(self, wait_s: float = WRITE_WAIT_S) -> Iterator[None]:
        """The exclusive write lock (re-entrant within one thread of this process: the caller
        serialises threads with its own lock). Raises :class:`MemoryBusy` after ``wait_s``."""
        if self._write_depth:
            self._write_depth += 1
            try:
                yield
            finally:
                self._write_depth -= 1
            return
        if self._write_fd is None:
            self._write_fd = _open(self.directory / WRITE_LOCK)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(self._write_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise MemoryBusy(
                        f"another Wits process kept {self.what} in {self.directory} busy for {wait_s:.0f} s") from None
                time.sleep(_POLL_S)
        self._write_depth = 1
        try:
            yield
        finally:
            self._write_depth = 0
            fcntl.flock(self._write_fd, fcntl.LOCK_UN)

    @contextmanager
    def alone(self) -> Iterator[bool]:
        """True inside if no other process has the memory open (checked without waiting)."""
        fd = self._present_fd
        if fd is None:
            yield False
            return
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another process holds it shared
            yield False
            return
        try:
            yield True
        finally:
            fcntl.lockf(fd, fcntl.LOCK_SH)
