"""The garbage collector in a `wits` process.

Start-up (about 500 modules: pydantic, httpx, ollama, sqlite-utils) creates only
objects that live until the process ends, yet every few thousand allocations the
collector walks them all again; and at exit the interpreter walks the whole heap once
more. For `wits ask` that was about 60 ms of a 400 ms run (measured with
``benchmarks.run ask``). So the console script turns collection off while starting
and freezes the heap just before exiting, when every resource has been closed
explicitly. In between, collection is back on:

- ``settle()`` (`wits ask`) also moves what start-up built into the permanent
  generation (``gc.freeze``), so the collector never walks it again;
- ``release()`` (every other command; the TUI once its first frame is up and its engine
  has opened) only turns collection back on. A
  long-running process is better off without a frozen heap: CPython starts a full
  collection when the objects made since the last one exceed a quarter of the
  long-lived ones, and frozen objects no longer count, so full collections would come
  more often. (Not measured: the TUI figures are dominated by other start-up work.)

Only the console script does this (``run``); ``main()`` called from tests or as a
library leaves the collector alone.
"""

from __future__ import annotations

import gc

_managed = False


def start() -> None:
    global _managed
    _managed = True
    gc.disable()


def settle() -> None:
    """Start-up of a short command is over: keep what it built out of future collections,
    collect from now on."""
    if _managed:
        gc.freeze()
        gc.enable()


def release() -> None:
    """Start-up is over: collect from now on."""
    if _managed:
        gc.enable()


def finish() -> None:
    """The process is about to end and has closed what it opened: skip the exit-time walk."""
    if _managed:
        gc.freeze()
