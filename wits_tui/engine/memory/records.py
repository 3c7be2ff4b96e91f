"""Plain records the memory hands out: segments, hits, status, statistics, prune results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from wits_tui.engine.errors import MemoryBroken, MemoryMaintenanceError, MemoryWriteFailed

__all__ = [
    "Hit", "MemoryBroken", "MemoryMaintenanceError", "MemoryState", "MemoryStats", "MemoryStatus", "MemoryWriteFailed",
    "PruneProgress", "PruneResult", "Recall", "ReembedProgress", "Segment", "SegmentKind",
]

#: What a segment is: an exchange stored after a turn, a note (`/remember`), or a fact about the user.
SegmentKind = Literal["turn", "note", "fact"]

#: off: disabled in settings; closed: not opened yet (lancedb not imported); ready: vector + full-text
#: recall; text_only: no embedding model answered, recall is full-text only; reembedding: the
#: embedding model changed and segments are being embedded again; broken: the directory cannot be
#: read (chat keeps working without memory; `wits memory repair` starts afresh).
MemoryState = Literal["off", "closed", "ready", "text_only", "reembedding", "broken"]


@dataclass(frozen=True, slots=True)
class MemoryStatus:
    state: MemoryState
    message: str = ""
    hint: str = ""

    @property
    def usable(self) -> bool:
        return self.state in ("ready", "text_only", "reembedding")


@dataclass(frozen=True, slots=True)
class Segment:
    id: str
    text: str
    kind: str
    role: str
    session_id: int | None
    message_id: int | None
    created_at: str
    last_accessed_at: str
    access_count: int
    relevance: float
    embed_model: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """A segment found for a query. ``similarity`` is the cosine similarity (vector search),
    ``text_score`` the BM25 score (full-text search); either may be missing."""

    segment: Segment
    score: float
    similarity: float | None = None
    text_score: float | None = None

    @property
    def text(self) -> str:
        return self.segment.text

    @property
    def created_at(self) -> str:
        return self.segment.created_at


@dataclass(frozen=True, slots=True)
class Recall:
    """What recall adds to a prompt. ``block`` is empty when nothing passed the thresholds."""

    hits: list[Hit]
    block: str
    tokens: int
    mode: Literal["hybrid", "text_only", "skipped"]
    elapsed_ms: float
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PruneProgress:
    stage: Literal["measuring", "deleting", "compacting", "done"]
    removed: int
    planned: int
    size_bytes: int


@dataclass(frozen=True, slots=True)
class PruneResult:
    strategy: str
    removed: int
    removed_ids: list[str]
    size_before: int
    size_after: int
    cap_bytes: int
    rounds: int
    ok: bool = True
    error: str = ""
    finished_at: str = ""


@dataclass(frozen=True, slots=True)
class ReembedProgress:
    done: int
    total: int
    model: str


@dataclass(frozen=True, slots=True)
class MemoryStats:
    status: MemoryStatus
    segments: int
    size_bytes: int
    cap_bytes: int
    threshold_bytes: int
    embed_model: str | None
    dim: int | None
    indexed: bool
    last_prune: dict[str, Any] | None = field(default=None)

    @property
    def size_mb(self) -> float:
        return self.size_bytes / 1_000_000
