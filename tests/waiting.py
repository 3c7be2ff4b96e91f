"""Waiting for the thing itself, never for a guessed time.

A test waits until what it checks has happened (a prompt, a message, a worker
finished). The deadline is only a guard against a hang: it is generous (60 s)
and scaled by ``WITS_TEST_TIMEOUT_SCALE`` for very slow machines, so a busy
2-core box never fails a test that would pass given time. It is never a speed
assertion: timing belongs in ``benchmarks/``.

``WITS_TEST_TIMEOUT_SCALE`` is read once, at import: the autouse ``wits_home``
fixture clears every ``WITS_`` variable before each test (Wits would read it as
a setting).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

#: Seconds before a wait gives up: a guard against a hang, not a speed target.
DEFAULT_TIMEOUT = 60.0


def _scale() -> float:
    raw = os.environ.get("WITS_TEST_TIMEOUT_SCALE", "").strip()
    if not raw:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"WITS_TEST_TIMEOUT_SCALE={raw!r} is not a number; use e.g. 2 or 0.5") from None
    if value <= 0:
        raise SystemExit(f"WITS_TEST_TIMEOUT_SCALE={raw!r} must be above 0; use e.g. 2 or 0.5")
    return value


TIMEOUT_SCALE = _scale()


def hang_guard(seconds: float | None = None) -> float:
    """The deadline (in seconds) for a wait: ``seconds`` or the default, times the scale."""
    return (DEFAULT_TIMEOUT if seconds is None else seconds) * TIMEOUT_SCALE


class WaitTimeout(AssertionError):
    """What a wait raises when its hang guard runs out."""


def _timed_out(what: str, limit: float) -> WaitTimeout:
    return WaitTimeout(f"gave up after {limit:g}s (a hang guard, WITS_TEST_TIMEOUT_SCALE={TIMEOUT_SCALE:g}) "
                       f"waiting for {what}")


def wait_until(condition: Callable[[], T], *, what: str = "the condition", timeout: float | None = None,
               interval: float = 0.01) -> T:
    """Block (in a plain, non-async test) until ``condition()`` is truthy; return its value."""
    limit = hang_guard(timeout)
    deadline = time.monotonic() + limit
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise _timed_out(what, limit)
        time.sleep(interval)


async def async_wait_until(condition: Callable[[], T], *, what: str = "the condition", timeout: float | None = None,
                           interval: float = 0.01, step: Callable[[float], Awaitable[object]] | None = None) -> T:
    """Let the event loop run until ``condition()`` is truthy; return its value.

    ``step(interval)`` is what runs between looks (default ``asyncio.sleep``); the UI tests pass
    ``pilot.pause`` so the app processes its messages meanwhile.
    """
    limit = hang_guard(timeout)
    deadline = time.monotonic() + limit
    pause = step or asyncio.sleep
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise _timed_out(what, limit)
        await pause(interval)


async def within(awaitable: Awaitable[T], *, what: str, timeout: float | None = None) -> T:
    """Await ``awaitable`` under the hang guard (e.g. a task, an event, a worker)."""
    limit = hang_guard(timeout)
    try:
        return await asyncio.wait_for(awaitable, limit)
    except TimeoutError:
        raise _timed_out(what, limit) from None
