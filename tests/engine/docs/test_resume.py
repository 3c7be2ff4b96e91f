"""An index run killed (SIGKILL) in the middle resumes: the next update indexes only what was
not recorded, and no passage is stored twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.engine.docs.conftest import REPO, index, make_docs
from wits_tui.engine.docs import indexer


@pytest.mark.parametrize("where", ["after-batch", "between-writes"])
def test_a_killed_index_run_resumes_without_duplicates(paths, store, server, tmp_path, where):
    root = tmp_path / "notes"
    root.mkdir()
    total = indexer.BATCH_FILES * 3 + 5
    for i in range(total):
        (root / f"note{i:03}.md").write_text(f"# Note {i}\n\nThe number of this note is {i}.\n\n## More\n\nLine {i}.\n")
    docs = make_docs(paths, store, server)
    docs.add([root], "notes")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.engine.docs.index_child", str(paths.database), str(paths.docs_dir), server.host, "notes", where],
        stdout=subprocess.PIPE, text=True, cwd=REPO, env=env)
    try:
        line = child.stdout.readline()  # waits for the first recorded batch (the child then hangs)
        assert line.startswith(("recorded", "passages written")), line
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
    states = store.docs.files("notes").values()
    recorded = sum(f.status == "indexed" for f in states)
    if where == "after-batch":
        assert 0 < recorded < total
    else:  # killed after the first batch's passages were written, before its files were recorded as done
        assert recorded == 0 and {f.status for f in states} == {"pending"}
        assert docs.open_store().count("notes") > 0

    report = index(docs, "notes")
    assert report.ok and report.unchanged == recorded and report.indexed == total - recorded
    files = store.docs.files("notes")
    assert len(files) == total and all(f.status == "indexed" for f in files.values())
    assert docs.passages.count("notes") == sum(f.chunks for f in files.values()) == total * 2
    docs.close()
