"""Document collections in SQLite: their folders and the state of every file in them.

The passages themselves live in LanceDB (engine/docs/store.py); a file's row here is
written only after its passages are, so a killed index run leaves files without a
current hash, and the next run indexes them again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wits_tui.engine.clock import now_iso
from wits_tui.engine.store.tx import transaction

if TYPE_CHECKING:
    import sqlite_utils


@dataclass(frozen=True, slots=True)
class Collection:
    name: str
    roots: tuple[str, ...]
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class FileState:
    path: str
    kind: str
    size: int
    mtime_ns: int
    hash: str | None
    chunks: int
    status: str  # indexed | failed | pending (being written: its passages may be half there)
    error: str | None


def _collection(row: dict[str, Any]) -> Collection:
    return Collection(row["name"], tuple(json.loads(row["roots"])), row["created_at"], row["updated_at"])


class DocsCatalog:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- collections ---------------------------------------------------------------------
    def get(self, name: str) -> Collection | None:
        rows = list(self.db.query("SELECT * FROM docs_collections WHERE name = ?", [name]))
        return _collection(rows[0]) if rows else None

    def list(self) -> list[Collection]:
        return [_collection(r) for r in self.db.query("SELECT * FROM docs_collections ORDER BY name")]

    def save(self, name: str, roots: Sequence[str]) -> Collection:
        """Create the collection, or add ``roots`` to its folders."""
        now = now_iso()
        old = self.get(name)
        merged = list(dict.fromkeys([*(old.roots if old else ()), *roots]))
        with transaction(self.db):
            self.db.table("docs_collections").upsert(
                {"name": name, "roots": json.dumps(merged), "created_at": old.created_at if old else now, "updated_at": now},
                pk="name")
        return self.get(name)  # type: ignore[return-value]

    def touch(self, name: str) -> None:
        with transaction(self.db):
            self.db.execute("UPDATE docs_collections SET updated_at = ? WHERE name = ?", [now_iso(), name])

    def delete(self, name: str) -> None:
        with transaction(self.db):
            self.db.execute("DELETE FROM docs_files WHERE collection = ?", [name])
            self.db.execute("DELETE FROM docs_collections WHERE name = ?", [name])

    # -- files -------------------------------------------------------------------------
    def files(self, name: str) -> dict[str, FileState]:
        rows = self.db.query("SELECT * FROM docs_files WHERE collection = ?", [name])
        return {r["path"]: FileState(r["path"], r["kind"] or "", r["size"] or 0, r["mtime_ns"] or 0, r["hash"],
                                     r["chunks"] or 0, r["status"], r["error"]) for r in rows}

    def record(self, name: str, states: Sequence[FileState]) -> None:
        now = now_iso()
        rows = [{"collection": name, "path": s.path, "kind": s.kind, "size": s.size, "mtime_ns": s.mtime_ns,
                 "hash": s.hash, "chunks": s.chunks, "status": s.status, "error": s.error, "indexed_at": now}
                for s in states]
        with transaction(self.db):
            self.db.table("docs_files").upsert_all(rows, pk=("collection", "path"))

    def forget(self, name: str, paths: Sequence[str]) -> None:
        with transaction(self.db):
            for i in range(0, len(paths), 500):
                part = list(paths[i:i + 500])
                marks = ",".join("?" * len(part))
                self.db.execute(f"DELETE FROM docs_files WHERE collection = ? AND path IN ({marks})", [name, *part])

    def counts(self, name: str) -> dict[str, int]:
        row = self.db.execute(
            "SELECT count(*), coalesce(sum(chunks), 0), coalesce(sum(status = 'failed'), 0) FROM docs_files "
            "WHERE collection = ?", [name]).fetchone()
        return {"files": row[0], "chunks": row[1], "failed": row[2]}
