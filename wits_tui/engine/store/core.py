"""The SQLite store: one file, one owner of all writes (imported through ``wits_tui.engine.store``)."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any, TypeVar, cast

# sqlite-utils is imported when a database is opened (db.connect, through _lean_import), not here:
# the repositories name it only in annotations, so a command that reads a few rows with plain
# sqlite3 (reader.py, `wits classify --keywords-only`) does not pay ~45 ms for it. A new repository imports
# sqlite_utils under TYPE_CHECKING only (tests/engine/test_lean_import.py fails otherwise: numpy would come with it)
from wits_tui.engine.store.attachments import MessageAttachments
from wits_tui.engine.store.db import connect
from wits_tui.engine.store.docs_catalog import DocsCatalog
from wits_tui.engine.store.embedding_cache import EmbeddingCache
from wits_tui.engine.store.history import History
from wits_tui.engine.store.messages import Messages
from wits_tui.engine.store.metrics import TurnMetrics
from wits_tui.engine.store.module_stats import ModuleStats
from wits_tui.engine.store.module_training import ModuleTraining
from wits_tui.engine.store.profiles import Profiles
from wits_tui.engine.store.recordings import Recordings
from wits_tui.engine.store.sessions import Sessions
from wits_tui.engine.store.sources import MessageSources
from wits_tui.engine.store.state import State

T = TypeVar("T")


class _Locked:
    """Runs every method of ``target`` under ``lock``, so worker threads can share one connection."""

    def __init__(self, target: object, lock: threading.RLock) -> None:
        self._target = target
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return call


def _locked(target: T, lock: threading.RLock) -> T:
    return cast(T, _Locked(target, lock))


class Store:
    """Owns the connection and every write. Repository calls are serialised by
    one lock, so worker threads may call the store concurrently."""

    def __init__(self, path: Path | str, history_max_entries: int = 100_000, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.db = connect(self.path, read_only=read_only)
        self.lock = threading.RLock()
        self.sessions = _locked(Sessions(self.db), self.lock)
        self.messages = _locked(Messages(self.db), self.lock)
        self.history = _locked(History(self.db, history_max_entries), self.lock)
        self.metrics = _locked(TurnMetrics(self.db), self.lock)
        self.state = _locked(State(self.db), self.lock)
        self.recordings = _locked(Recordings(self.db), self.lock)
        self.embeddings = _locked(EmbeddingCache(self.db), self.lock)
        self.module_stats = _locked(ModuleStats(self.db), self.lock)
        self.profiles = _locked(Profiles(self.db), self.lock)
        self.training = _locked(ModuleTraining(self.db), self.lock)
        self.docs = _locked(DocsCatalog(self.db), self.lock)
        self.attachments = _locked(MessageAttachments(self.db), self.lock)
        self.sources = _locked(MessageSources(self.db), self.lock)

    def close(self) -> None:
        with self.lock:
            self.db.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
