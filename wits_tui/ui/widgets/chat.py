"""The chat pane: the messages of one session, and the answer being streamed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual import on
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from wits_tui.ui import messages as msg
from wits_tui.ui.widgets.details import MemoryUsedLine, ToolLine
from wits_tui.ui.widgets import sources
from wits_tui.ui.widgets.error_card import ErrorCard
from wits_tui.ui.widgets.stream import AnswerStream
from wits_tui.ui.widgets.thinking import add_live_thinking, collapse_thinking
from wits_tui.ui.widgets.message import AssistantMessage, Notice, UserMessage, route_label

WELCOME = (
    "[b]Ask anything.[/b]\n\n"
    "[dim]Enter sends · Ctrl+J adds a line · / for commands · Ctrl+P for the palette[/dim]"
)


@dataclass
class _Live:
    session_id: int
    text: str = ""
    model: str | None = None
    module: str | None = None
    route: str = ""
    thinking: str = ""
    widget: AssistantMessage | None = None
    stream: AnswerStream | None = None
    tools: list[ToolLine] = field(default_factory=list)


def _whole(widget: AssistantMessage) -> bool:
    """Attached with its parts: a session switch removes an answer's parts while a handler awaits."""
    return widget.is_attached and bool(widget.query(".status-line")) and bool(widget.query(Markdown))


def message_widget(m: Any):
    if m.role == "user":
        return UserMessage(m.content, m.id)
    if m.role == "summary":
        return AssistantMessage(m.content, model="summary of the earlier turns (/compact)", message_id=m.id)
    return AssistantMessage(m.content, status=m.status, model=m.model, message_id=m.id, module=m.module,
                            thought=getattr(m, "thinking", "") or "")


class ChatView(VerticalScroll, can_focus=True):
    """Shows one session; loads older messages when scrolled to the top.
    ``+``/``-`` rate the focused answer, else the last one."""

    BINDINGS = [
        Binding("plus", "feedback('good')", "Good answer", id="feedback_good", show=False),
        Binding("minus", "feedback('bad')", "Bad answer", id="feedback_bad", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session_id: int | None = None
        self.has_more = False
        self._loading_older = False
        self._live: _Live | None = None

    # -- showing a session ----------------------------------------------------
    async def show_session(self, session_id: int, messages: list[Any], has_more: bool,
                           focus_message_id: int | None = None) -> None:
        self.session_id = session_id
        self.has_more = has_more
        self._loading_older = False
        await self.remove_children()
        widgets = [message_widget(m) for m in messages]
        if not widgets and not self._live_here():
            widgets = [Static(WELCOME, id="welcome")]
        await self.mount_all(widgets)
        if self._live_here():
            await self._mount_live()
        if focus_message_id is not None:
            target = next((w for w in widgets if getattr(w, "message_id", None) == focus_message_id), None)
            if target is not None:
                target.add_class("-found")
                self.anchor(False)
                self.call_after_refresh(self.scroll_to_widget, target, top=True, animate=False)
                return
        self.anchor()

    async def prepend(self, session_id: int, messages: list[Any], has_more: bool) -> None:
        """Older messages arrived: put them on top without moving what is on screen."""
        self._loading_older = False
        if session_id != self.session_id or not messages:
            self.has_more = has_more if session_id == self.session_id else self.has_more
            return
        self.has_more = has_more
        before = self.virtual_size.height
        first = self.children[0] if self.children else None
        await self.mount_all([message_widget(m) for m in messages], before=first)

        def keep_place() -> None:
            self.scroll_to(y=self.scroll_y + self.virtual_size.height - before, animate=False, immediate=True)

        self.call_after_refresh(keep_place)

    def _oldest_id(self) -> int | None:
        for w in self.children:
            mid = getattr(w, "message_id", None)
            if mid is not None:
                return mid
        return None

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new <= 0 and self.has_more and not self._loading_older and self.session_id is not None:
            oldest = self._oldest_id()
            if oldest is not None:
                self._loading_older = True
                self.post_message(msg.LoadOlder(self.session_id, oldest))

    async def _add(self, widget) -> None:
        for w in self.query("#welcome"):
            await w.remove()
        await self.mount(widget)

    async def add_user(self, text: str) -> None:
        await self._add(UserMessage(text))
        self.anchor()

    async def add_notice(self, text: str, level: str = "info") -> None:
        await self._add(Notice(text, level))
        if self.is_anchored:
            self.scroll_end(animate=False, immediate=True)

    # -- the live answer --------------------------------------------------------
    def _live_here(self) -> bool:
        return self._live is not None and self._live.session_id == self.session_id

    @property
    def streaming(self) -> bool:
        return self._live is not None

    async def begin_answer(self, session_id: int, model: str | None = None) -> None:
        self._live = _Live(session_id, model=model)
        if self._live_here():
            await self._mount_live()

    async def _mount_live(self) -> None:
        live = self._live
        assert live is not None
        live.widget = AssistantMessage(live.text, model=live.model, thinking=not (live.text or live.thinking),
                                       module=live.module, route=live.route, thought=live.thinking)
        live.stream = None
        await self._add(live.widget)
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
            await self.add_user(event.text)

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
        if live.stream is None:
            widget.stop_thinking()
            collapse_thinking(widget)
            live.stream = AnswerStream(widget.markdown)
        await live.stream.write(event.text)

    async def on_answer_thinking(self, event: msg.AnswerThinking) -> None:
        live = self._live
        if live is None or live.session_id != event.session_id:
            return
        live.thinking += event.text
        if live.widget is not None and live.widget.is_attached:
            await add_live_thinking(live.widget, event.text)

    async def _end_live(self, session_id: int, text: str | None, status: str, message_id: int | None = None) -> AssistantMessage | None:
        live = self._live
        if live is None or live.session_id != session_id:
            return None
        self._live = None
        widget = live.widget
        if live.stream is not None:
            await live.stream.stop()
        if widget is None or not _whole(widget):
            return None
        widget.stop_thinking()
        collapse_thinking(widget)
        final = live.text if text is None else text
        # Set the final text once the stream ends (Textual #6518: fences can go blank otherwise).
        await widget.markdown.update(final)
        widget.text, widget.message_id = final, message_id
        if not _whole(widget):
            return None  # the session was switched away during the update: the widget is being removed
        widget.set_status(status)
        if self.is_anchored:
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)
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

    async def _above_answer(self, widget) -> None:
        """Put a line above the answer being streamed (else at the end)."""
        live = self._live
        if live is not None and live.widget is not None and live.widget.is_attached:
            await self.mount(widget, before=live.widget)
        else:
            await self._add(widget)
        if self.is_anchored:
            self.scroll_end(animate=False, immediate=True)

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
