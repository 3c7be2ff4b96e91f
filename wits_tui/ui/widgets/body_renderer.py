"""Rendering finished answers off the event loop, one at a time (see :mod:`.md_body`)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from wits_tui.ui.widgets import md_render

if TYPE_CHECKING:
    from wits_tui.ui.widgets.md_body import MarkdownBody


class BodyRenderer:
    """Renders answers off the event loop, one at a time: those on screen first, then
    the newest. Rich holds the GIL while it renders, but the interpreter switches
    threads every few ms, so key presses are still handled promptly."""

    def __init__(self) -> None:
        self._urgent: dict[MarkdownBody, None] = {}
        self._later: dict[MarkdownBody, None] = {}
        self._task: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self.rendered = 0

    def request(self, body: MarkdownBody, urgent: bool = False) -> None:
        if urgent:
            self._later.pop(body, None)
            self._urgent[body] = None
        elif body not in self._urgent:
            self._later[body] = None
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def _next(self) -> MarkdownBody | None:
        for queue in (self._urgent, self._later):
            while queue:
                body = next(reversed(queue))
                del queue[body]
                if body.is_attached:
                    return body
        return None

    @property
    def idle(self) -> bool:
        return not self._urgent and not self._later and (self._task is None or self._task.done())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        first = next(iter(self._urgent or self._later), None)
        if first is not None and first.is_attached:
            # Let the frame that asked for these go out first: Rich holds the GIL while it renders,
            # and what is on screen (a session just opened, its newest answer's end) comes first.
            painted: asyncio.Future[None] = loop.create_future()

            def done() -> None:
                if not painted.done():
                    painted.set_result(None)

            first.app.call_after_refresh(done)
            await asyncio.wait({painted}, timeout=0.5)
        while (body := self._next()) is not None:
            job = body.job()
            if job is None:
                continue
            text, width, look = job
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="wits-markdown")
            lines = await loop.run_in_executor(self._executor, md_render.render, text, width, look)
            self.rendered += 1
            if body.is_attached:
                body.accept((width, look.key), text, lines)

    def close(self) -> None:
        self._urgent.clear()
        self._later.clear()
        if self._task is not None:
            self._task.cancel()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
