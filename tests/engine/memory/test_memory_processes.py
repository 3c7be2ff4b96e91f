"""Several processes on one memory directory (issue 21 items 1-3), with real second processes."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from tests.engine.memory.conftest import make_memory, run

ROOT = Path(__file__).resolve().parents[3]


def worker(paths, server, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.engine.memory.memory_worker", str(paths.memory_dir), server.host, *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


def all_texts(paths, server) -> list[str]:
    fresh = make_memory(paths, server)
    try:
        return [s.text for s in fresh.export()]
    finally:
        fresh.close()


def test_a_process_that_opened_before_the_table_existed_keeps_what_another_wrote(paths, server):
    early = make_memory(paths, server)
    assert early.open().state == "ready" and not early.store.has_table  # like the TUI at start

    result = finish(worker(paths, server, "remember", "from ask", "2"))  # like `wits ask --memory` twice
    assert result["ok"] and result["written"] == 2, result

    early.queue_turn(1, "my cat is called Mochi", "noted")
    assert run(early, early.flush()) == 1
    early.close()
    texts = all_texts(paths, server)
    assert len(texts) == 3, texts  # the old code created the table over the other's: 1 row left
    assert sum("from ask" in t for t in texts) == 2


def test_overlapping_first_flushes_keep_memory_on(paths, server):
    memory = make_memory(paths, server)
    memory.queue_turn(1, "the boiler is serviced in March", "noted")

    async def two_flushes():
        return await asyncio.gather(memory.flush(), memory.flush())

    written = run(memory, two_flushes())
    assert sorted(written) == [0, 1]
    assert memory.status.state == "ready", memory.status  # the old code: IndexError, memory off for the run
    assert memory.store.count() == 1
    memory.close()


def test_two_writers_and_a_maintainer_at_once_lose_nothing(paths, server):
    n = 15
    maintainer = worker(paths, server, "maintain", "25")
    writers = [worker(paths, server, "remember", f"writer{w}", str(n)) for w in (1, 2)]
    results = [finish(p) for p in writers]
    maintained = finish(maintainer)
    for r in results:
        assert r["ok"] and r["written"] == n, r
    assert maintained["ok"], maintained
    texts = all_texts(paths, server)
    for w in (1, 2):
        assert sorted(int(t.split()[1].rstrip(":")) for t in texts if t.startswith(f"writer{w} ")) == list(range(n))


HOLD = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.lockf(fd, fcntl.LOCK_SH)
print("held", flush=True)
sys.stdin.read()
"""


def test_old_versions_stay_for_a_grace_period_while_another_process_has_memory_open(paths, server):
    from wits_tui.engine.memory.proclock import PRESENT_LOCK

    memory = make_memory(paths, server)
    for i in range(3):
        run(memory, memory.remember(f"note {i} about the garden"))
    table = memory.store._table
    other = subprocess.Popen([sys.executable, "-c", HOLD, str(paths.memory_dir / PRESENT_LOCK)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "held"
        memory.forget([s.id for s in memory.export()][:1])  # delete + compact while another process reads
        assert len(table.to_lance().versions()) > 1  # the old versions' files are kept (grace period)
        assert memory.store.live_bytes() < memory.store.disk_bytes()
    finally:
        other.stdin.close()
        other.wait(30)
    memory.store.compact()  # alone now: everything old goes at once
    assert len(table.to_lance().versions()) == 1
    assert memory.store.live_bytes() == memory.store.disk_bytes()
    memory.close()


def test_the_size_counts_what_is_on_disk_and_no_empty_index_directories_pile_up(paths, server):
    memory = make_memory(paths, server)
    for i in range(6):  # each compaction folds rows into a new full-text index; the old one's files go
        run(memory, memory.remember(f"note {i} about the harbour lantern"))
        memory.forget([s.id for s in memory.export() if s.text.startswith(f"note {i} ")])
        run(memory, memory.remember(f"kept {i}"))
        memory.store.compact()
    indices = next(paths.memory_dir.glob("*.lance")) / "_indices"
    empty = [d for d in indices.iterdir() if d.is_dir() and not any(d.iterdir())]
    assert empty == []  # the old code left one empty directory per compaction
    du = int(subprocess.run(["du", "-sb", str(paths.memory_dir)], capture_output=True, text=True, check=True).stdout.split()[0])
    assert memory.stats().size_bytes == du
    memory.close()
