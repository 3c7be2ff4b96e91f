"""The chat pane's window onto one session: which messages it holds and where it scrolls.

The window holds a stretch of the session: the newest ``TAIL`` messages when it opens,
older ones loaded when it is scrolled to the top, newer ones (after Ctrl+Home or a
search hit) when it is scrolled to the end, and never more than ``WINDOW`` messages:
the far end is dropped as the other grows. Answers render once per width to cached
lines (``md_body``), in a background thread except those the window opens on. The
answer being streamed is :class:`wits_tui.ui.widgets.chat.ChatView`'s.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakSet

from textual.widget import Widget
from textual.widgets import Static

from wits_tui.ui import messages as msg
from wits_tui.ui.widgets import md_render
from wits_tui.ui.widgets.body_renderer import BodyRenderer
from wits_tui.ui.widgets.chat_scroll import KeepInPlace, check_scroll_key
from wits_tui.ui.widgets.error_card import ErrorCard
from wits_tui.ui.widgets.md_body import MarkdownBody
from wits_tui.ui.widgets.message import AssistantMessage, UserMessage
from wits_tui.ui.widgets.sources import SourcesPanel

WELCOME = (
    "[b]Ask anything.[/b]\n\n"
    "[dim]Enter sends · Ctrl+J adds a line · / for commands · Ctrl+P for the palette[/dim]"
)
WINDOW = 120  # messages held at most; a session of any length costs the same to scroll
#: Lines drawn more than this many screens above or below the view are let go (see ``_let_far_lines_go``).
KEEP_SCREENS = 1


def message_widget(m: Any, eager: bool = False) -> Widget:
    if m.role == "user":
        return UserMessage(m.content, m.id, getattr(m, "earlier", 0), getattr(m, "attachments", ()))
    if m.role == "summary":
        return AssistantMessage(m.content, model="summary of the earlier turns (/compact)", message_id=m.id,
                                eager=eager)
    return AssistantMessage(m.content, status=m.status, model=m.model, message_id=m.id, module=m.module,
                            thought=getattr(m, "thinking", "") or "", eager=eager)


def message_widgets(m: Any) -> list[Widget]:
    """A stored message's widgets: an answer given documents also gets its sources, a failed
    answer its error card (the reason, the fix)."""
    if m.role != "assistant":
        return [message_widget(m)]
    cited = getattr(m, "sources", ())
    shown: list[Widget] = [SourcesPanel([s.to_dict() for s in cited])] if cited else []
    if m.status != "error":
        return [message_widget(m), *shown]
    card = ErrorCard.for_stored(m)
    return [message_widget(m), *shown, card] if (m.content or getattr(m, "thinking", "")) else [card]


def _retire_cards_in(widgets: list[Widget], at_end: bool) -> None:
    """Before mounting: only a card that ends the session (the last widget, ``at_end``) keeps Retry."""
    last = widgets[-1] if widgets and at_end else None
    for w in widgets:
        if isinstance(w, ErrorCard) and w is not last:
            w.can_retry = False


def _eager(widgets: list[Widget], rows: int, width: int, from_top: bool = False) -> None:
    """Render during layout the answers that fill the first screen (the rest go to the renderer)."""
    used = 0
    for w in widgets if from_top else reversed(widgets):
        if used > rows:
            return
        if isinstance(w, AssistantMessage):
            w.body.eager = True
            if not from_top and used == 0:
                w.body.tail_rows = rows  # the end shows first: its last blocks render first
            used += md_render.estimate_height(w.body.source, width) + 3
        else:
            used += 3 + str(getattr(w, "content", "")).count("\n")


class SessionWindow(KeepInPlace):
    """The messages of one session on screen, loaded and dropped as it scrolls."""

    #: The answer being streamed (ChatView's); the window leaves its widget alone.
    _live: Any = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session_id: int | None = None
        self.has_more = False  # older messages than those shown exist
        self.has_newer = False  # newer ones exist (the window is not at the end)
        self._loading_older = False
        self._loading_newer = False
        self.body_renderer = BodyRenderer()
        self._near: WeakSet[Widget] = WeakSet()  # messages near the view when last looked: drawn, or about to be

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def on_unmount(self) -> None:
        self.body_renderer.close()

    def _theme_changed(self, _theme: object) -> None:
        for body in self.query(MarkdownBody):
            if body._lines:
                body.eager = False  # the renderer's thread redraws it; its old lines show meanwhile
            body.refresh(layout=True)

    def _live_here(self) -> bool:
        """Is the answer being streamed in this session, at the end of the window? (ChatView's.)"""
        return False

    async def _mount_live(self, follow: bool = True) -> None:
        """Put the answer being streamed at the end (ChatView's)."""

    # -- the window ---------------------------------------------------------------
    async def _fill(self, messages: list[Any], *, start: int | None = None) -> list[Widget]:
        """Replace the window; answers from ``start`` down (else those at the end) render first."""
        self.forget_place()
        # While the old window goes, its scroll position clamps: no page may load from its edges
        # (a stale newest id made the first page of Ctrl+Home end the session for good).
        self._loading_older = self._loading_newer = True
        await self.remove_children()
        live = self._live
        if live is not None and live.session_id == self.session_id:
            messages = [m for m in messages if m.status != "streaming"]  # the live answer has its own widget
        widgets = [w for m in messages for w in message_widgets(m)]
        if not widgets and not self._live_here():
            widgets = [Static(WELCOME, id="welcome")]
        rows, width = self.size.height or 40, max(20, self.size.width - 8)
        _eager(widgets if start is None else widgets[start:], rows, width, from_top=start is not None)
        _retire_cards_in(widgets, at_end=not self.has_newer)
        await self.mount_all(widgets)
        self._loading_older = self._loading_newer = False
        return widgets

    def _retire_cards(self) -> None:
        """Retry answers the session's last question: only a card that ends the session offers it."""
        last = self.children[-1] if self.children and not self.has_newer else None
        for card in self.query(ErrorCard):
            if card is not last and card.can_retry:
                card.retire()

    async def show_session(self, session_id: int, messages: list[Any], has_more: bool,
                           focus_message_id: int | None = None) -> None:
        self.session_id = session_id
        self.has_more = has_more
        self.has_newer = focus_message_id is not None  # a search hit: newer messages may follow
        if focus_message_id is not None:
            index = next((i for i, m in enumerate(messages) if m.id == focus_message_id), 0)
            widgets = await self._fill(messages, start=index)
            target = next((w for w in widgets if getattr(w, "message_id", None) == focus_message_id), None)
            if target is not None:
                target.add_class("-found")
                self.anchor(False)
                self.pin(target)  # at the top, whatever renders around it, until the reader scrolls
                return
        else:
            await self._fill(messages)
            if self._live_here():
                await self._mount_live()
        self.anchor()

    async def prepend(self, session_id: int, messages: list[Any], has_more: bool, before_id: int) -> None:
        """Older messages arrived: put them on top without moving what is on screen (unless the
        window changed meanwhile: they came before a message it no longer starts with)."""
        self._loading_older = False
        if session_id != self.session_id or self._edge_id(last=False) != before_id:
            return
        self.has_more = has_more
        if messages:
            first = self.children[0] if self.children else None
            older = [w for m in messages for w in message_widgets(m)]
            _retire_cards_in(older, at_end=False)
            await self.mount_all(older, before=first)
            await self._trim(drop_bottom=True)

    async def append_newer(self, session_id: int, messages: list[Any], has_more: bool, after_id: int) -> None:
        """Newer messages arrived (the window did not reach the end): put them below (unless the
        window changed meanwhile: they came after a message it no longer ends with)."""
        self._loading_newer = False
        if session_id != self.session_id or self._edge_id(last=True) != after_id:
            return
        if self._live is not None and self._live.session_id == session_id:
            messages = [m for m in messages if m.status != "streaming"]
        self.has_newer = has_more
        newer = [w for m in messages for w in message_widgets(m)]
        _retire_cards_in(newer, at_end=not has_more)
        self._retire_cards()  # the cards above the new messages
        await self.mount_all(newer)
        if not has_more and self._live_here():
            await self._mount_live(follow=False)
        await self._trim(drop_bottom=False)

    async def show_edge(self, session_id: int, first: bool, messages: list[Any], has_more: bool) -> None:
        """The first (Ctrl+Home) or the last page of the session, in place of the window."""
        if session_id != self.session_id:
            return
        self.has_more, self.has_newer = (False, has_more) if first else (has_more, False)
        await self._fill(messages, start=0 if first else None)
        if first:
            self.anchor(False)
            self.scroll_to(y=0, animate=False, immediate=True)
        else:
            if self._live_here():
                await self._mount_live()
            self.anchor()

    async def _trim(self, drop_bottom: bool) -> None:
        items = list(self.children)
        excess = len(items) - WINDOW
        live = self._live.widget if self._live is not None else None
        if excess <= 0 or (drop_bottom and live is not None and live.is_attached):
            return
        if drop_bottom:
            await self.remove_children(items[-excess:])
            self.has_newer = True
        else:
            await self.remove_children(items[:excess])
            self.has_more = True

    def _edge_id(self, last: bool) -> int | None:
        ids = [mid for w in self.children if (mid := getattr(w, "message_id", None)) is not None]
        return (ids[-1] if last else ids[0]) if ids else None

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._load_at_edges(new)
        self._let_far_lines_go()

    def _let_far_lines_go(self) -> None:
        """Textual keeps every line a widget has drawn (its styles cache), each with the pieces
        the compositor cut it into: paging through a window of long answers kept about five
        strips for every line of every answer in it (hundreds of MB; issue 13: RSS). Messages
        that move more than :data:`KEEP_SCREENS` screens from the view drop those lines (a
        refresh: drawn again if scrolled back to; their rendered Markdown stays)."""
        height = self.size.height
        top, bottom = self.scroll_y - KEEP_SCREENS * height, self.scroll_y + (KEEP_SCREENS + 1) * height
        near = self._near
        for child in self.children:
            region = child.virtual_region
            if region.bottom >= top and region.y <= bottom:
                near.add(child)
            elif child in near:
                near.discard(child)
                for widget in child.walk_children(with_self=True):
                    widget.refresh()

    def _load_at_edges(self, new: float) -> None:
        """At the top or the bottom of the window, and the session goes on: load the next page."""
        if self.session_id is None:
            return
        if new <= 0 and self.has_more and not self._loading_older:
            oldest = self._edge_id(last=False)
            if oldest is not None:
                self._loading_older = True
                self.post_message(msg.LoadOlder(self.session_id, oldest))
        if new >= self.max_scroll_y and self.has_newer and not self._loading_newer:
            newest = self._edge_id(last=True)
            if newest is not None:
                self._loading_newer = True
                self.post_message(msg.LoadNewer(self.session_id, newest))

    # -- keys -----------------------------------------------------------------------
    def scroll_key(self, how: str) -> None:
        """PageUp/PageDown/Ctrl+Home/Ctrl+End from the app's bindings (the prompt keeps focus)."""
        check_scroll_key(self)
        self.unpin()
        if how in ("page_up", "page_down"):
            if how == "page_up":
                self.scroll_page_up(animate=False)
            else:
                self.scroll_page_down(animate=False)
            self._load_at_edges(self.scroll_y)  # already at an edge: no scroll, but the next page
        elif how == "top":
            if self.has_more and self.session_id is not None:
                self.post_message(msg.LoadEdge(self.session_id, first=True))
            else:
                self.anchor(False)
                self.scroll_home(animate=False)
        elif self.has_newer and self.session_id is not None:
            self.post_message(msg.LoadEdge(self.session_id, first=False))
        else:
            self.anchor()
