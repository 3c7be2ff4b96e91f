"""The Memory facade: what the engine, the CLI and the TUI hold.

Threading: methods marked *async* call the backend (embeddings) and must run on
the event loop that owns the backend; they move LanceDB work to threads. The
plain methods touch LanceDB directly and block: call them from a worker thread
in a UI. Construction does no I/O and never imports lancedb.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from wits_tui.engine.backends.base import Backend
from wits_tui.engine.context import estimate_tokens
from wits_tui.engine.errors import EmbeddingUnavailable, MemoryUnavailable
from wits_tui.engine.memory import maintenance
from wits_tui.engine.memory import recall as recall_mod
from wits_tui.engine.memory.embedder import Embedder
from wits_tui.engine.memory.proclock import MemoryBusy
from wits_tui.engine.memory.records import (
    Hit,
    MemoryBroken,
    MemoryStats,
    MemoryStatus,
    MemoryWriteFailed,
    PruneProgress,
    PruneResult,
    Recall,
    ReembedProgress,
    Segment,
)
from wits_tui.engine.memory.store import PLACEHOLDER_DIM, SegmentStore
from wits_tui.settings import MemorySettings

log = logging.getLogger("wits.memory")

#: Recall waits at most this long for a prune or write holding the store; then it skips this turn.
RECALL_LOCK_WAIT_S = 0.05
#: Candidates fetched from each search before fusion.
SEARCH_DEPTH = 20
#: Rows written since the last compaction after which maintenance folds them into the indexes.
FOLD_AFTER_ROWS = 256
#: Share of the size cap one compaction step may rewrite.
COMPACT_STEP = 0.05
INITIAL_RELEVANCE = {"note": 1.0, "fact": 1.0, "turn": 0.5}


def _passing(exc: BaseException) -> bool:
    """A write failure that is no fault of the memory: a full disk, another process busy."""
    text = str(exc).lower()
    return isinstance(exc, MemoryBusy) or getattr(exc, "errno", None) == 28 or "no space left" in text


class Memory:
    def __init__(self, settings: MemorySettings, directory: Path, backend: Backend) -> None:
        self.settings = settings
        self.directory = Path(directory)
        self.embedder = Embedder(backend, batch_size=settings.embed_batch_size)
        # compaction rewrites at most 5% of the cap at a time, so the directory stays near its size
        self.store = SegmentStore(self.directory, compact_step_bytes=int(settings.max_memory_size_mb * 1_000_000 * COMPACT_STEP))
        self._status = MemoryStatus("off" if not settings.enabled else "closed")
        self._pending: list[dict[str, Any]] = []
        #: Why the last write was postponed ("" once a write succeeds).
        self.last_error = ""
        self._rebuilding = False
        self._accessed: dict[str, float] = {}
        #: Sessions deleted or cleared in this process, and when: their older rows are never written.
        self._forgotten: dict[int, datetime] = {}
        #: Called (from a worker thread) with every automatic prune result and status change.
        self.on_prune: Callable[[PruneResult], object] | None = None
        self.on_status: Callable[[MemoryStatus], object] | None = None

    # -- status and opening --------------------------------------------------
    @property
    def status(self) -> MemoryStatus:
        return self._status

    def _set_status(self, status: MemoryStatus) -> None:
        if status != self._status:
            self._status = status
            if self.on_status:
                self.on_status(status)

    def open(self) -> MemoryStatus:
        """Open the store (sync, imports lancedb: about a second). Never raises: a damaged
        directory gives the ``broken`` status with a repair hint."""
        if self._status.state == "off" or self.store.is_open or self._status.state == "broken":
            return self._status
        try:
            self.store.open()
        except MemoryBroken as exc:
            log.error("memory disabled: %s", exc.message)
            self._set_status(MemoryStatus("broken", exc.message, exc.hint))
            return self._status
        self._set_status(MemoryStatus("ready"))
        return self._status

    async def _ready(self) -> bool:
        if self._status.state == "closed":
            await asyncio.to_thread(self.open)
        return self._status.usable

    def _unreadable(self, exc: Exception) -> MemoryUnavailable:
        """Switch memory off after a failed read and describe it as the error to raise."""
        self._broken(exc)
        return MemoryUnavailable(self._status.message, self._status.hint)

    def _broken(self, exc: Exception) -> None:
        message = f"memory failed and is switched off for this run: {type(exc).__name__}: {exc}"
        log.error(message, exc_info=exc)
        # a failure while running says nothing about the files: repair (moving them aside) is only
        # the advice when opening finds them unreadable
        self._set_status(MemoryStatus("broken", message, "restart to use memory again; if `wits memory stats` then "
                                      "says it cannot be read, `wits memory repair` moves it aside"))

    async def embed(self, texts: list[str], model: str | None = None) -> list[list[float]] | None:
        """Vectors for ``texts`` (async), or None (status text_only) when no embedding model answers."""
        model = model or self.store.embed_model or self.settings.embedding_model
        try:
            vectors = await self.embedder.embed(model, texts)
        except EmbeddingUnavailable as exc:
            self._set_status(MemoryStatus("text_only", str(exc), exc.hint))
            return None
        if self._status.state == "text_only":
            self._set_status(MemoryStatus("ready"))
        return vectors

    # -- recall ----------------------------------------------------------------
    async def recall(self, query: str) -> Recall:
        """The memories for a prompt (async). Never raises; ``mode='skipped'`` says why not."""
        started = time.perf_counter()

        def elapsed() -> float:
            return (time.perf_counter() - started) * 1000

        s = self.settings
        if not await self._ready() or s.recall_max_segments == 0:
            return Recall([], "", 0, "skipped", elapsed(), self._status.message or self._status.state)
        vectors = await self.embed([query]) if self.store.dim else None
        try:
            found = await asyncio.to_thread(self._search, query, vectors[0] if vectors else None, SEARCH_DEPTH)
        except Exception as exc:  # noqa: BLE001 - memory must never break a turn
            self._broken(exc)
            return Recall([], "", 0, "skipped", elapsed(), self._status.message)
        if found is None:
            return Recall([], "", 0, "skipped", elapsed(), "memory is busy pruning")
        hits = recall_mod.fuse(*found, min_similarity=s.recall_min_similarity, min_text_score=s.recall_min_text_score,
                               terms=recall_mod.exact_terms(query))
        hits = recall_mod.within_budget(hits, max_segments=s.recall_max_segments, token_budget=s.recall_token_budget)
        for h in hits:  # access counts are written with the next batch (a write per recall would cost every turn)
            self._accessed[h.segment.id] = h.similarity if h.similarity is not None else 1.0
        block = recall_mod.format_block(hits)
        mode: Literal["hybrid", "text_only"] = "hybrid" if vectors else "text_only"
        return Recall(hits, block, estimate_tokens(block) if block else 0, mode, elapsed())

    def _search(self, query: str, vector: list[float] | None, depth: int) -> tuple[list[tuple[Segment, float]], list[tuple[Segment, float]]] | None:
        if not self.store.lock.acquire(timeout=RECALL_LOCK_WAIT_S):
            return None
        try:
            usable = vector is not None and len(vector) == self.store.dim
            by_meaning = self.store.vector_search(vector, depth) if vector is not None and usable else []
            return by_meaning, self.store.text_search(query, depth)
        finally:
            self.store.lock.release()

    async def search(self, query: str, limit: int = 10) -> list[Hit]:
        """Segments matching ``query`` (async): by meaning above ``recall_min_similarity``, or
        containing a word of it (full-text search finds only those)."""
        if not await self._ready():
            return []
        vectors = await self.embed([query]) if self.store.dim else None
        vector = vectors[0] if vectors and len(vectors[0]) == self.store.dim else None
        try:
            by_meaning, by_text = await asyncio.to_thread(
                lambda: (self.store.vector_search(vector, limit) if vector else [], self.store.text_search(query, limit)))
        except Exception as exc:  # noqa: BLE001 - damaged files: memory is switched off and the reason said
            raise self._unreadable(exc) from exc
        return recall_mod.fuse(by_meaning, by_text, min_similarity=self.settings.recall_min_similarity,
                               min_text_score=0.0)[:limit]

    # -- writing -----------------------------------------------------------------
    def _row(self, text: str, kind: str, role: str, session_id: int | None, message_id: int | None) -> dict[str, Any]:
        now = datetime.now(UTC)
        return {
            "id": uuid.uuid4().hex, "text": text[: self.settings.max_segment_chars], "kind": kind, "role": role,
            "session_id": session_id, "message_id": message_id, "created_at": now, "last_accessed_at": now,
            "access_count": 0, "relevance": INITIAL_RELEVANCE.get(kind, 0.5), "embed_model": None, "vector": None,
        }

    def queue_turn(self, session_id: int, user_text: str, answer_text: str, *, message_id: int | None = None) -> None:
        """Queue one exchange for the next :meth:`flush` (cheap, no I/O: call it after TurnDone)."""
        if self._status.state == "off" or not (user_text.strip() or answer_text.strip()):
            return
        text = f"User: {user_text.strip()}\nAssistant: {answer_text.strip()}"
        self._pending.append(self._row(text, "turn", "exchange", session_id, message_id))

    async def flush(self) -> int:
        """Embed the queued segments in one batch and write them (async); then check the size.
        Rows that could not be written for a passing reason (another process kept memory busy,
        a full disk) stay queued for the next flush, and ``last_error`` says why."""
        if not self._pending or self._rebuilding or not await self._ready():
            return 0
        # taken only now: an overlapping flush may have written them while this one opened the store
        rows, self._pending = self._pending, []
        if not rows:
            return 0
        vectors = await self.embed([r["text"] for r in rows])
        model = self.store.embed_model or self.settings.embedding_model
        if vectors:
            for row, vec in zip(rows, vectors):
                row["vector"], row["embed_model"] = vec, model
        try:
            await asyncio.to_thread(self._write, rows, len(vectors[0]) if vectors else None)
        except Exception as exc:  # noqa: BLE001 - sorted below: passing (kept, retried) or not (memory off)
            if not _passing(exc):
                self._broken(exc)
                return 0
            self._pending[:0] = rows
            self.last_error = f"{len(rows)} memories not written ({exc}); they are retried with the next write"
            log.error("memory write postponed: %s", exc, exc_info=exc)
            fix = "another Wits process is busy with memory" if isinstance(exc, MemoryBusy) else "free disk space"
            self._set_status(MemoryStatus(self._status.state, self.last_error, fix))
            raise MemoryWriteFailed(self.last_error) from exc
        if self.last_error:
            self.last_error = ""
            self._set_status(MemoryStatus(self._status.state))
        return len(rows)

    def _write(self, rows: list[dict[str, Any]], dim: int | None) -> None:
        rows = [r for r in rows if r["session_id"] not in self._forgotten
                or r["created_at"] > self._forgotten[r["session_id"]]]
        if not rows:
            return
        self.store.append(rows, dim, rows[0]["embed_model"], PLACEHOLDER_DIM)
        self.apply_access()
        if self.settings.enable_auto_pruning:
            self.maintain()

    async def remember(self, text: str, *, session_id: int | None = None, kind: str = "note") -> Segment:
        """Store a note now (`/remember TEXT`). Raises ValueError on empty text and
        :class:`MemoryUnavailable` when memory cannot take it (off, broken)."""
        if not text.strip():
            raise ValueError("nothing to remember: give the text, e.g. /remember my dog is called Rex")
        if not await self._ready():
            raise MemoryUnavailable(f"memory is {self._status.state}" + (f": {self._status.message}" if self._status.message else ""),
                                    self._status.hint)
        row = self._row(text.strip(), kind, "user", session_id, None)
        self._pending.append(row)
        await self.flush()
        return (await asyncio.to_thread(self.store.get, [row["id"]]))[0]

    async def find_for_forget(self, query: str, limit: int = 20) -> list[Segment]:
        """What `/forget QUERY` would remove: show these and ask before calling :meth:`forget`."""
        return [h.segment for h in await self.search(query, limit)]

    def forget(self, ids: list[str]) -> int:
        """Delete segments by id and free their space (sync). Returns how many went."""
        removed = self.store.delete(ids)
        if removed:
            self.store.compact()
        return removed

    def session_memories(self, session_id: int) -> int:
        """How many segments come from the session (sync), queued ones included."""
        queued = sum(1 for r in self._pending if r["session_id"] == session_id)
        return queued + self.store.count_session(session_id)

    def forget_session(self, session_id: int) -> int:
        """Delete what memory holds from a session that is deleted or cleared (sync):
        its queued exchanges too, so nothing of it is written afterwards."""
        # A flush under way holds rows taken from the queue: _write drops those made before now.
        self._forgotten[session_id] = datetime.now(UTC)
        queued = [r for r in self._pending if r["session_id"] == session_id]
        self._pending = [r for r in self._pending if r["session_id"] != session_id]
        removed = self.store.delete_session(session_id)
        if removed:
            self.store.compact()
        return removed + len(queued)

    def forget_messages(self, message_ids: list[int]) -> int:
        """Delete what memory holds from these messages (sync): answers an edit replaced are
        no longer what was said, so they are not recalled. Queued ones are dropped too."""
        wanted = set(message_ids)
        queued = [r for r in self._pending if r["message_id"] in wanted]
        self._pending = [r for r in self._pending if r["message_id"] not in wanted]
        removed = self.store.delete_messages(sorted(wanted)) if self._status.usable else 0
        return removed + len(queued)

    # -- maintenance, stats, export ---------------------------------------------
    def maintain(self, progress: Callable[[PruneProgress], None] | None = None) -> PruneResult | None:
        """The periodic check (sync): prune if over the threshold, build the vector index when it pays."""
        if not self._status.usable or self._rebuilding:
            return None
        self.apply_access()
        result = None
        if self.settings.enable_auto_pruning:
            result = self.prune(progress=progress, only_if_needed=True)
            if result.removed or not result.ok:
                if self.on_prune:
                    self.on_prune(result)
        try:
            if not self.store.ensure_vector_index(self.settings.index_min_rows) and self.store.unindexed_rows() >= FOLD_AFTER_ROWS:
                self.store.compact()  # folds new rows into the indexes: unindexed rows are scanned on every recall
        except Exception:  # noqa: BLE001 - search still works, only slower
            log.warning("memory index maintenance failed", exc_info=True)
        return result

    def prune(self, strategy: str | None = None, *, progress: Callable[[PruneProgress], None] | None = None,
              only_if_needed: bool = False) -> PruneResult:
        """Remove segments until the size is comfortably under the threshold (sync)."""
        return maintenance.prune(self.store, self.settings, strategy or self.settings.pruning_strategy,
                                 progress=progress, only_if_needed=only_if_needed)

    def stats(self) -> MemoryStats:
        cap = int(self.settings.max_memory_size_mb * 1_000_000)
        usable = self._status.usable
        return MemoryStats(
            status=self._status, segments=self.store.count() if usable else 0,
            size_bytes=self.store.disk_bytes(), cap_bytes=cap, threshold_bytes=int(cap * self.settings.pruning_threshold),
            embed_model=self.store.embed_model, dim=self.store.dim, indexed=bool(self.store.meta.get("indexed")),
            last_prune=self.store.meta.get("last_prune"),
        )

    def export(self) -> Iterator[Segment]:
        if self.open().usable:
            try:
                for batch in self.store.iter_segments():
                    yield from batch
            except Exception as exc:  # noqa: BLE001 - damaged files: said, not a traceback
                raise self._unreadable(exc) from exc

    async def reembed(self, progress: Callable[[ReembedProgress], None] | None = None) -> int:
        """Embed again every segment not embedded with ``settings.embedding_model`` (async)."""
        if not await self._ready():
            return 0
        self._rebuilding = True
        self._set_status(MemoryStatus("reembedding", f"embedding memory with {self.settings.embedding_model}"))
        try:
            return await maintenance.reembed(self, progress)
        finally:
            self._rebuilding = False
            if self._status.state == "reembedding":
                self._set_status(MemoryStatus("ready"))

    def apply_access(self) -> None:
        """Write the access counts of recent recalls (sync; also done after every write and by maintain())."""
        accessed, self._accessed = self._accessed, {}
        if accessed and self._status.usable:
            self.store.touch(accessed, datetime.now(UTC))

    def run_sync(self, coro: Any) -> Any:
        """Run one of this memory's coroutines on a fresh event loop (see Embedder.run_sync)."""
        return self.embedder.run_sync(coro)

    def wait_idle(self) -> None:
        """Write pending access counts now (tests, shutdown)."""
        self.apply_access()

    def close(self) -> None:
        try:
            self.apply_access()
        except Exception:  # noqa: BLE001 - closing must not fail over counters
            log.warning("could not write memory access counts", exc_info=True)
        self.store.close()
