"""The engine's own event loop, in one thread, and the UI's way to reach it.

The engine does sync work inside its coroutines (SQLite through sqlite-utils, the
router's statistics, memory bookkeeping). On the UI's loop each of those calls
would stall keys and painting; on this loop they stall only the engine. Every
engine coroutine the UI starts runs here, so the ollama/httpx client also lives on
one loop for the whole run.

- ``await bridge.call(fn, *args)``: a sync engine call, run on the engine thread.
- ``await bridge.run(coro)``: an engine coroutine, run on the engine loop.
- ``async for item in bridge.stream(lambda: engine.turn(...))``: an async generator
  run on the engine loop, its items handed to the UI loop in batches, at most one
  batch a frame (a model streaming thousands of tokens a second would otherwise wake
  the UI's loop, and make the engine thread write to its wake-up pipe, per token).

Cancelling the UI side (a worker cancelled by Esc, a screen closing) cancels the
engine side at once: the UI stops waiting immediately, and the engine task gets its
``CancelledError`` as soon as its loop is free (a sync call it is blocked in ends first).

Closing (``bridge.close(engine.aclose)``, at app exit) refuses anything sent after it began
(:class:`EngineClosed`), lets what was sent before finish (a write made just before quitting, a
stopped answer storing its text), then closes the engine, then stops the thread: nothing sent in
time is dropped unrun, and nothing runs on an engine that is closing.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

from wits_tui.ui.engine_stream import EngineStream, call_soon

if TYPE_CHECKING:
    from wits_tui.engine.core import Engine

T = TypeVar("T")
_log = logging.getLogger("wits.ui")
#: At most this long, a stream gives the interpreter to the UI after a key press (see ``EngineBridge.give_way``).
GIVE_WAY_S = 0.1
#: Closing: how much longer than its timeout the UI waits for each step before it calls the engine thread stuck
#: (a sync call it is blocked in never lets the engine loop's own timeouts fire).
STUCK_MARGIN_S = 2.0


class EngineNotOpen(RuntimeError):
    """The engine was asked for before it was opened."""


class EngineClosed(EngineNotOpen):
    """Something was sent to the engine after the bridge began closing."""


class EngineBridge:
    """Owns the engine thread and its loop; holds the engine once it is open."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._closing = False
        self._tasks: set[asyncio.Task[Any]] = set()  # on the engine loop: what submit() started, until it ends

    # -- the engine -------------------------------------------------------------------
    @property
    def engine(self) -> "Engine":
        if self._engine is None:
            raise EngineNotOpen("the engine is not open yet")
        return self._engine

    @property
    def is_open(self) -> bool:
        return self._engine is not None

    def set_engine(self, engine: "Engine") -> None:
        self._engine = engine

    # -- the UI first -------------------------------------------------------------------
    _ui_until = 0.0
    _ui_key = 0

    def ui_busy(self) -> int:
        """Called when a key arrives (by the terminal driver's input thread, and again by the app
        as it handles the key): streams pause (their producer sleeps, which
        frees the interpreter) until :meth:`ui_done` for the latest key or :data:`GIVE_WAY_S` at
        most. A model that streams thousands of tokens a second otherwise keeps the engine's
        thread parsing while the key waits for the interpreter. Returns the key's number."""
        self._ui_key += 1
        self._ui_until = time.monotonic() + GIVE_WAY_S
        return self._ui_key

    def ui_done(self, key: int | None = None) -> None:
        """Key number ``key`` is drawn (None: any). Keys typed in a burst (a paste, a fast typist,
        tmux sending a word) arrive a few ms apart: the first one drawn does not end the pause
        while later ones are still on their way to the screen."""
        if key is None or key == self._ui_key:
            self._ui_until = 0.0

    def give_way(self) -> None:
        """On the engine thread, between a stream's items: sleep while the UI handles a key."""
        while (wait := self._ui_until - time.monotonic()) > 0:
            time.sleep(min(wait, 0.002))

    # -- the loop ---------------------------------------------------------------------
    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            return self._started()

    def _started(self) -> asyncio.AbstractEventLoop:
        """The engine loop, started on first use (the caller holds ``_lock``)."""
        if self._closing:
            raise EngineClosed("the engine is closing: nothing more can be sent to it")
        if self._loop is None:
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def serve() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            self._thread = threading.Thread(target=serve, name="wits-engine", daemon=True)
            self._thread.start()
            ready.wait()
            self._loop = loop
        return self._loop

    @property
    def in_engine_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Start ``coro`` on the engine loop (from any thread). Once :meth:`close` has begun this
        raises :class:`EngineClosed` (and closes ``coro`` unrun) rather than dropping it later."""
        with self._lock:
            try:
                loop = self._started()
            except EngineClosed:
                coro.close()
                raise
            return self._schedule(loop, coro)

    def _schedule(self, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """``asyncio.run_coroutine_threadsafe``, keeping the engine-side task in ``_tasks`` so that
        closing can wait for it. As there, a call the caller cancelled before it began still takes its
        first step (a turn stopped while the engine was busy still stores the question it was given)."""
        outer: Future[T] = Future()

        def start() -> None:  # on the engine thread
            task = loop.create_task(coro)
            self._tasks.add(task)
            task.add_done_callback(finished)
            # cancelled already: called at once, and the cancel is queued after the task's first step
            outer.add_done_callback(lambda f: call_soon(loop, task.cancel) if f.cancelled() else None)

        def finished(task: asyncio.Task[T]) -> None:
            self._tasks.discard(task)
            if task.cancelled():
                outer.cancel()
            elif outer.set_running_or_notify_cancel():
                exc = task.exception()
                outer.set_exception(exc) if exc is not None else outer.set_result(task.result())

        loop.call_soon_threadsafe(start)
        return outer

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await an engine coroutine from the UI loop; cancelling this cancels it."""
        return await asyncio.wrap_future(self.submit(coro))

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a sync engine call on the engine thread."""

        async def go() -> T:
            return fn(*args, **kwargs)

        return await self.run(go())

    def stream(self, make: Callable[[], AsyncIterator[T]]) -> "EngineStream[T]":
        """Iterate, on the UI loop, an async generator that ``make()`` creates on the engine loop;
        batches are handed over at most every ``engine_stream.BATCH_GAP`` seconds."""
        return EngineStream(self, make)

    async def close(self, final: Callable[[], Awaitable[None]] | None = None, timeout: float = 10.0) -> None:
        """Refuse new work, let what was sent finish (``timeout`` at most, then it is cancelled), run
        ``final()`` on the engine loop (e.g. ``engine.aclose``), then stop the thread."""
        with self._lock:
            self._closing = True
            loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        steps: list[Coroutine[Any, Any, None]] = [self._drain(timeout)]
        if final is not None:
            steps.append(_bounded(final, timeout))
        steps.append(_cancel_the_rest())
        for step in steps:
            try:
                await asyncio.wait_for(asyncio.wrap_future(self._schedule(loop, step)), timeout + STUCK_MARGIN_S)
            except TimeoutError:
                _log.error("the engine thread is stuck: stopping it without closing the engine")
                for rest in steps[steps.index(step) + 1:]:
                    rest.close()
                break
            except Exception:  # noqa: BLE001 - closing must go on; the log has what failed
                _log.exception("closing the engine failed")
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, timeout)
        if not thread.is_alive():
            loop.close()
        self._loop = self._thread = None

    async def _drain(self, timeout: float) -> None:
        """On the engine loop: wait for what ``submit`` started (and what it starts meanwhile)."""
        me = asyncio.current_task()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (waiting := self._tasks - {me}) and (left := deadline - loop.time()) > 0:
            await asyncio.wait(waiting, timeout=left)
        await _cancelled(self._tasks - {me})


async def _cancel_the_rest() -> None:
    """The engine's own tasks still running after it closed: cancelled, so none is destroyed pending."""
    await _cancelled(asyncio.all_tasks() - {asyncio.current_task()})


async def _cancelled(tasks: set[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and give them a second to finish."""
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=1.0)


async def _bounded(fn: Callable[[], Awaitable[None]], timeout: float) -> None:
    await asyncio.wait_for(fn(), timeout)
