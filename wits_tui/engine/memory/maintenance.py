"""Pruning to the size cap and re-embedding: the long-running jobs over the store.

``prune`` is sync (worker thread); ``reembed`` is async (it calls the backend).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wits_tui.engine.clock import now_iso
from wits_tui.engine.memory import pruning
from wits_tui.engine.memory.records import MemoryMaintenanceError, PruneProgress, PruneResult, ReembedProgress, Segment
from wits_tui.engine.memory.rows import epoch_seconds
from wits_tui.engine.memory.store import SegmentStore
from wits_tui.settings import MemorySettings

if TYPE_CHECKING:
    from wits_tui.engine.memory.facade import Memory

log = logging.getLogger("wits.memory")
MAX_ROUNDS = 6


def candidates(store: SegmentStore, size: int) -> list[pruning.Candidate]:
    cols = store.columns(["id", "created_at", "last_accessed_at", "access_count", "relevance", "text"])
    estimates = [pruning.estimate_row_bytes(len((t or "").encode()), store.dim) for t in cols["text"]]
    sizes = pruning.scale_to(estimates, size)
    return [
        pruning.Candidate(i, epoch_seconds(c), epoch_seconds(a), int(n or 0), float(r or 0), b)
        for i, c, a, n, r, b in zip(cols["id"], cols["created_at"], cols["last_accessed_at"], cols["access_count"], cols["relevance"], sizes)
    ]


def prune(store: SegmentStore, settings: MemorySettings, strategy: str, *,
          progress: Callable[[PruneProgress], None] | None = None, only_if_needed: bool = False) -> PruneResult:
    """Delete segments in ``strategy`` order, compact and clean up, until the directory is at most
    ``prune_to_fraction * pruning_threshold * cap``. ``only_if_needed``: do nothing below the threshold."""
    if strategy not in pruning.STRATEGIES:
        raise ValueError(f"unknown pruning strategy {strategy!r}; expected one of: {', '.join(pruning.STRATEGIES)}")
    report = progress or (lambda p: None)
    cap = int(settings.max_memory_size_mb * 1_000_000)
    threshold = settings.pruning_threshold if only_if_needed else 0.0
    target = settings.prune_to_fraction * settings.pruning_threshold * cap
    removed: list[str] = []
    with store.lock:
        size_before = store.disk_bytes()
        # old versions another process may still read stay for a grace period: what counts for
        # choosing victims is what stays once they go (the same as the disk size when alone)
        size = store.live_bytes()
        need = pruning.bytes_to_free(size_before, cap, threshold, 1.0) and max(0, int(size - target))
        if not need and size_before > size and pruning.bytes_to_free(size_before, cap, threshold, 1.0):
            _cleanup_quietly(store)
        rounds, error = 0, ""
        while need > 0 and rounds < MAX_ROUNDS and store.count():
            rounds += 1
            report(PruneProgress("measuring", len(removed), 0, size))
            victims = pruning.choose_victims(candidates(store, size), strategy, need, time.time())
            planned = len(removed) + len(victims)
            report(PruneProgress("deleting", len(removed), planned, size))
            ids = [v.id for v in victims]
            store.delete(ids)
            removed += ids
            report(PruneProgress("compacting", len(removed), planned, size))
            try:
                store.compact()
            except MemoryMaintenanceError as exc:
                error = f"{exc} - free disk space, then run `wits memory prune`"
                log.error("memory pruning could not free space: %s", exc, exc_info=exc)
                break
            size = store.live_bytes()
            need = max(0, int(size - target))
        size = store.disk_bytes()
        result = PruneResult(strategy, len(removed), removed, size_before, size, cap, rounds, ok=not error, error=error,
                             finished_at=now_iso())
        if rounds:
            store.save_meta(last_prune={"at": result.finished_at, "strategy": strategy, "removed": len(removed),
                                        "size_before": size_before, "size_after": size, "ok": result.ok, "error": error})
    report(PruneProgress("done", len(removed), len(removed), size))
    return result


def _cleanup_quietly(store: SegmentStore) -> None:
    try:
        store.cleanup()
    except Exception:  # noqa: BLE001 - only space is at stake; the next round tries again
        log.warning("memory clean-up of old versions failed", exc_info=True)


async def reembed(memory: "Memory", progress: Callable[[ReembedProgress], None] | None) -> int:
    """Embed with ``settings.embedding_model`` every segment that is not: in place when the
    dimension is unchanged, else into a new table generation that replaces the old one."""
    store, model = memory.store, memory.settings.embedding_model
    cols = await asyncio.to_thread(store.columns, ["id", "text", "embed_model"])
    todo = [(i, t) for i, t, m in zip(cols["id"], cols["text"], cols["embed_model"]) if m != model]
    if not todo:
        return 0
    batch = memory.settings.embed_batch_size
    probe = await memory.embed([todo[0][1]], model)
    if probe is None:
        return 0
    dim = len(probe[0])
    report = progress or (lambda p: None)
    if dim == store.dim:
        for k in range(0, len(todo), batch):
            part = todo[k : k + batch]
            vectors = await memory.embed([t for _, t in part], model)
            if vectors is None:
                return k
            await asyncio.to_thread(store.set_vectors, [i for i, _ in part], vectors, model)
            report(ReembedProgress(k + len(part), len(todo), model))
        return len(todo)
    # another dimension: copy every segment into a new table with the new vectors
    name, table = await asyncio.to_thread(store.new_generation, dim)
    done = 0
    for segments in store.iter_segments(batch):
        vectors = await memory.embed([s.text for s in segments], model)
        if vectors is None:
            await asyncio.to_thread(store.drop_table, name)
            return 0
        rows = [{**_fields(s), "vector": v, "embed_model": model} for s, v in zip(segments, vectors)]
        await asyncio.to_thread(store.add, rows, table)
        done += len(rows)
        report(ReembedProgress(done, len(cols["id"]), model))
    await asyncio.to_thread(store.switch_to, name, table, dim, model)
    return done


def _fields(s: Segment) -> dict[str, Any]:
    from datetime import datetime

    return {
        "id": s.id, "text": s.text, "kind": s.kind, "role": s.role, "session_id": s.session_id, "message_id": s.message_id,
        "created_at": datetime.fromisoformat(s.created_at), "last_accessed_at": datetime.fromisoformat(s.last_accessed_at),
        "access_count": s.access_count, "relevance": s.relevance,
    }
