"""One stream from the engine loop to the UI loop (``EngineBridge.stream``): the producer runs on
the engine loop, its items reach the UI in batches, at most one batch a frame."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from wits_tui.ui.bridge import EngineBridge

T = TypeVar("T")
_END = object()
#: Shortest time between two batches handed to the UI (a frame at 60 Hz). Items that
#: come further apart than this are handed over at once.
BATCH_GAP = 1 / 60


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
            call_soon(self._ui_loop, self._wake.set)

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
            call_soon(self._ui_loop, self._ended.set)

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


def call_soon(loop: asyncio.AbstractEventLoop, fn: Callable[[], object]) -> None:
    """``fn`` on ``loop`` from another thread; nothing when that loop is closed (nobody is listening any more)."""
    try:
        loop.call_soon_threadsafe(fn)
    except RuntimeError:
        pass


class _Raised:
    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
