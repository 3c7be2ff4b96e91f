"""sqlite-utils is imported without numpy and pandas, and nobody else is affected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_the_store_and_keyword_routing_do_not_load_numpy(tmp_path):
    out = _run(
        "import sys\n"
        "import wits_tui.engine.store, wits_tui.engine.routing.router, wits_tui.engine.turn\n"
        "print('numpy' in sys.modules, 'sqlite_utils' in sys.modules)\n"  # sqlite-utils: when a database opens
        f"wits_tui.engine.store.Store({str(tmp_path / 'w.db')!r}).close()\n"
        "print('numpy' in sys.modules, 'sqlite_utils' in sys.modules)\n"
    )
    assert out == "False False\nFalse True"


def test_reading_routing_tables_does_not_import_the_whole_store():
    # `wits classify --keywords-only` reads three tables through store.reader: the package imports
    # its other parts (the Store, attachments, documents, ...) only when they are asked for.
    out = _run(
        "import sys\n"
        "from wits_tui.engine.store.reader import StoreReader\n"
        "print(sorted(m for m in ('wits_tui.engine.store.core', 'wits_tui.engine.store.attachments', "
        "'wits_tui.engine.store.docs_catalog') if m in sys.modules))\n"
        "from wits_tui.engine.store import Store, SessionNotFound\n"
        "import wits_tui.engine.store as store\n"
        "print(Store.__module__, SessionNotFound.__name__, store.Message.__name__, 'wits_tui.engine.store.core' in sys.modules)\n"
    )
    assert out == "[]\nwits_tui.engine.store.core SessionNotFound Message True"


def test_numpy_still_imports_normally_afterwards_and_in_other_code(tmp_path):
    out = _run(
        "import sys, wits_tui.engine.store\n"
        f"wits_tui.engine.store.Store({str(tmp_path / 'w.db')!r}).close()\n"
        "import numpy, sqlite_utils.db as d\n"
        "print(numpy.float32(1.5) * 2, d.np is None)\n"
    )
    assert out == "3.0 True"


def test_numpy_loaded_first_is_left_to_sqlite_utils():
    out = _run("import numpy, wits_tui.engine.store, sqlite_utils.db as d\nprint(d.np is numpy)")
    assert out == "True"


def test_another_thread_importing_numpy_meanwhile_is_not_blocked():
    # The block looks at the importing thread's own stack: a thread that imports numpy
    # while sqlite-utils is being imported must get it.
    out = _run(
        "import sys, threading\n"
        "from wits_tui.engine.store import _lean_import as li\n"
        "got = []\n"
        "finder = li._SkipForSqliteUtils()\n"
        "sys.meta_path.insert(0, finder)\n"
        "t = threading.Thread(target=lambda: got.append(__import__('numpy').__name__)); t.start(); t.join()\n"
        "sys.meta_path.remove(finder)\n"
        "print(got)\n"
    )
    assert out == "['numpy']"


def test_the_block_applies_to_sqlite_utils_frames():
    from wits_tui.engine.store._lean_import import _SkipForSqliteUtils

    scope = {"__name__": "sqlite_utils.db", "finder": _SkipForSqliteUtils()}
    exec("try:\n    finder.find_spec('numpy')\n    r = 'found'\nexcept ModuleNotFoundError:\n    r = 'blocked'", scope)
    assert scope["r"] == "blocked"
    assert _SkipForSqliteUtils().find_spec("numpy") is None  # from here: look it up as usual
    assert _SkipForSqliteUtils().find_spec("json") is None


def test_click_is_not_imported_for_sqlite_utils_yet_is_real_for_anyone_who_asks():
    out = _run(
        "import sys, wits_tui.engine.store\n"
        "from wits_tui.engine.store import Store\n"
        "print('click' in sys.modules)\n"
        "import sqlite_utils.utils as u\n"
        "print(callable(u.click.progressbar))  # sqlite-utils' own use gets the real click\n"
        "import click\n"
        "print(click.Group.__module__.startswith('click'), 'click' in sys.modules)\n"
    )
    assert out == "False\nTrue\nTrue True"


def test_third_party_sqlite_utils_plugins_never_touch_the_connection(tmp_path):
    out = _run(
        "import sqlite_utils.plugins as p\n"
        "from wits_tui.engine.store import Store\n"
        f"Store({str(tmp_path / 'w.db')!r}).close()\n"
        "print(p._plugins_loaded)\n"
    )
    assert out == "False"
