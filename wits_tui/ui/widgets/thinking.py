"""What a thinking model thinks, above its answer: a dimmed, collapsible block.

Live, the block is open and shows the latest lines as they stream; once the
answer starts it collapses to one line. Enter, Space or a click toggles it
(binding id ``toggle_thinking``). The chat pane only calls
:func:`add_live_thinking` and :func:`collapse_thinking` on an answer widget.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.reactive import reactive
from textual.widgets import Static

#: While live, only the tail is drawn: re-laying out a long thought on every batch
#: would cost more with every line, and the newest lines are the ones being read.
LIVE_TAIL_CHARS = 600
#: ...and at most this many lines of it, so the block keeps its height while it streams
#: (no layout of the chat each frame, only a repaint of the block).
LIVE_LINES = 6
FRAME = 1 / 15  # a live block redraws at most this often: a dim tail read in passing (30/s cost keys ~5 ms at full speed)


def count_words(piece: str, after_space: bool) -> int:
    """Words that start in ``piece``, which follows text ending in whitespace (``after_space``)
    or not: counted piece by piece, a thought's words add up without splitting it all again."""
    n = len(piece.split())
    if n and not after_space and not piece[0].isspace():
        n -= 1  # the piece goes on with the previous piece's last word
    return n


class ThinkingBlock(Static, can_focus=True):
    """The thoughts of one answer. ``live``: still thinking."""

    BINDINGS = [
        Binding("enter", "toggle", "Show/hide thinking", id="toggle_thinking"),
        Binding("space", "toggle", "Show/hide thinking", id="toggle_thinking_space", show=False),
    ]

    expanded: reactive[bool] = reactive(False, layout=True)

    def __init__(self, text: str = "", *, live: bool = False) -> None:
        super().__init__("", classes="thinking-block", markup=False)
        self.text = text
        self.words = count_words(text, True)
        self.live = live
        self._live_shape = (0, 0)  # (width, lines) of the tail last drawn while live
        self._redraw_due = False
        self.set_reactive(ThinkingBlock.expanded, live)
        self.set_class(live, "-expanded")
        self._redraw()

    def append(self, piece: str) -> None:
        """More thoughts: drawn at most once a frame (counting the words and laying the block
        out again for every token cost more with every line while keys waited)."""
        self.words += count_words(piece, not self.text or self.text[-1].isspace())
        self.text += piece
        if not self._redraw_due:
            self._redraw_due = True
            self.set_timer(FRAME, self._due)

    def _due(self) -> None:
        if self._redraw_due:
            self._redraw_due = False
            self._redraw()

    def finish(self) -> None:
        """The answer started: stop being live, and fold away."""
        self._redraw_due = False
        self.live = False
        self.styles.height = "auto"
        self.expanded = False
        self._redraw()

    def on_resize(self) -> None:
        if self.live:  # the tail is wrapped to the block's width: again at the real one
            self._redraw()

    def action_toggle(self) -> None:  # type: ignore[override]  # our own "toggle" action, not DOMNode's toggle(attribute)
        self.expanded = not self.expanded

    def on_click(self, event: Click) -> None:
        event.stop()
        self.action_toggle()

    def watch_expanded(self, expanded: bool) -> None:
        self.set_class(expanded, "-expanded")
        self._redraw()

    def _redraw(self) -> None:
        self.set_class(self.live, "-live")
        words = self.words
        if self.live:
            head = Text.assemble(("▾ thinking… ", "bold"), f"{words} words")
        elif self.expanded:
            head = Text.assemble(("▾ thought ", "bold"), f"{words} words · Enter or click hides it")
        else:
            head = Text.assemble(("▸ thought ", "bold"), f"{words} words · Enter or click shows it")
        if not (self.expanded or self.live):
            self.update(head)
            return
        if self.live:
            self._draw_live(head)
            return
        self.update(Text.assemble(head, "\n", self.text.strip("\n")))

    def _draw_live(self, head: Text) -> None:
        """The newest :data:`LIVE_LINES` lines, wrapped here: the block's height changes only while
        it fills up, and otherwise a frame repaints the block without laying the chat out again."""
        body = self.text[-LIVE_TAIL_CHARS:].strip("\n")
        if len(self.text) > LIVE_TAIL_CHARS:
            body = "…" + body[body.find(" ") + 1 :] if " " in body else "…" + body
        width = self.content_region.width  # 0 before the first layout: the app's width, and a layout
        lines = Text(body).wrap(self.app.console, max(width or self.app.size.width, 10), overflow="fold")
        shown = lines[-LIVE_LINES:]
        shape, self._live_shape = self._live_shape, (width, len(shown))
        if shape != self._live_shape:
            self.styles.height = 1 + len(shown)  # a set height: laid out once, whatever the content
        self.update(Text.assemble(head, "\n", Text("\n").join(shown)), layout=False)


def _block(answer: Any) -> ThinkingBlock | None:
    found = answer.query(ThinkingBlock)
    return found.first() if found else None


async def add_live_thinking(answer: Any, piece: str) -> None:
    """Stream a piece of thinking into ``answer`` (an AssistantMessage), mounting the
    block above its Markdown the first time."""
    block = _block(answer)
    if block is None:
        answer.stop_thinking()  # the "waiting" indicator: the block says it now
        block = ThinkingBlock(piece, live=True)
        await answer.mount(block, before=answer.markdown)
        return
    block.append(piece)


def collapse_thinking(answer: Any) -> None:
    """The answer's first token arrived: fold the thoughts away."""
    block = _block(answer)
    if block is not None and block.live:
        block.finish()
