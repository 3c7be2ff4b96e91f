"""Noticing a stalled stream: a server that stops sending but keeps the connection open.

The read timeout (``ollama.read_timeout``, 300 s by default so that a large model can load)
is the only thing that ends such a stream, and until then the person sees a spinner and a
falling rate. :func:`watch` passes a stream's items through and, each ``after_s`` seconds
without one, yields a :class:`Silence` instead; the turn turns it into a ``Stalled`` event
and keeps waiting. Nothing is cancelled: the stream goes on when the server does.

The stream is read by a task of its own, so waiting with a deadline never cancels a read
half-way (cancelling ``__anext__`` of an httpx stream would break it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, cast

if TYPE_CHECKING:
    from wits_tui.engine.events import Stalled

T = TypeVar("T")
#: Items read ahead of the consumer at most (a fast model is not slowed; memory stays bounded).
READ_AHEAD = 64


@dataclass(frozen=True, slots=True)
class Silence:
    """Nothing arrived for ``seconds`` (whole seconds since the last item, or the start)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class _Raised:
    error: Exception


_END = object()


async def watch(stream: AsyncGenerator[T, None], after_s: float) -> AsyncGenerator[T | Silence, None]:
    """``stream``'s items, with a :class:`Silence` each ``after_s`` s of silence (0: never).
    Closing this generator closes ``stream`` (in the task that reads it)."""
    if after_s <= 0:
        async with aclosing(stream):
            async for piece in stream:
                yield piece
        return
    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=READ_AHEAD)

    async def pump() -> None:
        try:
            async with aclosing(stream):
                async for item in stream:
                    await queue.put(item)
        except Exception as exc:  # noqa: BLE001 - handed over, raised in the consumer
            await queue.put(_Raised(exc))
            return
        await queue.put(_END)

    loop = asyncio.get_running_loop()
    reader = loop.create_task(pump())
    last = loop.time()
    told = 0  # notices given for this silence
    try:
        while True:
            item: object
            try:
                item = queue.get_nowait()  # the common case: no timer, no task
            except asyncio.QueueEmpty:
                # asyncio.timeout is a timer handle; wait_for made a task for every token of a fast stream
                try:
                    async with asyncio.timeout_at(last + (told + 1) * after_s):
                        item = await queue.get()
                except TimeoutError:
                    told += 1
                    yield Silence(float(round(loop.time() - last)))
                    continue
            if item is _END:
                return
            if isinstance(item, _Raised):
                raise item.error
            last, told = loop.time(), 0
            yield cast(T, item)  # anything else in the queue came from ``stream``
    finally:
        reader.cancel()
        await asyncio.wait([reader])  # the stream is closed before we return


def notice(event: "Stalled", stop: str = "Esc stops") -> str:
    """What a front end says about a stall: "no tokens for 20 s — Esc stops"."""
    seconds = f"{event.seconds:.0f} s"
    if not event.answering:
        return f"no answer yet after {seconds} (the model may still be loading) — {stop}"
    return f"no tokens for {seconds} — {stop}"


def limit_note(event: "Stalled") -> str:
    """When Wits gives up by itself (the read timeout)."""
    return f"Wits gives up after {event.read_timeout:.0f} s without a token (ollama.read_timeout)"
