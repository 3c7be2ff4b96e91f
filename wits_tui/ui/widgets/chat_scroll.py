"""How the chat pane scrolls: it keeps what the reader looks at in place, and the keys.

``KeepInPlace`` is the scroll anchoring browsers do (``overflow-anchor``): when the
layout changes above what is on screen (older messages loaded, an answer rendered in
the background and taller than its guessed height, lines re-wrapped), the first
widget on screen stays where it was. Following the end (Textual's ``anchor()``) is
left to Textual.
"""

from __future__ import annotations

from typing import Any

from textual.actions import SkipAction
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.layout import DockArrangeResult
from textual.widget import Widget

# Application-wide (with priority, so the prompt's TextArea does not take them) and
# skipped when something other than the prompt or the chat has focus.
SCROLL_BINDINGS = [
    Binding("pageup", "chat_scroll('page_up')", "Scroll up", id="chat_page_up", show=False, priority=True),
    Binding("pagedown", "chat_scroll('page_down')", "Scroll down", id="chat_page_down", show=False, priority=True),
    Binding("ctrl+home", "chat_scroll('top')", "Top of chat", id="chat_top", show=False, priority=True),
    Binding("ctrl+end", "chat_scroll('bottom')", "End of chat", id="chat_bottom", show=False, priority=True),
]


class KeepInPlace(VerticalScroll):
    """A scrolling container whose first visible child stays put when the layout changes."""

    _last_arrangement: DockArrangeResult | None = None
    #: A widget to keep at the top (a search hit just opened) until the reader scrolls: answers
    #: around it render in the background and change height, and on a busy machine that can be
    #: before or after the first scroll to it.
    _pinned: Widget | None = None

    def pin(self, widget: Widget) -> None:
        self._pinned = widget
        self.refresh(layout=True)

    def unpin(self) -> None:
        self._pinned = None

    def anchor(self, anchor: bool = True) -> None:
        if anchor:  # following the end again (a new question, Ctrl+End): nothing pinned
            self.unpin()
        super().anchor(anchor)

    def on_mouse_scroll_down(self) -> None:
        self.unpin()

    def on_mouse_scroll_up(self) -> None:
        self.unpin()

    def _set_scroll(self, y: float) -> None:
        self.set_reactive(Widget.scroll_y, y)
        self.set_reactive(Widget.scroll_target_y, y)
        self.vertical_scrollbar._reactive_position = y  # type: ignore[attr-defined]  # textual keeps it private

    @property
    def following(self) -> bool:
        """Scrolled to the end and staying there as content is added (the user did not scroll away)."""
        return self._anchored and not self._anchor_released

    def arrange(self, size: Size, optimal: bool = False) -> DockArrangeResult:
        before = self._last_arrangement
        result = super().arrange(size, optimal)
        self._last_arrangement = result
        pinned = self._pinned and next((p for p in result.placements if p.widget is self._pinned), None)
        if pinned:
            bottom = max(p.region.bottom + p.margin.bottom for p in result.placements)
            self._set_scroll(max(0, min(pinned.region.y, bottom - self.scrollable_content_region.height)))
            return result
        if before is None or result is before or self.following:
            return result
        top = self.scroll_y
        anchor = next((p for p in before.placements if p.region.bottom > top and p.widget.parent is self), None)
        if anchor is None:
            return result
        now = next((p for p in result.placements if p.widget is anchor.widget), None)
        if now is None or now.region.y == anchor.region.y:
            return result
        self._set_scroll(max(0.0, top + now.region.y - anchor.region.y))
        return result

    def forget_place(self) -> None:
        """The content was replaced: nothing to keep in place."""
        self._last_arrangement = None
        self._pinned = None


def check_scroll_key(chat: Widget) -> None:
    """Raise SkipAction unless the chat's screen is active and the prompt or the chat has focus."""
    app: Any = chat.app
    if app.screen is not chat.screen:
        raise SkipAction()
    focused = app.focused
    if focused is not None and focused is not chat and getattr(focused, "id", None) != "prompt":
        raise SkipAction()
