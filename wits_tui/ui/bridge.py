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
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from concurrent.futures import Future
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from wits_tui.engine.core import Engine

T = TypeVar("T")
_END = object()
#: Shortest time between two batches handed to the UI (a frame at 60 Hz). Items that
#: come further apart than this are handed over at once.
BATCH_GAP = 1 / 60
#: At most this long, a stream gives the interpreter to the UI after a key press (see ``EngineBridge.give_way``).
GIVE_WAY_S = 0.1


class EngineNotOpen(RuntimeError):
    """The engine was asked for before it was opened."""


class EngineBridge:
    """Owns the engine thread and its loop; holds the engine once it is open."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._engine: Engine | None = None
        self._lock = threading.Lock()

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
        """Start ``coro`` on the engine loop (from any thread)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

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
        batches are handed over at most every :data:`BATCH_GAP` seconds."""
        return EngineStream(self, make)

    async def close(self, final: Callable[[], Awaitable[None]] | None = None, timeout: float = 10.0) -> None:
        """Run ``final()`` on the engine loop (e.g. ``engine.aclose``), then stop the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if final is not None:
            try:
                await asyncio.wait_for(self.run(_as_coro(final)), timeout)
            except Exception:  # noqa: BLE001 - closing must go on; the log has what failed
                import logging

                logging.getLogger("wits.ui").exception("closing the engine failed")
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, timeout)
        if not thread.is_alive():
            loop.close()
        self._loop = self._thread = None


async def _as_coro(fn: Callable[[], Awaitable[None]]) -> None:
    await fn()


class EngineStream(Generic[T]):
    """One stream: the producer task on the engine loop, batches to the consumer's loop.
    Iterate it once (``async for``); ``cancel()`` stops the producer."""

    def __init__(self, bridge: EngineBridge, make: Callable[[], AsyncIterator[T]]) -> None:
        self.bridge, self.make = bridge, make
        self._items: list[Any] = []
        self._lock = threading.Lock()
        self._wake = asyncio.Event()
        self._ui_loop = asyncio.get_running_loop()
        self._future: Future[None] | None = None
        self._ended = asyncio.Event()  # set (on the UI loop) once the producer has finished

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterate()

    def cancel(self) -> None:
        if self._future is not None:
            self._future.cancel()  # no-op once the producer ended; otherwise cancels it on its loop

    async def stop(self, grace: float) -> None:
        """Cancel the producer and give it up to ``grace`` seconds to finish (e.g. to store
        what it has); never waits longer, whatever the producer is blocked in."""
        future = self._future
        if future is None:
            return
        future.cancel()
        try:
            await asyncio.wait_for(self._ended.wait(), grace)
        except TimeoutError:
            pass

    def emit(self, item: Any) -> None:
        """Called on the engine thread: put an item of the producer's own into the stream."""
        self._put(item)

    def _put(self, item: Any) -> None:
        """Called on the engine thread: hand ``item`` over, waking the UI once per batch."""
        with self._lock:
            first = not self._items
            self._items.append(item)
        if first:
            try:
                self._ui_loop.call_soon_threadsafe(self._wake.set)
            except RuntimeError:  # the UI's loop is closed: nobody is listening any more
                pass

    async def _produce(self) -> None:
        try:
            async with aclosing(self.make()) as agen:  # type: ignore[type-var]
                async for item in agen:
                    self._put(item)
                    self.bridge.give_way()
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, who re-raises it
            self._put(_Raised(exc))
            if isinstance(exc, asyncio.CancelledError):
                raise
        else:
            self._put(_END)
        finally:
            try:
                self._ui_loop.call_soon_threadsafe(self._ended.set)
            except RuntimeError:  # the UI's loop is closed
                pass

    async def _iterate(self) -> AsyncIterator[T]:
        self._future = self.bridge.submit(self._produce())
        try:
            loop = asyncio.get_running_loop()
            taken = -BATCH_GAP
            while True:
                await self._wake.wait()
                early = taken + BATCH_GAP - loop.time()
                if early > 0:  # the last batch was under a frame ago: let this one fill up
                    await asyncio.sleep(early)
                with self._lock:
                    batch, self._items = self._items, []
                    self._wake.clear()
                taken = loop.time()
                for item in batch:
                    if item is _END:
                        return
                    if isinstance(item, _Raised):
                        if isinstance(item.exc, asyncio.CancelledError):
                            raise asyncio.CancelledError()
                        raise item.exc
                    yield item
        finally:
            self.cancel()


class _Raised:
    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
