"""Streaming Markdown into an answer, batched like ``Markdown.get_stream()``, with a stop that
waits for the append in flight.

``MarkdownStream.stop()`` cancels its task while an append runs under ``asyncio.shield``: the
append goes on mounting blocks after ``stop()`` returned. The final ``Markdown.update()`` lists
the blocks to remove when it is called, so blocks mounted after that stayed above the final
answer (an empty stretch: fences re-mounted that way render blank, Textual #6518).
"""

from __future__ import annotations

import asyncio

from textual.widgets import Markdown


class AnswerStream:
    def __init__(self, markdown: Markdown) -> None:
        self.markdown = markdown
        self._pending: list[str] = []
        self._wake = asyncio.Event()
        self._closing = False
        self._task = asyncio.create_task(self._run())

    async def write(self, fragment: str) -> None:
        """Queue a fragment; fragments that arrive while an append runs go out together."""
        if fragment and not self._closing:
            self._pending.append(fragment)
            self._wake.set()
            await asyncio.sleep(0)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._closing:
                return
            text = "".join(self._pending)
            self._pending.clear()
            if text:
                await self.markdown.append(text)

    async def stop(self) -> None:
        """Drop what has not been shown (the final text replaces it) and wait for the append in flight."""
        self._closing = True
        self._pending.clear()
        self._wake.set()
        await self._task
