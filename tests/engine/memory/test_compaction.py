"""Compaction a few fragments at a time keeps the directory near its size (a real LanceDB table)."""

from __future__ import annotations

import lancedb
import numpy as np
import pyarrow as pa
from lance.optimize import Compaction

from wits_tui.engine.memory.compaction import compact_in_steps
from wits_tui.engine.memory.store import directory_bytes


def _batch(start: int, stop: int, rng) -> pa.Table:
    return pa.table({
        "id": list(range(start, stop)),
        "text": [f"topic{i % 31} note {i}" for i in range(start, stop)],
        "vector": [rng.random(128).astype("float32").tolist() for _ in range(start, stop)],
    })


def test_compaction_in_steps_bounds_the_peak_and_keeps_every_row(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    directory = tmp_path / "memory"
    table = lancedb.connect(directory).create_table("segments", _batch(0, 300, rng))
    for i in range(1, 30):  # many small appends, as turn-by-turn writes make
        table.add(_batch(300 * i, 300 * (i + 1), rng))
    table.delete("id % 4 = 0")
    before = directory_bytes(directory)
    step = before // 10

    peaks: list[int] = []
    commit = Compaction.commit

    def measured_commit(dataset, rewrites, *args, **kwargs):
        result = commit(dataset, rewrites, *args, **kwargs)
        peaks.append(directory_bytes(directory))  # old and new files both on disk now
        return result

    monkeypatch.setattr(Compaction, "commit", staticmethod(measured_commit))
    steps = compact_in_steps(table, step, before)

    assert steps >= 5 and len(peaks) == steps
    # a whole-table rewrite would reach about twice the live data; a step adds about one step
    assert max(peaks) <= before + 2 * step
    assert directory_bytes(directory) < before  # deleted rows really left the disk
    assert table.count_rows() == 9000 - 2250
    reopened = lancedb.connect(directory).open_table("segments")
    assert reopened.count_rows() == 6750 and len(reopened.to_lance().versions()) == 1
