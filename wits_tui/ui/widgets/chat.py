"""The chat pane: a window onto one session's messages, and the answer being streamed.

The pane holds a stretch of the session: the newest ``TAIL`` messages when it opens,
older ones loaded when it is scrolled to the top, newer ones (after Ctrl+Home or a
search hit) when it is scrolled to the end, and never more than ``WINDOW`` messages:
the far end is dropped as the other grows. Answers render once per width to cached
lines (``md_body``), in a background thread except those the pane opens on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual import on
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from wits_tui.ui import messages as msg
from wits_tui.ui.widgets import md_render, sources
from wits_tui.ui.widgets.chat_scroll import KeepInPlace, check_scroll_key
from wits_tui.ui.widgets.details import MemoryUsedLine, ToolLine
from wits_tui.ui.widgets.error_card import ErrorCard
from wits_tui.ui.widgets.md_body import BodyRenderer, MarkdownBody
from wits_tui.ui.widgets.message import AssistantMessage, Notice, UserMessage, route_label
from wits_tui.ui.widgets.thinking import add_live_thinking, collapse_thinking

WELCOME = (
    "[b]Ask anything.[/b]\n\n"
    "[dim]Enter sends · Ctrl+J adds a line · / for commands · Ctrl+P for the palette[/dim]"
)
WINDOW = 120  # messages held at most; a session of any length costs the same to scroll


@dataclass
class _Live:
    session_id: int
    text: str = ""
    model: str | None = None
    module: str | None = None
    route: str = ""
    thinking: str = ""
    widget: AssistantMessage | None = None
    started: bool = False
    tools: list[ToolLine] = field(default_factory=list)


def _whole(widget: AssistantMessage) -> bool:
    """Attached with its parts: a session switch removes an answer's parts while a handler awaits."""
    return widget.is_attached and bool(widget.query(".status-line")) and bool(widget.query(MarkdownBody))


def message_widget(m: Any, eager: bool = False) -> Widget:
    if m.role == "user":
        return UserMessage(m.content, m.id, getattr(m, "earlier", 0), getattr(m, "attachments", ()))
    if m.role == "summary":
        return AssistantMessage(m.content, model="summary of the earlier turns (/compact)", message_id=m.id,
                                eager=eager)
    return AssistantMessage(m.content, status=m.status, model=m.model, message_id=m.id, module=m.module,
                            thought=getattr(m, "thinking", "") or "", eager=eager)


def message_widgets(m: Any) -> list[Widget]:
    """A stored message's widgets: a failed answer also gets its error card (the reason, the fix)."""
    if m.role != "assistant" or m.status != "error":
        return [message_widget(m)]
    card = ErrorCard.for_stored(m)
    return [message_widget(m), card] if (m.content or getattr(m, "thinking", "")) else [card]


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


class ChatView(KeepInPlace, can_focus=True):
    """Shows one session. ``+``/``-`` rate the focused answer, else the last one."""

    BINDINGS = [
        Binding("plus", "feedback('good')", "Good answer", id="feedback_good", show=False),
        Binding("minus", "feedback('bad')", "Bad answer", id="feedback_bad", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session_id: int | None = None
        self.has_more = False  # older messages than those shown exist
        self.has_newer = False  # newer ones exist (the window is not at the end)
        self._loading_older = False
        self._loading_newer = False
        self._live: _Live | None = None
        self.body_renderer = BodyRenderer()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def on_unmount(self) -> None:
        self.body_renderer.close()

    def _theme_changed(self, _theme: object) -> None:
        for body in self.query(MarkdownBody):
            body.refresh(layout=True)

    # -- the window ---------------------------------------------------------------
    async def _fill(self, messages: list[Any], *, start: int | None = None) -> list[Widget]:
        """Replace the window; answers from ``start`` down (else those at the end) render first."""
        self.forget_place()
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
        self._loading_older = self._loading_newer = False
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

    async def prepend(self, session_id: int, messages: list[Any], has_more: bool) -> None:
        """Older messages arrived: put them on top without moving what is on screen."""
        self._loading_older = False
        if session_id != self.session_id:
            return
        self.has_more = has_more
        if messages:
            first = self.children[0] if self.children else None
            older = [w for m in messages for w in message_widgets(m)]
            _retire_cards_in(older, at_end=False)
            await self.mount_all(older, before=first)
            await self._trim(drop_bottom=True)

    async def append_newer(self, session_id: int, messages: list[Any], has_more: bool) -> None:
        """Newer messages arrived (the window did not reach the end): put them below."""
        self._loading_newer = False
        if session_id != self.session_id:
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
        self._loading_older = self._loading_newer = False
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

    def _oldest_id(self) -> int | None:
        return self._edge_id(last=False)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
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
        if how == "page_up":
            self.scroll_page_up(animate=False)
        elif how == "page_down":
            self.scroll_page_down(animate=False)
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

    # -- adding ------------------------------------------------------------------------
    async def _add(self, widget: Widget) -> None:
        for w in self.query("#welcome"):
            await w.remove()
        await self.mount(widget)

    async def add_user(self, text: str, message_id: int | None = None, earlier: int = 0, attachments: Any = ()) -> None:
        if self.has_newer:  # a new question goes at the end: show the end
            await self.remove_children()
            self.has_more, self.has_newer = True, False
        await self._add(UserMessage(text, message_id, earlier, attachments))
        self._retire_cards()
        self.anchor()

    async def add_notice(self, text: str, level: str = "info") -> None:
        """Command output and errors: added at the end and scrolled into view."""
        notice = Notice(text, level)
        await self._add(notice)
        if self.following or not self.has_newer:
            self.anchor()
        else:
            self.call_after_refresh(self.scroll_to_widget, notice, animate=False)

    # -- the live answer --------------------------------------------------------
    def _live_here(self) -> bool:
        return self._live is not None and self._live.session_id == self.session_id and not self.has_newer

    @property
    def streaming(self) -> bool:
        return self._live is not None

    async def begin_answer(self, session_id: int, model: str | None = None) -> None:
        self._live = _Live(session_id, model=model)
        if self._live_here():
            await self._mount_live()

    async def _mount_live(self, follow: bool = True) -> None:
        live = self._live
        assert live is not None
        live.widget = AssistantMessage(live.text, model=live.model, thinking=not (live.text or live.thinking),
                                       module=live.module, route=live.route, thought=live.thinking, live=True)
        live.started = bool(live.text)
        await self._add(live.widget)
        self._retire_cards()  # an answer is coming (a retry too): the cards above it are history
        if follow:
            self.anchor()

    def action_feedback(self, word: str) -> None:
        focused = self.screen.focused
        target = focused if isinstance(focused, AssistantMessage) else None
        if target is None:
            answers = [w for w in self.query(AssistantMessage) if w.message_id is not None]
            target = answers[-1] if answers else None
        if target is None:
            self.notify("there is no answer to rate yet", severity="warning", timeout=3)
            return
        self.post_message(msg.FeedbackGiven(word, target.message_id))

    async def on_user_shown(self, event: msg.UserShown) -> None:
        if event.session_id == self.session_id:
            if event.edited:
                await self.add_notice("✎ edited: the question below replaced an earlier one and what followed it")
            await self.add_user(event.text, attachments=event.attachments)

    async def on_answer_begun(self, event: msg.AnswerBegun) -> None:
        await self.begin_answer(event.session_id, event.model)

    def on_answer_routed(self, event: msg.AnswerRouted) -> None:
        live = self._live
        if live is not None and live.session_id == event.session_id:
            ev = event.event
            live.module, live.route = ev.module, route_label(ev.module, ev.reason)
            if live.widget is not None and live.widget.is_attached:
                live.widget.set_route(ev.module, ev.reason)

    def on_answer_started(self, event: msg.AnswerStarted) -> None:
        live = self._live
        if live is not None and live.session_id == event.session_id:
            live.model = event.model
            if live.widget is not None and live.widget.is_attached:
                live.widget.set_model(event.model)

    async def on_answer_token(self, event: msg.AnswerToken) -> None:
        live = self._live
        if live is None or live.session_id != event.session_id:
            return
        live.text += event.text
        widget = live.widget
        if widget is None or not widget.is_attached:
            return
        if not live.started:
            live.started = True
            widget.stop_thinking()
            collapse_thinking(widget)
        widget.set_stall("")
        widget.body.append(event.text)

    async def on_answer_thinking(self, event: msg.AnswerThinking) -> None:
        live = self._live
        if live is None or live.session_id != event.session_id:
            return
        live.thinking += event.text
        if live.widget is not None and live.widget.is_attached:
            live.widget.set_stall("")
            await add_live_thinking(live.widget, event.text)

    def on_answer_stalled(self, event: msg.AnswerStalled) -> None:
        """Nothing from the model for a while: say so under the answer; the next token clears it."""
        from wits_tui.engine.stall import limit_note, notice

        live = self._live
        if live is not None and live.session_id == event.session_id and live.widget is not None and _whole(live.widget):
            live.widget.set_stall("⏸ " + notice(event.event))
            live.widget.query_one(".status-line").tooltip = limit_note(event.event)

    async def _end_live(self, session_id: int, text: str | None, status: str,
                        message_id: int | None = None) -> AssistantMessage | None:
        live = self._live
        if live is None or live.session_id != session_id:
            return None
        self._live = None
        widget = live.widget
        if widget is None or not _whole(widget):
            return None
        widget.stop_thinking()
        collapse_thinking(widget)
        final = live.text if text is None else text
        widget.body.finish(final)
        widget.text, widget.message_id = final, message_id
        if not _whole(widget):
            return None  # the session was switched away during the update: the widget is being removed
        widget.set_status(status)
        return widget

    async def on_answer_done(self, event: msg.AnswerDone) -> None:
        widget = await self._end_live(event.session_id, event.event.text, "complete", event.event.message_id)
        await sources.after_answer(self, event.session_id, widget)

    async def on_docs_used(self, event: msg.DocsUsed) -> None:
        await sources.docs_used(self, event.session_id, event.event)

    async def on_answer_interrupted(self, event: msg.AnswerInterrupted) -> None:
        await self._end_live(event.session_id, None, "interrupted")

    async def on_answer_failed(self, event: msg.AnswerFailed) -> None:
        err = event.event
        widget = await self._end_live(event.session_id, err.partial_text or None, "error", err.message_id)
        if widget is not None and not (err.partial_text or widget.text):
            await widget.remove()
        if event.session_id == self.session_id:
            await self._add(ErrorCard(err.error_type, err.message, err.hint))
            self.anchor()

    async def _above_answer(self, widget: Widget) -> None:
        """Put a line above the answer being streamed (else at the end)."""
        live = self._live
        if live is not None and live.widget is not None and live.widget.is_attached:
            await self.mount(widget, before=live.widget)
        else:
            await self._add(widget)

    async def on_answer_fallback(self, event: msg.AnswerFallback) -> None:
        if event.session_id == self.session_id:
            fb = event.event
            await self._above_answer(Notice(f"↪ {fb.from_model} failed ({fb.reason}); trying {fb.to_model}", "warning"))

    async def on_memory_used(self, event: msg.MemoryUsed) -> None:
        if event.session_id == self.session_id and event.event.segments:
            await self._above_answer(MemoryUsedLine(event.event))

    async def on_tool_call_shown(self, event: msg.ToolCallShown) -> None:
        if event.session_id == self.session_id:
            line = ToolLine(event.event)
            if self._live is not None and self._live.session_id == event.session_id:
                self._live.tools.append(line)
                if self._live.widget is not None and _whole(self._live.widget):
                    self._live.widget.set_stall("")
            await self._above_answer(line)

    def on_tool_result_shown(self, event: msg.ToolResultShown) -> None:
        live, res = self._live, event.event
        if live is None or live.session_id != event.session_id:
            return
        line = next((t for t in live.tools if not t.done and t.round == res.round and t.tool == res.name), None)
        if line is not None and line.is_attached:
            line.finish(res)

    @on(ErrorCard.Retry)
    def _retry(self, event: ErrorCard.Retry) -> None:
        event.stop()
        event.card.remove()
        self.post_message(msg.RetryRequested())
