"""The LanceDB side of document collections: one table of passages in ``paths.docs_dir``.

Beside memory, never pruned by it and not counted in its size cap (its own directory,
its own cap: ``docs.max_size_mb``). Every collection's passages share the table (a
``collection`` column, filtered before the search), so one vector index and one
full-text index serve them all. A passage may have extra rows for its extra vectors (one per
definition in a code passage): they carry its fields, its id in ``of`` (a passage's own row:
``""``) and no searchable text. Methods block and are thread-safe (one lock);
lancedb is imported in :meth:`PassageStore.open` only.
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from wits_tui.engine.errors import DocsError as DocsError  # re-exported: its old home
from wits_tui.engine.memory.rows import directory_bytes
from wits_tui.engine.memory.store import INDEX_EF, INDEX_ROWS_PER_PARTITION

META_FILE = "wits-docs.json"
TABLE = "passages"
FIELDS = ("id", "collection", "path", "kind", "start_line", "end_line", "heading", "text")
#: A passage's own row (not one of its extra vectors).
OWN = "(of = '' OR of IS NULL)"
#: A full-text search within collections holding at least this share of the passages looks
#: through the whole table for OVERFETCH times the passages asked for, and keeps theirs.
POSTFILTER_SHARE = 0.5
OVERFETCH = 3




class ReadWriteLock:
    """Searches share the table; writes and clean-ups (which delete old files) have it alone."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer: int | None = None
        self._depth = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._writer != me:  # a writer may search its own table
                while self._writer is not None:
                    self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._writer != me:
                while self._writer is not None or self._readers:
                    self._cond.wait()
                self._writer = me
            self._depth += 1
        try:
            yield
        finally:
            with self._cond:
                self._depth -= 1
                if not self._depth:
                    self._writer = None
                    self._cond.notify_all()


def _quote(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def in_collections(names: Sequence[str]) -> str:
    return f"collection IN ({_quote(names)})"


class PassageStore:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.lock = ReadWriteLock()
        self.meta: dict[str, Any] = {}
        self._db: Any = None
        self._table: Any = None
        self._counts: tuple[int, int, dict[str, int]] | None = None  # (table version, rows, rows per collection)

    def open(self) -> "PassageStore":
        with self.lock.write():
            if self._db is not None:
                return self
            os.environ.setdefault("LANCEDB_LOG", "error")
            import lancedb  # slow: ~1 s; only here

            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                meta_path = self.directory / META_FILE
                self.meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
                self._db = lancedb.connect(str(self.directory))
                if self.meta.get("table"):
                    self._table = self._db.open_table(self.meta["table"])
                    if "of" not in self._table.schema.names:  # made before extra vectors: all passages' own
                        self._table.add_columns({"of": "''"})
                    self._table.count_rows()
            except Exception as exc:  # noqa: BLE001 - any failure here means the directory is unusable
                self._db = self._table = None
                raise DocsError(f"the document index in {self.directory} cannot be read: {type(exc).__name__}: {exc}",
                                f"move {self.directory} aside and run `wits docs update` for each collection") from exc
            return self

    def _save_meta(self, **changes: Any) -> None:
        self.meta.update(changes)
        tmp = self.directory / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(self.meta, indent=2), encoding="utf-8")
        os.replace(tmp, self.directory / META_FILE)

    @property
    def dim(self) -> int | None:
        return self.meta.get("dim")

    @property
    def embed_model(self) -> str | None:
        return self.meta.get("embed_model")

    def ensure_table(self, dim: int, embed_model: str) -> None:
        import pyarrow as pa
        from lancedb.index import FTS

        with self.lock.write():
            if self._table is not None:
                return
            schema = pa.schema([
                pa.field("id", pa.string(), nullable=False), pa.field("collection", pa.string()),
                pa.field("path", pa.string()), pa.field("kind", pa.string()),
                pa.field("start_line", pa.int32()), pa.field("end_line", pa.int32()),
                pa.field("heading", pa.string()), pa.field("text", pa.string()), pa.field("search_text", pa.string()),
                pa.field("file_hash", pa.string()), pa.field("of", pa.string()), pa.field("vector", pa.list_(pa.float32(), dim)),
            ])
            self._table = self._db.create_table(TABLE, schema=schema, mode="overwrite")
            self._table.create_index("search_text", config=FTS())
            self._save_meta(table=TABLE, dim=dim, embed_model=embed_model, indexed=False)

    def reset(self) -> None:
        """Drop every passage and forget the embedding model (before indexing again with another)."""
        with self.lock.write():
            if self._db is not None and self.meta.get("table"):
                self._db.drop_table(self.meta["table"])
            self._table = None
            for key in ("table", "dim", "embed_model", "indexed", "schemes", "collection_index"):
                self.meta.pop(key, None)
            self._save_meta()

    def set_scheme(self, collection: str, scheme: str) -> None:
        """Record how ``collection``'s passages were embedded (``embed_text.SCHEME``)."""
        with self.lock.write():
            if self.meta.get("schemes", {}).get(collection) != scheme:
                self._save_meta(schemes={**self.meta.get("schemes", {}), collection: scheme})

    # -- writing -----------------------------------------------------------------------
    def replace_files(self, collection: str, paths: Sequence[str], rows: list[dict[str, Any]]) -> None:
        """Delete the passages of ``paths`` and add ``rows``. Deleting first makes a run that was
        killed between this and the catalog write safe to repeat."""
        with self.lock.write():
            self.delete_files(collection, paths)
            if rows:
                self._unfolded()
                self._table.add(rows)

    def delete_files(self, collection: str, paths: Sequence[str]) -> None:
        if self._table is None or not paths:
            return
        with self.lock.write():
            self._unfolded()
            for i in range(0, len(paths), 500):
                self._table.delete(f"collection = {_quote([collection])} AND path IN ({_quote(paths[i:i + 500])})")

    def delete_collection(self, collection: str) -> None:
        if self._table is not None:
            with self.lock.write():
                self._table.delete(in_collections([collection]))
                self.optimize()

    def _unfolded(self) -> None:
        """Rows were added or deleted: the next :meth:`optimize` has work (recorded on disk, so a run
        killed before it is folded by the next)."""
        if not self.meta.get("unfolded"):
            self._save_meta(unfolded=True)

    def optimize(self, only_if_changed: bool = False) -> None:
        """Fold new rows into the indexes and drop the files of deleted rows. ``only_if_changed``:
        nothing to do when no rows were added or deleted since the last time (an update that found
        nothing changed; at 100k passages an optimize can take a minute)."""
        if self._table is None or (only_if_changed and not self.meta.get("unfolded", True)):
            return
        with self.lock.write(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._table.optimize(cleanup_older_than=timedelta(0), delete_unverified=True)
            self._ensure_vector_index()
            self._save_meta(unfolded=False)

    def _ensure_vector_index(self) -> None:
        from lancedb.index import HnswSq

        rows = self._table.count_rows()
        if rows < self.meta.get("index_min_rows", 20_000):
            return
        if not self.meta.get("indexed"):
            partitions = max(1, rows // INDEX_ROWS_PER_PARTITION)
            self._table.create_index("vector", config=HnswSq(distance_type="cosine", num_partitions=partitions))
            self._save_meta(indexed=True, nprobes=partitions)
        if not self.meta.get("collection_index"):
            # a bitmap of each collection's rows: a search within some collections filters through it
            # instead of reading the column (at 100k passages: ~half the filtered vector search)
            self._table.create_scalar_index("collection", index_type="BITMAP", replace=True)
            self._save_meta(collection_index=True)

    # -- reading -----------------------------------------------------------------------
    def count(self, collection: str | None = None) -> int:
        """Passages (their extra vectors aside)."""
        with self.lock.read():
            if self._table is None:
                return 0
            return int(self._table.count_rows(f"{OWN} AND {in_collections([collection])}" if collection else OWN))

    def vector_search(self, names: Sequence[str] | None, vector: Sequence[float], limit: int) -> list[tuple[dict[str, Any], float]]:
        """(row, cosine similarity), best first, within collections ``names`` (None: all of them); a
        row of a passage's extra vector has the passage's id in ``of`` (see ``retrieval.fuse``)."""
        if self._table is None or len(vector) != self.dim:
            return []
        with self.lock.read():
            q = self._table.search(list(vector), query_type="vector").distance_type("cosine")
            if names is not None:
                q = q.where(in_collections(names), prefilter=True)
            q = q.select([*FIELDS, "of", "_distance"]).limit(limit)
            if self.meta.get("indexed"):  # deeper than memory's searches: no refining (~2x the time at 100 rows)
                q = q.nprobes(self.meta["nprobes"]).ef(max(INDEX_EF, limit * 3 // 2))
            rows = q.to_list()
        return [(r, 1.0 - float(r["_distance"])) for r in rows]

    def text_search(self, names: Sequence[str] | None, query: str, limit: int) -> list[tuple[dict[str, Any], float]]:
        """(row, BM25 score), best first, within collections ``names`` (None: all of them).

        Collections that hold most of the passages are searched through the whole table, keeping
        theirs (the scores are the table's either way, so the passages are the same); filtering
        first costs more there. Too few kept: filtered first after all."""
        if self._table is None or not query.strip():
            return []
        with self.lock.read():
            if names is not None and self._share(names) >= POSTFILTER_SHARE:
                wanted = set(names)
                rows = self._text_query(query, limit * OVERFETCH).to_list()
                kept = [r for r in rows if r["collection"] in wanted]
                if len(kept) >= limit or len(rows) < limit * OVERFETCH:
                    return [(r, float(r["_score"])) for r in kept[:limit]]
            q = self._text_query(query, limit)
            if names is not None:
                q = q.where(in_collections(names), prefilter=True)
            rows = q.to_list()
        return [(r, float(r["_score"])) for r in rows]

    def _text_query(self, query: str, limit: int) -> Any:
        return self._table.search(query, query_type="fts", fts_columns="search_text").select([*FIELDS, "_score"]).limit(limit)

    def _share(self, names: Sequence[str]) -> float:
        """The share of the table's passages in collections ``names`` (counted once per table version)."""
        version = self._table.version
        if self._counts is None or self._counts[0] != version:
            total = self._table.count_rows()
            self._counts = (version, total, {})
        _, total, per = self._counts
        for name in names:
            if name not in per:
                per[name] = self._table.count_rows(in_collections([name]))
        return sum(per[n] for n in names) / total if total else 0.0

    def disk_bytes(self) -> int:
        return directory_bytes(self.directory)

    def close(self) -> None:
        with self.lock.write():
            self._table = self._db = None
