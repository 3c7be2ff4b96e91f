"""The waiting helpers the suite relies on (tests/waiting.py)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tests import waiting
from tests.waiting import WaitTimeout, async_wait_until, hang_guard, wait_until, within


def test_wait_until_returns_the_first_truthy_value() -> None:
    counter = itertools.count()
    assert wait_until(lambda: next(counter) >= 3 and "done", what="three looks") == "done"


def test_a_wait_that_never_comes_true_names_what_it_waited_for() -> None:
    with pytest.raises(WaitTimeout, match="waiting for the kettle"):
        wait_until(lambda: False, what="the kettle", timeout=0)


def test_the_hang_guard_is_generous_and_scaled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(waiting, "TIMEOUT_SCALE", 3.0)
    assert hang_guard() == 180.0 and hang_guard(10) == 30.0
    assert waiting.DEFAULT_TIMEOUT >= 60


@pytest.mark.parametrize(("raw", "problem"), [("fast", "is not a number"), ("0", "must be above 0")])
def test_a_bad_scale_says_how_to_fix_it(monkeypatch: pytest.MonkeyPatch, raw: str, problem: str) -> None:
    monkeypatch.setenv("WITS_TEST_TIMEOUT_SCALE", raw)
    with pytest.raises(SystemExit, match=problem):
        waiting._scale()


def test_async_waits() -> None:
    async def main() -> None:
        event = asyncio.Event()
        asyncio.get_running_loop().call_soon(event.set)
        assert await async_wait_until(event.is_set, what="the event")
        assert await within(asyncio.sleep(0, result=7), what="a sleep") == 7
        with pytest.raises(WaitTimeout, match="a future that never resolves"):
            await within(asyncio.get_running_loop().create_future(), what="a future that never resolves", timeout=0)

    asyncio.run(main())
