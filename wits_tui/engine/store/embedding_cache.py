"""Embeddings of fixed texts (the classifier's example utterances), each embedded once per model."""

from __future__ import annotations

import hashlib
from array import array
from typing import TYPE_CHECKING

from wits_tui.engine.clock import now_iso
from wits_tui.engine.store.tx import transaction

if TYPE_CHECKING:
    import sqlite_utils


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get_many(self, model: str, texts: list[str]) -> dict[str, list[float]]:
        """The cached vectors for those of ``texts`` that have one (text -> vector)."""
        by_hash = {text_hash(t): t for t in texts}
        found: dict[str, list[float]] = {}
        hashes = list(by_hash)
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT text_hash, vector FROM embedding_cache WHERE model = ? AND text_hash IN ({marks})", [model, *chunk]
            ).fetchall()
            for digest, blob in rows:
                found[by_hash[digest]] = array("f", blob).tolist()
        return found

    def put_many(self, model: str, items: dict[str, list[float]]) -> None:
        ts = now_iso()
        rows = [
            {"model": model, "text_hash": text_hash(t), "text": t, "dim": len(v), "vector": array("f", v).tobytes(), "created_at": ts}
            for t, v in items.items()
        ]
        with transaction(self.db):
            self.db.table("embedding_cache").insert_all(rows, replace=True)

    def count(self, model: str | None = None) -> int:
        if model is None:
            return self.db.table("embedding_cache").count
        return int(self.db.execute("SELECT count(*) FROM embedding_cache WHERE model = ?", [model]).fetchone()[0])

    def clear(self, model: str | None = None) -> None:
        with transaction(self.db):
            if model is None:
                self.db.execute("DELETE FROM embedding_cache")
            else:
                self.db.execute("DELETE FROM embedding_cache WHERE model = ?", [model])
