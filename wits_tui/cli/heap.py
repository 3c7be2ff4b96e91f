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
- ``release()`` (every other command) only turns collection back on;
- ``defer_full()`` (the TUI, once its first frame is up and its engine has opened)
  freezes what start-up built and turns collection on; the app holds the collector's
  full collections back while someone types or an answer streams (``hold_full``, from
  :mod:`wits_tui.ui.controllers.collector`). Measured in the app while a 4,000-token
  answer streamed and keys were typed (gc callbacks, load ~6): full collections took
  150-330 ms each, 8 in 15 s, every one a pause for keys and drawing; with the heap
  frozen they still took 40-200 ms, since a frozen heap makes them more frequent (a
  full collection starts when the objects made since the last one exceed a quarter of
  the long-lived ones, and frozen objects no longer count).

Only the console script does this (``run``); ``main()`` called from tests or as a
library leaves the collector alone.
"""

from __future__ import annotations

import gc
from functools import cache
from typing import Any

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


_deferred = False
_full_threshold = 10  # the collector's own (gen-1 collections between two full ones), read by defer_full
#: A full-collection threshold in effect never reached.
NEVER = 1 << 30


def defer_full() -> None:
    """A long-running process's start-up is over: as :func:`settle`, and the app holds full
    collections back while someone waits (:func:`hold_full`)."""
    global _deferred, _full_threshold
    if _managed:
        _full_threshold = gc.get_threshold()[2]
        _deferred = True
    settle()


def hold_full(hold: bool) -> None:
    """Hold the collector's own full collections back (someone types, an answer streams), or let
    them run again, with its own rules (it skips one while the objects made since the last are
    under a quarter of the long-lived ones)."""
    if _deferred:
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, NEVER if hold else _full_threshold)


def full_due() -> bool:
    """Would the collector have run a full collection by now (as many gen-1 collections since
    the last as its own threshold)?"""
    return _deferred and gc.get_count()[2] >= _full_threshold


def full_collections() -> int:
    """Full collections so far."""
    return int(gc.get_stats()[2]["collections"])


def collect_full() -> int:
    """A full collection (held back too long, or due when the hold ends); the objects it freed."""
    return gc.collect(2) if _deferred else 0


def give_memory_back() -> None:
    """Hand the C heap's free memory back to the system (glibc's ``malloc_trim``; elsewhere nothing)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim`` from the process's own symbols, or None (macOS, musl, Windows)."""
    import ctypes

    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except (OSError, TypeError):
        return None


def release() -> None:
    """Start-up is over: collect from now on."""
    if _managed:
        gc.enable()


def finish() -> None:
    """The process is about to end and has closed what it opened: skip the exit-time walk."""
    if _managed:
        gc.freeze()
