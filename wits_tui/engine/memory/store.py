"""The LanceDB side of memory: one table of segments in ``paths.memory_dir``.

Every method is synchronous and may be called from any thread: one lock
serialises them (cleaning up old versions must not run under a reader).
lancedb is imported inside :meth:`SegmentStore.open` only - it takes about a
second to import.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from wits_tui.engine.memory.compaction import compact_in_steps
from wits_tui.engine.memory.records import MemoryBroken, MemoryMaintenanceError, Segment

log = logging.getLogger("wits.memory")

META_FILE = "wits-memory.json"
TABLE_PREFIX = "segments"
#: Used for the vector column when the first segments arrive before any embedding model answered.
PLACEHOLDER_DIM = 768
FIELDS = ("id", "text", "kind", "role", "session_id", "message_id", "created_at", "last_accessed_at", "access_count", "relevance", "embed_model")
#: IVF-HNSW-SQ tuning, measured by benchmarks/bench_memory.py (recall@10 against exact search).
INDEX_ROWS_PER_PARTITION = 25_000
INDEX_EF = 64
INDEX_REFINE = 4
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def directory_bytes(path: Path) -> int:
    """On-disk size of everything under ``path`` (0 if it does not exist)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except FileNotFoundError:  # removed by a concurrent clean-up
                pass
    return total


def _iso(value: Any) -> str:
    return value.isoformat(timespec="microseconds") if isinstance(value, datetime) else str(value or "")


def _quote(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def to_segment(row: dict[str, Any]) -> Segment:
    return Segment(
        id=row["id"], text=row["text"], kind=row["kind"], role=row["role"],
        session_id=row.get("session_id"), message_id=row.get("message_id"),
        created_at=_iso(row["created_at"]), last_accessed_at=_iso(row["last_accessed_at"]),
        access_count=int(row["access_count"] or 0), relevance=float(row["relevance"] or 0.0),
        embed_model=row.get("embed_model"),
    )


class SegmentStore:
    def __init__(self, directory: Path, compact_step_bytes: int = 1_000_000) -> None:
        self.directory = Path(directory)
        self.compact_step_bytes = compact_step_bytes  # see compaction.py
        self.lock = threading.RLock()
        self.meta: dict[str, Any] = {}
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
                self.directory.mkdir(parents=True, exist_ok=True)
                self.meta = self._read_meta()
                self._db = lancedb.connect(str(self.directory))
                name = self.meta.get("table")
                if name:
                    self._table = self._db.open_table(name)
                    self._table.count_rows()  # reads the manifest: fails on a damaged one
            except MemoryBroken:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure here means the directory is unusable
                self._db = self._table = None
                raise MemoryBroken(f"the memory in {self.directory} cannot be read: {type(exc).__name__}: {exc}") from exc
            return self

    def _read_meta(self) -> dict[str, Any]:
        path = self.directory / META_FILE
        if not path.exists():
            return {}
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise MemoryBroken(f"the memory index file {path} is damaged: {exc}") from exc
        if not isinstance(meta, dict):
            raise MemoryBroken(f"the memory index file {path} is damaged: not a JSON object")
        return meta

    def save_meta(self, **changes: Any) -> None:
        with self.lock:
            self.meta.update(changes)
            path = self.directory / META_FILE
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.meta, indent=2, default=str), encoding="utf-8")
            os.replace(tmp, path)

    @property
    def dim(self) -> int | None:
        return self.meta.get("dim")

    @property
    def embed_model(self) -> str | None:
        """The model whose vectors the table holds (queries must be embedded with it)."""
        return self.meta.get("embed_model")

    @property
    def has_table(self) -> bool:
        return self._table is not None

    def create_table(self, dim: int, embed_model: str | None) -> None:
        """A new, empty table generation that becomes current (the old one is dropped)."""
        name, table = self.new_generation(dim)
        self.switch_to(name, table, dim, embed_model)

    def new_generation(self, dim: int) -> tuple[str, Any]:
        """A new, empty table with vectors of ``dim`` and a full-text index; not yet current."""
        import pyarrow as pa
        from lancedb.index import FTS

        with self.lock:
            generation = int(self.meta.get("generation", 0)) + 1
            self.save_meta(generation=generation)
            name = f"{TABLE_PREFIX}_{generation}"
            ts = pa.timestamp("us", tz="UTC")
            schema = pa.schema([
                pa.field("id", pa.string(), nullable=False), pa.field("text", pa.string()),
                pa.field("kind", pa.string()), pa.field("role", pa.string()),
                pa.field("session_id", pa.int64()), pa.field("message_id", pa.int64()),
                pa.field("created_at", ts), pa.field("last_accessed_at", ts),
                pa.field("access_count", pa.int32()), pa.field("relevance", pa.float32()),
                pa.field("embed_model", pa.string()),
                pa.field("vector", pa.list_(pa.float32(), dim), nullable=True),
            ])
            table = self._db.create_table(name, schema=schema, mode="overwrite")
            table.create_index("text", config=FTS())
            return name, table

    def switch_to(self, name: str, table: Any, dim: int, embed_model: str | None) -> None:
        with self.lock:
            old = self.meta.get("table")
            self._table = table
            self.save_meta(table=name, dim=dim, embed_model=embed_model, indexed=False)
            if old and old != name:
                try:
                    self._db.drop_table(old)
                except Exception:  # noqa: BLE001
                    log.warning("could not drop the old memory table %s", old, exc_info=True)

    # -- writing -------------------------------------------------------------
    def add(self, rows: list[dict[str, Any]], table: Any = None) -> None:
        """Append rows (dicts with FIELDS and ``vector``: a list of floats or None)."""
        if not rows:
            return
        with self.lock:
            (table if table is not None else self._table).add(rows)

    def delete(self, ids: Sequence[str]) -> int:
        if not ids or self._table is None:
            return 0
        with self.lock:
            before = self._table.count_rows()
            for i in range(0, len(ids), 1000):
                self._table.delete(f"id IN ({_quote(ids[i:i + 1000])})")
            return before - self._table.count_rows()

    def delete_session(self, session_id: int) -> int:
        """Delete every segment made in the session (its turns and notes kept there)."""
        if self._table is None:
            return 0
        with self.lock:
            before = self._table.count_rows()
            self._table.delete(f"session_id = {int(session_id)}")
            return before - self._table.count_rows()

    def count_session(self, session_id: int) -> int:
        with self.lock:
            return 0 if self._table is None else self._table.count_rows(f"session_id = {int(session_id)}")

    def touch(self, scores: dict[str, float], now: datetime) -> None:
        """Record a recall: access count + 1, last access now, relevance moved toward the match score."""
        if not scores or self._table is None:
            return
        import pyarrow as pa

        with self.lock:
            ids = list(scores)
            rows = self._table.search().where(f"id IN ({_quote(ids)})").select(["id", "access_count", "relevance"]).to_list()
            if not rows:
                return
            update = pa.table({
                "id": [r["id"] for r in rows],
                "access_count": pa.array([int(r["access_count"] or 0) + 1 for r in rows], pa.int32()),
                "last_accessed_at": pa.array([now] * len(rows), pa.timestamp("us", tz="UTC")),
                "relevance": pa.array([0.8 * float(r["relevance"] or 0) + 0.2 * scores[r["id"]] for r in rows], pa.float32()),
            })
            self._table.merge_insert("id").when_matched_update_all().execute(update)

    def set_vectors(self, ids: Sequence[str], vectors: Sequence[Sequence[float]], model: str) -> None:
        import pyarrow as pa

        with self.lock:
            update = pa.table({
                "id": list(ids),
                "vector": pa.array([list(v) for v in vectors], pa.list_(pa.float32(), self.dim)),
                "embed_model": [model] * len(ids),
            })
            self._table.merge_insert("id").when_matched_update_all().execute(update)

    # -- reading -------------------------------------------------------------
    def count(self) -> int:
        with self.lock:
            return 0 if self._table is None else self._table.count_rows()

    def get(self, ids: Sequence[str]) -> list[Segment]:
        if not ids or self._table is None:
            return []
        with self.lock:
            rows = self._table.search().where(f"id IN ({_quote(ids)})").select(list(FIELDS)).limit(len(ids)).to_list()
        return [to_segment(r) for r in rows]

    def vector_search(self, vector: Sequence[float], limit: int, *, exact: bool = False) -> list[tuple[Segment, float]]:
        """(segment, cosine similarity), best first."""
        if self._table is None:
            return []
        with self.lock:
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
        if self._table is None or not query.strip():
            return []
        with self.lock:
            rows = self._table.search(query, query_type="fts").select([*FIELDS, "_score"]).limit(limit).to_list()
        return [(to_segment(r), float(r["_score"])) for r in rows]

    def columns(self, names: Sequence[str]) -> dict[str, list[Any]]:
        """Whole columns (for pruning and re-embedding); small ones only - not the vectors."""
        if self._table is None:
            return {n: [] for n in names}
        with self.lock:
            arrow = self._table.search().select(list(names)).limit(None).to_arrow()
        return {n: arrow.column(n).to_pylist() for n in names}

    def iter_segments(self, batch: int = 1000) -> Iterator[list[Segment]]:
        ids = self.columns(["id"])["id"]
        for i in range(0, len(ids), batch):
            yield self.get(ids[i:i + batch])

    # -- maintenance ---------------------------------------------------------
    def compact(self) -> None:
        """Compact, fold new rows into the indexes, and delete the files of every older
        version, so that deleted rows really leave the disk. Raises MemoryMaintenanceError."""
        if self._table is None:
            return
        with self.lock, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "cleanup_older_than=0 removes every version": intended, we hold the lock
            try:
                try:
                    compact_in_steps(self._table, self.compact_step_bytes, directory_bytes(self.directory))
                except ImportError:  # without the lance package: one big rewrite
                    self._table.optimize(cleanup_older_than=timedelta(0), delete_unverified=True)
            except Exception as exc:  # noqa: BLE001
                raise MemoryMaintenanceError(
                    f"compacting the memory in {self.directory} failed, so deleted segments still take disk space: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc

    def ensure_vector_index(self, min_rows: int) -> bool:
        """Build an IVF-HNSW-SQ index once the table has ``min_rows`` embedded rows. True if built now."""
        from lancedb.index import HnswSq

        with self.lock:
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
            if self._table is None:
                return 0
            stats = self._table.index_stats("text_idx")
            return int(stats.num_unindexed_rows) if stats else 0

    def disk_bytes(self) -> int:
        return directory_bytes(self.directory)

    def close(self) -> None:
        with self.lock:
            self._table = self._db = None


def epoch_seconds(value: Any) -> float:
    if isinstance(value, datetime):
        return (value - _EPOCH).total_seconds()
    return 0.0
