"""The engine bridge: engine coroutines on their own loop and thread, results, errors,
streams and cancellation handed across."""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings
from typing import Any

import pytest

from tests.waiting import async_wait_until
from wits_tui.ui.bridge import EngineBridge, EngineClosed

pytestmark = pytest.mark.anyio


@pytest.fixture
async def bridge():
    b = EngineBridge()
    yield b
    await b.close()


async def test_calls_run_on_the_engine_thread_and_errors_come_back(bridge):
    ui = threading.get_ident()
    assert await bridge.call(threading.get_ident) != ui

    async def boom() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        await bridge.run(boom())


async def test_a_stream_keeps_order_and_own_items(bridge):
    async def numbers():
        for i in range(500):
            yield i
            if i == 10:
                stream.emit("ten")

    stream = bridge.stream(numbers)
    got = [x async for x in stream]
    assert got[:12] == [*range(11), "ten"] and got[12:] == list(range(11, 500))


async def test_cancelling_the_ui_side_cancels_the_engine_side(bridge):
    started, cancelled = threading.Event(), threading.Event()

    async def forever():
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        yield  # pragma: no cover - an async generator

    stream = bridge.stream(forever)

    async def consume() -> None:
        async for _ in stream:
            pass

    task = asyncio.create_task(consume())
    await asyncio.to_thread(started.wait, 60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await stream.stop(60)
    assert cancelled.is_set()


async def test_an_error_in_a_stream_reaches_the_consumer(bridge):
    async def broken():
        yield 1
        raise RuntimeError("engine failed")

    got = []
    with pytest.raises(RuntimeError, match="engine failed"):
        async for x in bridge.stream(broken):
            got.append(x)
    assert got == [1]


async def test_a_call_cancelled_before_it_began_still_takes_its_first_step(bridge):
    # As with asyncio.run_coroutine_threadsafe: Esc on a turn sent while the engine was busy (a locked
    # database) cancels it, but its first step (storing the question) still runs once the engine is free.
    gate, began = threading.Event(), threading.Event()

    async def busy() -> None:
        gate.wait(60)

    async def turn() -> None:
        began.set()
        await asyncio.Event().wait()

    sent = bridge.submit(busy())
    bridge.submit(turn()).cancel()
    gate.set()
    await asyncio.wait_for(asyncio.wrap_future(sent), 60)
    assert await asyncio.to_thread(began.wait, 60)


async def test_closing_finishes_what_was_sent_then_closes_and_refuses_what_comes_after():
    # Work sent just before quitting (here one waiting on a thread) must finish before the engine closes;
    # anything sent once closing began is refused with a clear error (never run on a closing engine,
    # never dropped unrun).
    bridge, gate, done = EngineBridge(), threading.Event(), []

    async def slow() -> None:
        await asyncio.to_thread(gate.wait, 60)
        done.append("slow")

    async def final() -> None:
        done.append("final")

    async def probe() -> None:
        pass

    def refused() -> bool:
        try:
            bridge.submit(probe())  # accepted (and run at once) until closing begins
        except EngineClosed:
            return True
        return False

    sent = bridge.submit(slow())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        closing = asyncio.ensure_future(bridge.close(final))
        await async_wait_until(refused, what="closing to refuse new work")
        gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message)]  # the refused probe was closed, not dropped
    gate.set()
    await asyncio.wait_for(closing, 60)
    assert done == ["slow", "final"] and sent.done()
    with pytest.raises(EngineClosed, match="closing"):  # and no new engine thread is started afterwards
        await bridge.call(done.append, "later")
    assert done == ["slow", "final"]


async def test_closing_cancels_what_does_not_finish_in_time_and_still_closes(monkeypatch):
    import wits_tui.ui.bridge as bridge_module

    monkeypatch.setattr(bridge_module, "STUCK_MARGIN_S", 60.0)  # here only a hang guard
    bridge, started, outcome = EngineBridge(), threading.Event(), []

    async def forever() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    async def final() -> None:
        outcome.append("final")

    pending = bridge.submit(forever())
    await asyncio.to_thread(started.wait, 60)
    await asyncio.wait_for(bridge.close(final, timeout=0.5), 120)  # 0.5 s: how long closing waits, the subject here
    assert outcome == ["cancelled", "final"] and pending.cancelled()


def counted(monkeypatch) -> tuple[list[int], Any]:
    """A producer of 50 numbers, what it has produced so far, and GIVE_WAY_S only a hang guard."""
    import wits_tui.ui.bridge as bridge_module

    monkeypatch.setattr(bridge_module, "GIVE_WAY_S", 60.0)
    produced: list[int] = []

    async def numbers():
        for i in range(50):
            produced.append(i)
            yield i

    return produced, numbers


async def test_a_stream_gives_way_while_the_ui_handles_a_key(bridge, monkeypatch):
    # A key arrives (ui_busy): the producer sleeps between items, freeing the interpreter for the
    # UI, until the key is drawn (ui_done); GIVE_WAY_S caps the pause (here a hang guard).
    produced, numbers = counted(monkeypatch)
    bridge.ui_busy()
    got = []
    async for item in bridge.stream(numbers):
        got.append(item)
        if item == 0:
            assert produced == [0]  # the producer is waiting for the UI
            bridge.ui_done()
    assert got == list(range(50))


async def test_streams_give_way_until_the_last_key_of_a_burst_is_drawn(bridge, monkeypatch):
    # Keys typed in a burst arrive a few ms apart: the first one drawn must not end the pause
    # while the later ones are still on their way to the screen.
    produced, numbers = counted(monkeypatch)
    first = bridge.ui_busy()
    second = bridge.ui_busy()
    got = []
    async for item in bridge.stream(numbers):
        got.append(item)
        if item == 0:
            bridge.ui_done(first)  # the first key is drawn, the second is not yet
            assert bridge._ui_until > 0 and produced == [0]  # the producer still gives way
            bridge.ui_done(second)
    assert got == list(range(50))


def test_the_terminal_driver_pauses_streams_as_a_key_arrives(make_app):
    # On the driver's input thread, before the app's loop (maybe busy drawing a frame) sees the key.
    import time

    from textual import events

    app = make_app()
    driver = object.__new__(app.get_driver_class())  # not started: no terminal needed
    sent: list = []
    driver._app, driver.cursor_origin, driver._down_buttons, driver._last_move_event = app, None, [], None
    driver.send_message = sent.append
    assert app.bridge._ui_until < time.monotonic()
    key = events.Key("q", "q")
    before = time.monotonic()
    driver.process_message(key)
    assert sent == [key]
    assert app.bridge._ui_until > before  # paused (until the key is drawn, or GIVE_WAY_S at most)
    app.bridge.ui_done()
    driver.process_message(events.Resize(app.size, app.size))  # other input does not pause streams
    assert len(sent) == 2 and app.bridge._ui_until == 0.0


async def test_a_key_pauses_streams_once_even_when_it_bubbles_back_to_the_app(make_app):
    # A key no widget handles comes back to the app's on_event (the same event, bubbling): a
    # second ui_busy there would restart the pause under a new key number, so the first key's
    # ui_done no longer ended it.
    from textual import events

    from tests.ui.conftest import wait_for

    app = make_app()
    async with app.run_test() as pilot:
        calls: list[int] = []
        busy = app.bridge.ui_busy

        def counted() -> int:
            calls.append(1)
            return busy()

        app.bridge.ui_busy = counted  # type: ignore[method-assign]
        key = events.Key("f19", None)  # bound to nothing: it bubbles from the prompt to the app
        bubbled: list[events.Key] = []
        original = app.on_event

        async def watch(event: events.Event) -> None:
            if event is key:
                bubbled.append(event)
            await original(event)

        app.on_event = watch  # type: ignore[method-assign]
        app.post_message(key)
        await wait_for(pilot, lambda: len(bubbled) >= 2, what="the key bubbles back to the app")
        assert len(calls) == 1
