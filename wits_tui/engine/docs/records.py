"""What the documents side hands out: progress, reports, passages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class IndexProgress:
    collection: str
    files_done: int
    files_total: int  # files to (re-)index in this run
    chunks: int
    elapsed_s: float
    path: str = ""
    stage: str = "indexing"  # scanning | indexing | finishing

    @property
    def fraction(self) -> float | None:
        return self.files_done / self.files_total if self.files_total else None

    @property
    def files_per_s(self) -> float:
        return self.files_done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        rate = self.files_per_s
        return (self.files_total - self.files_done) / rate if rate > 0 else None

    def line(self) -> str:
        if self.stage != "indexing":
            return f"docs {self.collection}: {self.stage}…"
        eta = f" · ETA {self.eta_s:.0f} s" if self.eta_s is not None and self.files_done else ""
        return (f"docs {self.collection}: {self.files_done}/{self.files_total} files · {self.chunks} passages · "
                f"{self.files_per_s:.1f} files/s{eta}")


@dataclass
class IndexReport:
    collection: str
    indexed: int = 0  # files (re-)embedded in this run
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0  # passages written in this run
    embedded: int = 0  # passages sent to the embedding model (the rest came from the cache)
    cached: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): tried again on update
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): not document files
    ignored: int = 0  # by .gitignore
    elapsed_s: float = 0.0
    cancelled: bool = False
    error: str = ""  # the run stopped early (what was done is kept)
    hint: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and not self.cancelled

    def summary(self) -> str:
        parts = [f"{self.collection}: {self.indexed} files indexed ({self.chunks} passages)", f"{self.unchanged} unchanged"]
        if self.removed:
            parts.append(f"{self.removed} removed")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        if self.ignored:
            parts.append(f"{self.ignored} ignored by .gitignore")
        if self.chunks:
            parts.append(f"{self.cached} embeddings from the cache")
        parts.append(f"{self.elapsed_s:.1f} s")
        head = " · ".join(parts)
        if self.cancelled:
            return f"stopped: {head} (what was indexed is kept; `update` goes on)"
        if self.error:
            return f"stopped: {self.error}" + (f"; {self.hint}" if self.hint else "") + f" ({head})"
        return head


@dataclass(frozen=True, slots=True)
class Passage:
    id: str
    collection: str
    path: str
    kind: str
    start_line: int
    end_line: int
    heading: str
    text: str
    score: float = 0.0  # reciprocal rank fusion
    similarity: float | None = None
    text_score: float | None = None
    rel: str = ""  # the path as shown: relative to the folder the collection was made from

    @property
    def shown_path(self) -> str:
        return self.rel or self.path

    @property
    def location(self) -> str:
        """``src/app.py:12-30``; ``guide.pdf p.3`` for a PDF; ``page.html § Install`` for HTML (whose
        text lines are not the file's lines)."""
        if self.kind == "html":
            return f"{self.shown_path} § {self.heading}" if self.heading else self.shown_path
        if self.kind == "pdf":
            pages = f"{self.start_line}" if self.start_line == self.end_line else f"{self.start_line}-{self.end_line}"
            return f"{self.shown_path} p.{pages}"
        lines = f"{self.start_line}" if self.start_line == self.end_line else f"{self.start_line}-{self.end_line}"
        return f"{self.shown_path}:{lines}"


@dataclass(frozen=True, slots=True)
class CollectionStats:
    name: str
    roots: tuple[str, ...]
    files: int
    chunks: int
    failed: int
    updated_at: str


def source_title(passage: Mapping[str, Any]) -> str:
    """``[1] guide/install.md:12-30 — Install``: a passage an answer was given, as the chat, the
    line mode, `wits ask` and the exports name it."""
    heading = f" — {passage['heading']}" if passage.get("heading") else ""
    return f"[{passage['n']}] {passage['location']}{heading}"
