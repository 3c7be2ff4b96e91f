"""An answer's Markdown as a Line API widget: rendered once per width and theme.

A finished answer keeps the lines of one rendering (``md_render.render``) and draws
them; nothing is rebuilt when it scrolls. Answers the chat has not shown yet are
rendered off the event loop by a ``BodyRenderer`` (one thread) and, until then, take
a height guessed from their text; ``eager`` ones (those the chat opens on) render
during layout. A live answer freezes each block as it completes and re-renders
only the growing tail, at most once a frame and less often when that is expensive
(an open code block grows line by line: re-highlighting it every token is quadratic).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from textual import events
from textual.geometry import Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from wits_tui.engine.markdown_code import count_code_blocks
from wits_tui.ui import messages as msg
from wits_tui.ui.widgets import md_render
from wits_tui.ui.widgets.md_render import Look

if TYPE_CHECKING:
    from wits_tui.ui.widgets.body_renderer import BodyRenderer

FRAME = 1 / 30  # the tail is re-rendered at most this often...
COST_FACTOR = 4  # ...and spends at most 1/COST_FACTOR of the time rendering

_looks: dict[tuple[int, str], Look] = {}


def look_for(app: Any) -> Look:
    key = (id(app), app.theme)
    look = _looks.get(key)
    if look is None:
        if len(_looks) > 16:
            _looks.clear()
        look = _looks[key] = md_render.look_from(app.theme, app.get_css_variables(), app.current_theme.dark)
    return look


class _Part:
    """A complete stretch of a live answer, with its lines for one width."""

    __slots__ = ("text", "first", "last", "width", "lines", "codes")

    def __init__(self, text: str, first: str, last: str) -> None:
        self.text, self.first, self.last = text, first, last
        self.codes = count_code_blocks(text)  # the tail's and later parts' code labels count on
        self.width = -1
        self.lines: list[Strip] = []


class MarkdownBody(Widget):
    """Markdown drawn from cached lines. ``source`` is the text shown."""

    DEFAULT_CSS = "MarkdownBody { height: auto; width: 1fr; }"

    def __init__(self, text: str = "", *, live: bool = False, eager: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = text
        self.live = live
        self.eager = eager
        self._lines: list[Strip] = []
        self._key: tuple[int, str] | None = None  # (width, look) the lines are for
        self._hints: dict[int, int] = {}  # known height per width
        #: Set on the answer a session opens at the end of: render its last blocks first
        #: (enough for this many rows), the whole of it off the loop just after.
        self.tail_rows = 0
        self._partial = False  # the lines are render_tail's: the renderer still owes the whole
        # live answers
        self._parts: list[_Part] = []
        self._tail = text if live else ""
        self._tail_lines: list[Strip] = []
        self._tail_width = -1
        self._tail_due = 0.0
        self._redraw_pending = False

    # -- lines -------------------------------------------------------------------
    def _look(self) -> Look:
        return look_for(self.app)

    def _want(self, width: int) -> tuple[int, str]:
        return (width, self._look().key)

    def ready_for(self, width: int) -> bool:
        return self._key == self._want(width)

    def render_now(self, width: int) -> None:
        look = self._look()
        rows, self.tail_rows = self.tail_rows, 0
        renderer = self._renderer() if rows and not self.live else None
        partial = md_render.render_tail(self.source, width, look, rows) if renderer is not None else None
        if partial is not None and renderer is not None:
            self._lines, self._key, self._partial = partial, (width, look.key), True
            renderer.request(self, urgent=True)
            return
        self._partial = False
        if self.live:
            self._lines = self._assemble(width, look)
        else:
            self._lines = md_render.render(self.source, width, look)
        self._key = (width, look.key)
        self._hints[width] = len(self._lines)

    def accept(self, key: tuple[int, str], text: str, lines: list[Strip]) -> None:
        """A rendering made elsewhere (the renderer's thread) arrived."""
        if self.live or text != self.source:
            return
        self._hints[key[0]] = len(lines)
        if key != self._want(self.size.width or key[0]):
            return
        changed = len(lines) != len(self._lines) or self._key is None or self._key[0] != key[0]
        self._lines, self._key, self._partial = lines, key, False
        self.refresh(layout=changed)

    def job(self) -> tuple[str, int, Look] | None:
        """What the renderer should render for this body, if anything."""
        width = self.size.width or self._last_width
        if self.live or width <= 0 or (self.ready_for(width) and not self._partial):
            return None
        return self.source, width, self._look()

    _last_width = 0

    def _renderer(self) -> "BodyRenderer | None":
        for node in self.ancestors:
            renderer = getattr(node, "body_renderer", None)
            if renderer is not None:
                return renderer
        return None

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._last_width = width
        if self.ready_for(width):
            return len(self._lines)
        renderer = self._renderer()
        if self.live or self.eager or renderer is None:
            self.render_now(width)
            return len(self._lines)
        renderer.request(self)
        if self._key is not None and self._key[0] == width:
            return len(self._lines)  # the old theme's lines until the new ones come
        return self._hints.get(width) or md_render.estimate_height(self.source, width)

    def on_unmount(self) -> None:
        """Dropped from the chat (its window moved on): let its lines go now. A widget is
        cyclic garbage that only a full collection frees; its lines, the bulk of it, are not,
        and go with the last reference. Mounted again, it renders again from ``source``."""
        if not self.live:
            self._lines, self._key, self._partial = [], None, False

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if not self.ready_for(width):
            renderer = self._renderer()
            if renderer is not None and not self.live:
                renderer.request(self, urgent=True)
            elif self.live or renderer is None:
                self.render_now(width)
        have = self._key is not None and self._key[0] == width
        if have and y < len(self._lines):
            # A stand-in for the stored line: each Strip keeps what is derived from it (styled,
            # padded, offset), which tripled the memory of every answer ever drawn (issue 13: RSS).
            line = self._lines[y]
            strip = Strip(line, line.cell_length)
        else:
            strip = Strip.blank(0)
        style = self.rich_style
        selection = self.text_selection
        if selection is not None and have:
            strip = self._select(strip, y, selection)
        return strip.apply_style(style).extend_cell_length(width, style).apply_offsets(0, y)

    def _select(self, strip: Strip, y: int, selection: Selection) -> Strip:
        span = selection.get_span(y)
        if span is None:
            return strip
        start, end = span
        end = strip.cell_length if end == -1 else end
        if end <= start:
            return strip
        left, mid, right = strip.divide([start, end, strip.cell_length])
        style = self.screen.get_component_rich_style("screen--selection")
        mid = Strip(list(Segment.apply_style(mid, post_style=style)))
        return Strip.join([left, mid, right])

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        if not self._lines:
            return None
        return selection.extract(md_render.plain(self._lines)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        """A click on a code block's "copy code N" label copies that block."""
        meta = event.style.meta if event.style is not None else {}
        code = meta.get(md_render.CODE_META)
        if isinstance(code, str):
            event.stop()
            self.post_message(msg.CopyRequested(code, f"code block {meta.get(md_render.CODE_NUMBER_META, '')}".strip()))

    # -- changing the text --------------------------------------------------------
    def update(self, text: str) -> None:
        """Show other text (a finished answer): rendered at the next layout."""
        self.live = False
        self.source = text
        self._parts, self._tail, self._tail_lines = [], "", []
        self._key = None
        self._hints.clear()
        self.eager = True
        self.refresh(layout=True)

    def append(self, fragment: str) -> None:
        """More of a live answer: complete blocks freeze now, the tail redraws within a frame."""
        if not fragment:
            return
        self.source += fragment
        self._tail += fragment
        cut, first, last = md_render.split_complete(self._tail)
        while cut:
            self._parts.append(_Part(self._tail[:cut], first, last))
            self._tail = self._tail[cut:]
            self._tail_width = -1
            cut, first, last = md_render.split_complete(self._tail)
        self._key = None
        if not self._redraw_pending:
            self._redraw_pending = True
            self.set_timer(max(0.001, self._tail_due - time.monotonic()), self._redraw)

    def _redraw(self) -> None:
        self._redraw_pending = False
        if not self.live:
            return
        self._tail_width = -1
        self._key = None
        self.refresh(layout=True)

    def finish(self, text: str) -> None:
        """The answer ended: the lines shown stay until the whole text is rendered once."""
        streamed = self.source
        self.live = False
        if text != streamed:
            self.update(text)
            return
        width = self._key[0] if self._key else self._last_width
        if width > 0:
            self._tail_width = -1  # the last tokens may not be drawn yet
            self._lines = self._assemble(width, self._look())
        self._parts, self._tail, self._tail_lines = [], "", []
        self._key = (width, "streamed")  # shown as they are; the renderer replaces them
        self.eager = False
        # laid out again: the last tokens may have come after the last layout (a fast stream ends
        # within a frame), and the renderer's lines, as many as these, only repaint
        self.refresh(layout=True)
        renderer = self._renderer()
        if renderer is None:
            self.update(text)
        else:
            renderer.request(self, urgent=True)

    def _assemble(self, width: int, look: Look) -> list[Strip]:
        lines: list[Strip] = []
        previous = ""
        codes = 0
        for part in self._parts:
            if part.width != width:
                part.lines, part.width = md_render.render(part.text, width, look, codes), width
            codes += part.codes
            if lines and md_render.needs_gap(previous, part.first):
                lines.append(Strip.blank(0))
            lines += part.lines
            previous = part.last
        if self._tail.strip():
            if self._tail_width != width:
                started = time.monotonic()
                self._tail_lines, self._tail_width = md_render.render(self._tail, width, look, codes), width
                spent = time.monotonic() - started
                self._tail_due = time.monotonic() + max(FRAME, COST_FACTOR * spent)
            if lines and md_render.needs_gap(previous, md_render.first_type(self._tail)):
                lines.append(Strip.blank(0))
            lines += self._tail_lines
        return lines
