"""Pruning on a real LanceDB directory: the size cap, strategies, failures, concurrency."""

from __future__ import annotations

import threading

import pytest

from tests.engine.memory.conftest import make_memory, run
from tests.engine.memory.test_memory import filler
from tests.waiting import hang_guard
from wits_tui.engine.memory.store import directory_bytes

CAP_MB = 0.4


def write_batches(memory, batches, per_batch=10, seed=0):
    texts = filler(batches * per_batch, seed=seed)

    async def go():
        sizes = []
        for b in range(batches):
            for t in texts[b * per_batch : (b + 1) * per_batch]:
                memory.queue_turn(1, t, "noted")
            await memory.flush()
            sizes.append(directory_bytes(memory.directory))
        return sizes

    return run(memory, go())


def test_the_size_stays_under_the_cap_across_many_writes(paths, server):
    memory = make_memory(paths, server, max_memory_size_mb=CAP_MB, pruning_threshold=0.9)
    results = []
    memory.on_prune = results.append
    sizes = write_batches(memory, batches=40)
    cap = CAP_MB * 1_000_000
    assert results and all(r.ok and r.removed for r in results)
    assert max(sizes) <= 1.1 * cap, f"peak {max(sizes)} bytes"
    assert all(r.size_after <= 0.9 * cap for r in results)
    assert memory.stats().last_prune["removed"] == results[-1].removed
    memory.close()


@pytest.mark.parametrize("strategy", ["oldest_first", "least_relevant", "hybrid"])
def test_a_manual_prune_removes_rows_in_strategy_order(paths, server, strategy):
    memory = make_memory(paths, server, max_memory_size_mb=0.3, pruning_threshold=0.5, enable_auto_pruning=False)
    write_batches(memory, batches=6)
    first = memory.store.columns(["id", "created_at"])
    oldest = [i for _, i in sorted(zip(first["created_at"], first["id"]))]
    kept = run(memory, memory.remember("the boiler service is due in March"))  # a fresh note: high relevance
    progress = []
    result = memory.prune(strategy, progress=progress.append)
    assert result.ok and result.removed > 0 and result.size_after <= 0.8 * 0.5 * 300_000
    assert memory.store.count() == 61 - result.removed
    assert [p.stage for p in progress][-1] == "done" and "compacting" in [p.stage for p in progress]
    assert kept.id not in result.removed_ids  # newest and most relevant survives every strategy
    if strategy == "oldest_first":
        assert result.removed_ids == oldest[: result.removed]
    memory.close()


def test_a_failed_compaction_is_reported_not_swallowed(paths, server, monkeypatch):
    memory = make_memory(paths, server, max_memory_size_mb=0.3, pruning_threshold=0.5, enable_auto_pruning=False)
    write_batches(memory, batches=6)

    def disk_full(*_, **__):
        raise OSError(28, "No space left on device")

    # fault injection: the disk-full error lance would raise while rewriting fragments
    monkeypatch.setattr("wits_tui.engine.memory.store.compact_in_steps", disk_full)
    result = memory.prune("oldest_first")
    assert not result.ok and "No space left on device" in result.error and "free disk space" in result.error
    assert memory.stats().last_prune["ok"] is False
    memory.close()


def test_a_write_during_a_prune_waits_and_is_kept(paths, server):
    memory = make_memory(paths, server, max_memory_size_mb=0.3, pruning_threshold=0.5, enable_auto_pruning=False)
    write_batches(memory, batches=6)
    deleting, release = threading.Event(), threading.Event()

    def hold(p):
        if p.stage == "deleting":
            deleting.set()
            release.wait(hang_guard())

    pruner = threading.Thread(target=lambda: out.append(memory.prune("oldest_first", progress=hold)))
    out = []
    pruner.start()
    assert deleting.wait(hang_guard())
    writer_done = threading.Event()

    def write():
        run(memory, memory.remember("written while pruning: the cat is called Mochi"))
        writer_done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not writer_done.wait(0.3)  # the store is held by the prune
    assert run(memory, memory.recall("Mochi")).mode == "skipped"  # recall does not wait for a prune
    release.set()
    pruner.join(hang_guard())
    writer.join(hang_guard())
    assert out[0].ok and out[0].removed > 0
    assert any("Mochi" in s.text for s in memory.export())
    assert "Mochi" in run(memory, memory.recall("Mochi")).block
    memory.close()
