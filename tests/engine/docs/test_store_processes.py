"""Two processes with one document index open (the app, and `wits docs add|update` in another
terminal): writes take turns, and each follows what the other made."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

from tests.engine.docs.conftest import REPO
from wits_tui.engine.docs.store import META_FILE, PassageStore

DIM = 8

MAKE = """
import sys
from pathlib import Path
from wits_tui.engine.docs.store import PassageStore
store = PassageStore(Path(sys.argv[1])).open()
store.ensure_table(8, "m")
store.replace_files("notes", [], [{"id": f"n{i}", "collection": "notes", "path": f"/n/{i}.md", "kind": "markdown",
    "start_line": 1, "end_line": 2, "heading": "", "text": f"note {i}", "search_text": f"note {i} kites",
    "file_hash": "h", "of": "", "vector": [float(i + 1)] * 8} for i in range(5)])
store.optimize()
store.close()
"""

HOLD = """
import sys
from pathlib import Path
from wits_tui.engine.docs.store import PassageStore
store = PassageStore(Path(sys.argv[1])).open()
with store._locks.writing():  # the lock shared between processes
    print("holding", flush=True)
    sys.stdin.readline()
    store.set_scheme("theirs", "outline-2")
print("done", flush=True)
store.close()
"""


def _child(script: str, directory, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, str(directory)], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_a_table_another_process_made_is_searched_and_never_made_again_over_it(tmp_path):
    # The app opened the index before there was a table; `wits docs add` in another terminal made
    # it. The app's next search finds those passages, and its own first write opens that table
    # (it used to make a new empty one over it: every passage the other process indexed was gone).
    directory = tmp_path / "docs"
    app = PassageStore(directory).open()
    assert app.count() == 0
    other = _child(MAKE, directory)
    _, err = other.communicate(timeout=120)
    assert other.returncode == 0, err
    assert app.count() == 5
    assert [r["id"] for r, _ in app.text_search(["notes"], "kites", 10)]
    app.ensure_table(DIM, "m")
    app.set_scheme("notes", "outline-2")
    assert app.count() == 5
    app.close()


def test_writes_take_turns_with_another_process_and_keep_what_it_wrote(tmp_path):
    # Both processes opened the index; the other one is in the middle of a write when ours starts.
    # Ours waits for it, then reads what it saved before adding its own (it used to write its
    # older copy of the meta file over the other's).
    directory = tmp_path / "docs"
    app = PassageStore(directory).open()
    app.ensure_table(DIM, "m")
    other = _child(HOLD, directory, stdin=subprocess.PIPE)
    try:
        assert other.stdout.readline().strip() == "holding", other.stderr.read()
        ours = threading.Thread(target=app.set_scheme, args=("ours", "outline-2"))
        ours.start()
        other.stdin.write("go\n")
        other.stdin.flush()
        assert other.stdout.readline().strip() == "done", other.stderr.read()
        ours.join(120)
        assert not ours.is_alive()
    finally:
        other.stdin.close()
        other.wait(60)
    saved = json.loads((directory / META_FILE).read_text())
    assert saved["schemes"] == {"theirs": "outline-2", "ours": "outline-2"}
    app.close()


def test_an_index_closed_and_opened_again_finds_its_table(tmp_path):
    store = PassageStore(tmp_path / "docs").open()
    store.ensure_table(DIM, "m")
    store.replace_files("notes", [], [{"id": "n", "collection": "notes", "path": "/n.md", "kind": "markdown",
                                       "start_line": 1, "end_line": 1, "heading": "", "text": "note", "search_text": "note",
                                       "file_hash": "h", "of": "", "vector": [1.0] * DIM}])
    store.close()
    assert store.open().count() == 1
    store.close()
