"""The key footer: Textual's ``Footer``, rebuilt only when what it shows changes.

Textual's footer recomposes (removes and mounts a widget per key, and styles each) on
every bindings update: focus moving between widgets, the engine opening, a replay
starting. At start-up that was 14 rebuilds, about 0.2 s of the UI thread's CPU before
the app was ready, for a footer that looked the same each time. Here updates are
coalesced to one per refresh, and the rebuild is skipped when the keys shown, their
labels and their enabled state are unchanged.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queued = False
        self._shown: tuple[Any, ...] | None = None

    def _what_shows(self) -> tuple[Any, ...]:
        active = self.screen.active_bindings
        keys = tuple((b.key, b.description, b.action, enabled, tooltip)
                     for (_, b, enabled, tooltip) in active.values() if b.show)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        return keys, palette[1].key if palette else None, palette[2] if palette else None, self.compact

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True  # what Footer.compose waits for
        if not screen.app.app_focus or self._queued or not self.is_attached or screen is not self.screen:
            return
        self._queued = True
        self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._queued = False
        if not self.is_attached:
            return
        shown = self._what_shows()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
