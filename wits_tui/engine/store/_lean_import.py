"""Import sqlite-utils without numpy and pandas.

sqlite-utils imports numpy and pandas at import time whenever they are installed,
only to map their scalar types to column types. lancedb installs numpy, so every
``wits`` command that opens the database paid for numpy (about 45 ms of a 300 ms
``wits ask``); pandas, if a user has it, costs 300 ms more. Wits never hands numpy or
pandas values to sqlite-utils, so it loses nothing by not having those mappings.

The block applies only to imports made by sqlite-utils' own module code (it looks
at the importing thread's stack), so another thread importing numpy at the same
moment (lancedb, the classifier) is never affected. When numpy is already loaded,
sqlite-utils gets it as usual.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import FrameType, ModuleType

_BLOCKED = frozenset({"numpy", "pandas"})
_IMPORTERS = ("sqlite_utils",)


class _SkipForSqliteUtils(MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname not in _BLOCKED:
            return None
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            name = frame.f_globals.get("__name__", "")
            if name.split(".", 1)[0] in _IMPORTERS:
                raise ModuleNotFoundError(f"{fullname} is not imported for sqlite-utils (see {__name__})", name=fullname)
            frame = frame.f_back
        return None


class _LazyClick(ModuleType):
    """Stands in for click while sqlite-utils is imported: its modules import click (about 30 ms of
    CPU) for a hook's type annotation and for progress bars Wits never asks for. ``Group`` is the
    annotation; anything else imports the real click and answers from it."""

    Group = object

    def __getattr__(self, name: str) -> object:
        import importlib

        sys.modules.pop("click", None)
        return getattr(importlib.import_module("click"), name)


def import_sqlite_utils() -> ModuleType:  # the sqlite_utils module
    if "sqlite_utils" in sys.modules:
        return sys.modules["sqlite_utils"]
    finder = _SkipForSqliteUtils()
    stand_in = None if "click" in sys.modules else _LazyClick("click")
    if stand_in is not None:
        sys.modules["click"] = stand_in
    sys.meta_path.insert(0, finder)
    try:
        import sqlite_utils
    finally:
        sys.meta_path.remove(finder)
        if stand_in is not None and sys.modules.get("click") is stand_in:
            del sys.modules["click"]  # whoever imports click later gets the real one
    return sqlite_utils
