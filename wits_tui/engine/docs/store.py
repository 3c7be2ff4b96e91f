"""The LanceDB side of document collections: one table of passages in ``paths.docs_dir``.

Beside memory, never pruned by it and not counted in its size cap (its own directory,
its own cap: ``docs.max_size_mb``). Every collection's passages share the table (a
``collection`` column, filtered before the search), so one vector index and one
full-text index serve them all. A passage may have extra rows for its extra vectors (one per
definition in a code passage): they carry its fields, its id in ``of`` (a passage's own row:
``""``) and no searchable text. Methods block and are thread-safe (one lock); several processes
may share the directory (``shared.py``). lancedb is imported in :meth:`PassageStore.open` only.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from wits_tui.engine.docs.shared import META_FILE as META_FILE  # re-exported: its old home
from wits_tui.engine.docs.shared import SharedIndex
from wits_tui.engine.errors import DocsError as DocsError  # re-exported: its old home
from wits_tui.engine.memory.compaction import live_bytes
from wits_tui.engine.memory.proclock import CLEANUP_GRACE
from wits_tui.engine.memory.rows import directory_bytes

TABLE = "passages"
FIELDS = ("id", "collection", "path", "kind", "start_line", "end_line", "heading", "text")
#: A passage's own row (not one of its extra vectors).
OWN = "(of = '' OR of IS NULL)"
#: A search within collections holding at least this share of the passages looks through the
#: whole table for OVERFETCH times the rows their share would give, and keeps theirs.
POSTFILTER_SHARE = 0.5
OVERFETCH = 1.2
#: What a search reads of each row: enough to rank it. The passages that make the list are read
#: after the fusion (:meth:`PassageStore.fetch`): at 100,000 passages, reading text, path and
#: heading of every candidate cost about as much as the vector search itself.
LIGHT = ("id", "collection", "kind", "of")
#: What :meth:`PassageStore.fetch` reads (each column costs about as much as the next: only the rest).
TAKEN = ("id", "path", "start_line", "end_line", "heading", "text")
#: Vector rows per partition of the vector index (memory's: 25,000). Fewer, bigger partitions:
#: at 341,000 vectors (100,000 passages) 4 partitions searched with ef 2.5 x limit found more of the
#: exact neighbours (0.88 vs 0.85) in less time (6.8 vs 9.2 ms) than 13 with ef 1.5 x limit.
ROWS_PER_PARTITION = 80_000
#: The HNSW search list of a vector search, per row asked for.
EF_PER_ROW = 2.5


def _quote(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def in_collections(names: Sequence[str]) -> str:
    return f"collection IN ({_quote(names)})"


class PassageStore(SharedIndex):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self._counts: tuple[Any, int, dict[str, int]] | None = None  # (table stamp, rows, rows per collection)
        self.index_min_rows = 20_000  # docs.index_min_rows: below it, exact vector search

    def open(self) -> "PassageStore":
        with self.lock.write():
            if self._db is not None:
                return self
            os.environ.setdefault("LANCEDB_LOG", "error")
            import lancedb  # slow: ~1 s; only here

            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._locks.announce()
                # every read sees the latest version, as memory's store does: another process (`wits docs
                # update` beside the app) folds the table and deletes the files an older version reads
                self._db = lancedb.connect(str(self.directory), read_consistency_interval=timedelta(0))
                self._sync()  # without the write lock: opening never waits for another process's fold
                if self._table is not None and "of" not in self._table.schema.names:
                    with self._writing():  # made before extra vectors: all passages' own
                        if "of" not in self._table.schema.names:
                            self._table.add_columns({"of": "''"})
                if self._table is not None:
                    self._table.count_rows()
            except DocsError:
                self._db = self._table = None
                raise
            except Exception as exc:  # noqa: BLE001 - any failure here means the directory is unusable
                self._db = self._table = None
                raise DocsError(f"the document index in {self.directory} cannot be read: {type(exc).__name__}: {exc}",
                                f"move {self.directory} aside and run `wits docs update` for each collection") from exc
            return self

    def ensure_table(self, dim: int, embed_model: str) -> None:
        import pyarrow as pa
        from lancedb.index import FTS

        with self._writing():
            if self._table is not None:
                return
            schema = pa.schema([
                pa.field("id", pa.string(), nullable=False), pa.field("collection", pa.string()),
                pa.field("path", pa.string()), pa.field("kind", pa.string()),
                pa.field("start_line", pa.int32()), pa.field("end_line", pa.int32()),
                pa.field("heading", pa.string()), pa.field("text", pa.string()), pa.field("search_text", pa.string()),
                pa.field("file_hash", pa.string()), pa.field("of", pa.string()), pa.field("vector", pa.list_(pa.float32(), dim)),
            ])
            self._table, self._ds = self._db.create_table(TABLE, schema=schema, mode="overwrite"), None
            self._table.create_index("search_text", config=FTS())
            self._generation = int(self.meta.get("generation", 0)) + 1
            self.save_meta(table=TABLE, dim=dim, embed_model=embed_model, indexed=False, generation=self._generation)

    def reset(self) -> None:
        """Drop every passage and forget the embedding model (before indexing again with another)."""
        with self._writing():
            if self._db is not None and self.meta.get("table"):
                self._db.drop_table(self.meta["table"])
            self._table = self._ds = None
            for key in ("table", "dim", "embed_model", "indexed", "schemes", "collection_index"):
                self.meta.pop(key, None)
            self.save_meta()

    def set_scheme(self, collection: str, scheme: str) -> None:
        """Record how ``collection``'s passages were embedded (``embed_text.SCHEME``)."""
        with self._writing():
            if self.meta.get("schemes", {}).get(collection) != scheme:
                self.save_meta(schemes={**self.meta.get("schemes", {}), collection: scheme})

    # -- writing -----------------------------------------------------------------------
    def replace_files(self, collection: str, paths: Sequence[str], rows: list[dict[str, Any]]) -> None:
        """Delete the passages of ``paths`` and add ``rows``. Deleting first makes a run that was
        killed between this and the catalog write safe to repeat."""
        with self._writing():
            self.delete_files(collection, paths)
            if rows:
                self._unfolded()
                self._table.add(rows)

    def delete_files(self, collection: str, paths: Sequence[str]) -> None:
        with self._writing():
            if self._table is None or not paths:
                return
            self._unfolded()
            for i in range(0, len(paths), 500):
                self._table.delete(f"collection = {_quote([collection])} AND path IN ({_quote(paths[i:i + 500])})")

    def delete_collection(self, collection: str) -> None:
        with self._writing():
            if self._table is not None:
                self._table.delete(in_collections([collection]))
                self.optimize()

    def _unfolded(self) -> None:
        """Rows were added or deleted: the next :meth:`optimize` has work (recorded on disk, so a run
        killed before it is folded by the next)."""
        if not self.meta.get("unfolded"):
            self.save_meta(unfolded=True)

    def optimize(self, only_if_changed: bool = False) -> None:
        """Fold new rows into the indexes and drop the files of deleted rows. ``only_if_changed``:
        nothing to do when no rows were added or deleted since the last time (an update that found
        nothing changed; at 100k passages an optimize can take a minute)."""
        with self._writing(), self._locks.alone() as alone, warnings.catch_warnings():
            if self._table is None or (only_if_changed and not self.meta.get("unfolded", True)):
                return
            warnings.simplefilter("ignore")  # "cleanup_older_than=0 removes every version": intended when alone
            grace = timedelta(0) if alone else CLEANUP_GRACE  # a search another process started still reads them
            self._table.optimize(cleanup_older_than=grace, delete_unverified=not grace)
            self._ensure_vector_index()
            self.save_meta(unfolded=False)

    def _ensure_vector_index(self) -> None:
        from lancedb.index import HnswSq

        rows = self._table.count_rows()
        if rows < self.index_min_rows:
            return
        if not self.meta.get("indexed"):
            partitions = max(1, rows // ROWS_PER_PARTITION)
            self._table.create_index("vector", config=HnswSq(distance_type="cosine", num_partitions=partitions))
            self.save_meta(indexed=True, nprobes=partitions)
        if not self.meta.get("collection_index"):
            # a bitmap of each collection's rows: a search within some collections filters through it
            # instead of reading the column (at 100k passages: ~half the filtered vector search)
            self._table.create_scalar_index("collection", index_type="BITMAP", replace=True)
            self.save_meta(collection_index=True)

    # -- reading -----------------------------------------------------------------------
    def count(self, collection: str | None = None) -> int:
        """Passages (their extra vectors aside)."""
        with self.lock.read():
            self._sync()
            if self._table is None:
                return 0
            return int(self._table.count_rows(f"{OWN} AND {in_collections([collection])}" if collection else OWN))

    def vector_search(self, names: Sequence[str] | None, vector: Sequence[float], limit: int) -> list[tuple[dict[str, Any], float]]:
        """(row, cosine similarity), best first, within collections ``names`` (None: all of them); a
        row of a passage's extra vector has the passage's id in ``of`` (see ``retrieval.fuse``).
        Rows hold the :data:`LIGHT` fields and ``_rowid``: :meth:`fetch` reads the rest."""
        if self._fresh() is None or len(vector) != self.dim:
            return []
        return self._search(names, lambda n: self._vector_query(vector, n), limit, lambda r: 1.0 - float(r["_distance"]))

    def _vector_query(self, vector: Sequence[float], limit: int) -> Any:
        q = (self._table.search(list(vector), query_type="vector").distance_type("cosine")
             .select([*LIGHT, "_distance"]).with_row_id(True).limit(limit))
        if self.meta.get("indexed"):  # deeper than memory's searches, no refining (~2x the time at 100 rows)
            q = q.nprobes(self.meta["nprobes"]).ef(max(64, int(limit * EF_PER_ROW)))
        return q

    def text_search(self, names: Sequence[str] | None, query: str, limit: int) -> list[tuple[dict[str, Any], float]]:
        """(row, BM25 score), best first, within collections ``names`` (None: all of them); rows as
        :meth:`vector_search`'s."""
        if self._fresh() is None or not query.strip():
            return []
        return self._search(names, lambda n: self._text_query(query, n), limit, lambda r: float(r["_score"]))

    def _search(self, names: Sequence[str] | None, query: Callable[[int], Any], limit: int,
                score: Callable[[dict[str, Any]], float]) -> list[tuple[dict[str, Any], float]]:
        """Collections that hold most of the passages are searched through the whole table, a little
        deeper, keeping theirs (for full text the scores are the table's either way, so the passages
        are the same); filtering first costs more there. Too few kept: filtered first after all."""
        with self.lock.read():
            version = self._stamp()  # row ids hold for this version only (see fetch)
            rows: list[dict[str, Any]] | None = None
            if names is not None and (share := self._share(names)) >= POSTFILTER_SHARE:
                depth, wanted = int(limit / share * OVERFETCH) + 1, set(names)
                found = query(depth).to_list()
                kept = [r for r in found if r["collection"] in wanted]
                if len(kept) >= limit or len(found) < depth:
                    rows = kept[:limit]
            if rows is None:
                q = query(limit)
                rows = (q.where(in_collections(names), prefilter=True) if names is not None else q).to_list()
        return [({**r, "_version": version}, score(r)) for r in rows]

    def fetch(self, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any] | None]:
        """Search ``rows`` with all their :data:`FIELDS` (in their order; None: gone), read by row id,
        or by id when the table was written or folded since the search."""
        if not rows:
            return []
        with self.lock.read():
            version = self._stamp()
            if all(r.get("_version") == version for r in rows):
                got = self._dataset(version)._take_rows([int(r["_rowid"]) for r in rows], columns=list(TAKEN)).to_pylist()
            else:  # the table was written or folded since the search: its row ids mean other rows now
                got = [None] * len(rows)
            out = [g if g is not None and g["id"] == r["id"] else None for r, g in zip(rows, got)]
            lost = [r["id"] for r, o in zip(rows, out) if o is None]
            if lost:
                found = self._table.search().where(f"id IN ({_quote(lost)})").select(list(TAKEN)).limit(len(lost)).to_list()
                by_id = {f["id"]: f for f in found}
                out = [o or by_id.get(r["id"]) for r, o in zip(rows, out)]
        return [{**r, **o} if o is not None else None for r, o in zip(rows, out)]

    def _dataset(self, version: tuple[int | None, int]) -> Any:
        """The table's Lance dataset, opened once per table version (reading rows by row id through
        it costs half of LanceDB's ``take_row_ids``; opening it, ~50 times that)."""
        if self._ds is None or self._ds[0] != version:
            self._ds = (version, self._table.to_lance())
        return self._ds[1]

    def _text_query(self, query: str, limit: int) -> Any:
        return (self._table.search(query, query_type="fts", fts_columns="search_text")
                .select([*LIGHT, "_score"]).with_row_id(True).limit(limit))

    def _share(self, names: Sequence[str]) -> float:
        """The share of the table's passages in collections ``names`` (counted once per table version)."""
        version = self._stamp()
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

    def live_bytes(self) -> int:
        """What the directory holds once old versions are cleaned up (the files another process's
        searches may still read are kept for a grace period: they do not count towards the cap)."""
        with self.lock.read():
            return live_bytes(self._table, self.directory)

    def close(self) -> None:
        with self.lock.write():
            self._table = self._db = self._ds = None
            self._meta_sig = self._generation = None  # opened again: read everything again
            self._locks.release()
