"""The LanceDB side of memory: one table of segments in ``paths.memory_dir``.

Every method is synchronous and may be called from any thread: one lock
serialises them within the process (cleaning up old versions must not run under
a reader); proclock.py says how several processes share the directory.
lancedb is imported inside :meth:`SegmentStore.open` only - it takes about a
second to import.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from wits_tui.engine.memory import meta as meta_file
from wits_tui.engine.memory.compaction import cleanup, compact_in_steps, live_bytes
from wits_tui.engine.memory.proclock import CLEANUP_GRACE, ProcessLocks
from wits_tui.engine.memory.records import MemoryBroken, MemoryMaintenanceError, Segment
from wits_tui.engine.memory.rows import (  # noqa: F401 - directory_bytes, epoch_seconds: used from here
    FIELDS,
    directory_bytes,
    epoch_seconds,
    is_conflict,
    quote,
    to_segment,
)
from wits_tui.engine.memory.rows import (
    schema as rows_schema,
)

log = logging.getLogger("wits.memory")

META_FILE = meta_file.META_FILE
#: Lance commit conflicts (only possible against a writer outside our lock) are retried this often.
CONFLICT_RETRIES = 5
TABLE_PREFIX = "segments"
#: Used for the vector column when the first segments arrive before any embedding model answered.
PLACEHOLDER_DIM = 768
#: IVF-HNSW-SQ tuning, measured by benchmarks/bench_memory.py (recall@10 against exact search).
INDEX_ROWS_PER_PARTITION = 25_000
INDEX_EF = 64
INDEX_REFINE = 4
class SegmentStore(meta_file.SavedMeta):
    def __init__(self, directory: Path, compact_step_bytes: int = 1_000_000) -> None:
        self.directory = Path(directory)
        self.compact_step_bytes = compact_step_bytes  # see compaction.py
        self.lock = threading.RLock()
        self.meta: dict[str, Any] = {}
        self.grace = CLEANUP_GRACE
        self._meta_sig: tuple[int, int] | None = None
        self._locks = ProcessLocks(self.directory)
        self._db: Any = None
        self._table: Any = None

    # -- opening -------------------------------------------------------------
    def open(self) -> "SegmentStore":
        """Open (creating the directory if needed). Raises :class:`MemoryBroken` if it cannot be read."""
        with self.lock:
            if self._db is not None:
                return self
            # lance logs from Rust to stderr (creation notices, deprecations): keep the terminal clean
            os.environ.setdefault("LANCEDB_LOG", "error")
            import lancedb  # slow: ~1 s; only here

            try:
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._locks.announce()
                # every read checks for a newer version: other processes write to the same table
                self._db = lancedb.connect(str(self.directory), read_consistency_interval=timedelta(0))
                self._sync()
                self.verify()  # reads the manifest and every data file: fails on a damaged one
            except MemoryBroken:
                self._forget()
                raise
            except Exception as exc:  # noqa: BLE001 - any failure here means the directory is unusable
                self._forget()
                raise MemoryBroken(f"the memory in {self.directory} cannot be read: {type(exc).__name__}: {exc}") from exc
            return self

    def verify(self) -> int:
        """Read the manifest and the id column of every data file (the cheapest read that
        opens each file): a damaged manifest or a truncated data file fails here, at open,
        instead of in the middle of a search or an export. Returns the row count."""
        with self.lock:
            if self._table is None:
                return 0
            count = self._table.count_rows()
            if count:
                self._table.search().select(["id"]).limit(None).to_arrow()
            return int(count)

    def _forget(self) -> None:
        self._db = self._table = None
        self._meta_sig = None
        self._locks.release()

    def _sync(self) -> None:
        """Follow other processes: a table created, or replaced by a new generation, since we looked."""
        if self._db is None or not self.reload_meta():
            return
        name = self.meta.get("table")
        if not name:
            self._table = None
        elif self._table is None or self._table.name != name:
            self._table = self._db.open_table(name)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """This process's lock, then the write lock shared with other processes, then the newest state."""
        with self.lock, self._locks.writing():
            self._sync()
            yield

    def _retry(self, write: Callable[[], Any]) -> Any:
        for attempt in range(CONFLICT_RETRIES):
            try:
                return write()
            except Exception as exc:  # noqa: BLE001 - only conflicts are retried
                if attempt == CONFLICT_RETRIES - 1 or not is_conflict(exc):
                    raise
                log.warning("memory write conflict, retrying: %s", exc)
                time.sleep(0.05 * 2 ** attempt)
                if self._table is not None:
                    self._table.checkout_latest()
        return None

    @property
    def has_table(self) -> bool:
        return self._table is not None

    def create_table(self, dim: int, embed_model: str | None) -> bool:
        """Create the first table unless one exists (perhaps made by another process meanwhile:
        it is opened, never replaced). True if created here."""
        with self._writing():
            if self._table is not None:
                return False
            name, table = self.new_generation(dim)
            self.switch_to(name, table, dim, embed_model)
            return True

    def append(self, rows: list[dict[str, Any]], dim: int | None, embed_model: str | None, placeholder_dim: int) -> None:
        """Append rows, creating the table first if there is none; vectors of another size than
        the table's are dropped (re-embedded later)."""
        if not rows:
            return
        with self._writing():
            if self._table is None:
                self.create_table(dim or placeholder_dim, embed_model)
            if dim != self.dim:
                for row in rows:
                    row["vector"], row["embed_model"] = None, None
            self._retry(lambda: self._table.add(rows))

    def new_generation(self, dim: int) -> tuple[str, Any]:
        """A new, empty table with vectors of ``dim`` and a full-text index; not yet current."""
        from lancedb.index import FTS

        with self._writing():
            generation = int(self.meta.get("generation", 0)) + 1
            existing = set(self._db.list_tables().tables)
            while f"{TABLE_PREFIX}_{generation}" in existing:  # left by an interrupted run: never overwrite
                generation += 1
            self.save_meta(generation=generation)
            name = f"{TABLE_PREFIX}_{generation}"
            schema = rows_schema(dim)
            table = self._db.create_table(name, schema=schema, mode="create")
            table.create_index("text", config=FTS())
            return name, table

    @property
    def is_open(self) -> bool:
        return self._db is not None

    def switch_to(self, name: str, table: Any, dim: int, embed_model: str | None) -> None:
        with self._writing():
            old = self.meta.get("table")
            self._table = table
            self.save_meta(table=name, dim=dim, embed_model=embed_model, indexed=False)
            if old and old != name:
                try:
                    self._db.drop_table(old)
                except Exception:  # noqa: BLE001
                    log.warning("could not drop the old memory table %s", old, exc_info=True)

    def drop_table(self, name: str) -> None:
        """Drop a table generation made by :meth:`new_generation` that will not be used."""
        with self._writing():
            self._db.drop_table(name)

    # -- writing -------------------------------------------------------------
    def add(self, rows: list[dict[str, Any]], table: Any = None) -> None:
        """Append rows (dicts with FIELDS and ``vector``: a list of floats or None)."""
        if not rows:
            return
        with self._writing():
            target = table if table is not None else self._table
            self._retry(lambda: target.add(rows))

    def delete(self, ids: Sequence[str]) -> int:
        if not ids or self._table is None:
            return 0
        with self._writing():
            before = self._table.count_rows()
            for i in range(0, len(ids), 1000):
                self._retry(partial(self._table.delete, f"id IN ({quote(ids[i:i + 1000])})"))
            return int(before - self._table.count_rows())

    def delete_session(self, session_id: int) -> int:
        """Delete every segment made in the session (its turns and notes kept there)."""
        with self._writing():
            if self._table is None:
                return 0
            before = self._table.count_rows()
            self._retry(lambda: self._table.delete(f"session_id = {int(session_id)}"))
            return int(before - self._table.count_rows())

    def delete_messages(self, message_ids: Sequence[int]) -> int:
        """Delete the segments remembered from these messages (answers an edit replaced)."""
        if not message_ids or self._table is None:
            return 0
        with self._writing():
            before = self._table.count_rows()
            ids = ", ".join(str(int(i)) for i in message_ids)
            self._retry(lambda: self._table.delete(f"message_id IN ({ids})"))
            return int(before - self._table.count_rows())

    def count_session(self, session_id: int) -> int:
        with self.lock:
            self._sync()
            return 0 if self._table is None else self._table.count_rows(f"session_id = {int(session_id)}")

    def touch(self, scores: dict[str, float], now: datetime) -> None:
        """Record a recall: access count + 1, last access now, relevance moved toward the match score."""
        if not scores or self._table is None:
            return
        import pyarrow as pa

        with self._writing():
            ids = list(scores)
            rows = self._table.search().where(f"id IN ({quote(ids)})").select(["id", "access_count", "relevance"]).to_list()
            if not rows:
                return
            update = pa.table({
                "id": [r["id"] for r in rows],
                "access_count": pa.array([int(r["access_count"] or 0) + 1 for r in rows], pa.int32()),
                "last_accessed_at": pa.array([now] * len(rows), pa.timestamp("us", tz="UTC")),
                "relevance": pa.array([0.8 * float(r["relevance"] or 0) + 0.2 * scores[r["id"]] for r in rows], pa.float32()),
            })
            self._retry(lambda: self._table.merge_insert("id").when_matched_update_all().execute(update))

    def set_vectors(self, ids: Sequence[str], vectors: Sequence[Sequence[float]], model: str) -> None:
        import pyarrow as pa

        with self._writing():
            update = pa.table({
                "id": list(ids),
                "vector": pa.array([list(v) for v in vectors], pa.list_(pa.float32(), self.dim)),
                "embed_model": [model] * len(ids),
            })
            self._retry(lambda: self._table.merge_insert("id").when_matched_update_all().execute(update))

    # -- reading -------------------------------------------------------------
    def count(self) -> int:
        with self.lock:
            self._sync()
            return 0 if self._table is None else self._table.count_rows()

    def get(self, ids: Sequence[str]) -> list[Segment]:
        with self.lock:
            self._sync()
            if not ids or self._table is None:
                return []
            rows = self._table.search().where(f"id IN ({quote(ids)})").select(list(FIELDS)).limit(len(ids)).to_list()
        return [to_segment(r) for r in rows]

    def vector_search(self, vector: Sequence[float], limit: int, *, exact: bool = False) -> list[tuple[Segment, float]]:
        """(segment, cosine similarity), best first."""
        with self.lock:
            self._sync()
            if self._table is None:
                return []
            q = self._table.search(list(vector), query_type="vector").distance_type("cosine").select([*FIELDS, "_distance"]).limit(limit)
            if exact:
                q = q.bypass_vector_index()
            elif self.meta.get("indexed"):
                refine = self.meta["refine_factor"]
                q = q.nprobes(self.meta["nprobes"]).ef(max(self.meta["ef"], limit * refine)).refine_factor(refine)
            rows = q.to_list()
        return [(to_segment(r), 1.0 - float(r["_distance"])) for r in rows]

    def text_search(self, query: str, limit: int) -> list[tuple[Segment, float]]:
        """(segment, BM25 score), best first."""
        with self.lock:
            self._sync()
            if self._table is None or not query.strip():
                return []
            rows = self._table.search(query, query_type="fts").select([*FIELDS, "_score"]).limit(limit).to_list()
        return [(to_segment(r), float(r["_score"])) for r in rows]

    def columns(self, names: Sequence[str]) -> dict[str, list[Any]]:
        """Whole columns (for pruning and re-embedding); small ones only - not the vectors."""
        with self.lock:
            self._sync()
            if self._table is None:
                return {n: [] for n in names}
            arrow = self._table.search().select(list(names)).limit(None).to_arrow()
        return {n: arrow.column(n).to_pylist() for n in names}

    def iter_segments(self, batch: int = 1000) -> Iterator[list[Segment]]:
        ids = self.columns(["id"])["id"]
        for i in range(0, len(ids), batch):
            yield self.get(ids[i:i + batch])

    # -- maintenance ---------------------------------------------------------
    def compact(self) -> None:
        """Compact, fold new rows into the indexes, and delete the files of older versions, so
        that deleted rows leave the disk (at once when no other process has the memory open,
        else once older than the grace period). Raises MemoryMaintenanceError."""
        with self._writing(), self._locks.alone() as alone, warnings.catch_warnings():
            if self._table is None:
                return
            warnings.simplefilter("ignore")  # "cleanup_older_than=0 removes every version": intended when alone
            grace = timedelta(0) if alone else self.grace
            try:
                try:
                    compact_in_steps(self._table, self.compact_step_bytes, directory_bytes(self.directory), grace)
                except ImportError:  # without the lance package: one big rewrite
                    self._table.optimize(cleanup_older_than=grace, delete_unverified=not grace)
            except Exception as exc:  # noqa: BLE001
                raise MemoryMaintenanceError(
                    f"compacting the memory in {self.directory} failed, so deleted segments still take disk space: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc

    def cleanup(self) -> None:
        """Delete the files of old versions that are no longer needed (see :meth:`compact`)."""
        with self._writing(), self._locks.alone() as alone, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if self._table is not None:
                cleanup(self._table, timedelta(0) if alone else self.grace)

    def live_bytes(self) -> int:
        """What the directory will hold once old versions are cleaned up."""
        with self.lock:
            self._sync()
            return live_bytes(self._table, self.directory)

    def ensure_vector_index(self, min_rows: int) -> bool:
        """Build an IVF-HNSW-SQ index once the table has ``min_rows`` embedded rows. True if built now."""
        from lancedb.index import HnswSq

        with self._writing():
            if self._table is None or self.meta.get("indexed"):
                return False
            rows = self._table.count_rows("vector IS NOT NULL")
            if rows < min_rows:
                return False
            partitions = max(1, rows // INDEX_ROWS_PER_PARTITION)
            self._table.create_index("vector", config=HnswSq(distance_type="cosine", num_partitions=partitions))
            # Every partition is searched: there are few (one per 25k rows), HNSW keeps each search
            # sublinear, and probing half of them cost half the true neighbours (recall@10 0.88 -> 0.998
            # on clustered data at 100k x 384 for 0.4 ms more, measured by benchmarks/bench_memory.py).
            self.save_meta(indexed=True, nprobes=partitions, ef=INDEX_EF, refine_factor=INDEX_REFINE)
            return True

    def unindexed_rows(self) -> int:
        """Rows not yet in the full-text index (searched by a slow scan until :meth:`compact`)."""
        with self.lock:
            self._sync()
            if self._table is None:
                return 0
            stats = self._table.index_stats("text_idx")
            return int(stats.num_unindexed_rows) if stats else 0

    def disk_bytes(self) -> int:
        return directory_bytes(self.directory)

    def close(self) -> None:
        with self.lock:
            self._forget()
