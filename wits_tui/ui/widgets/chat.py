"""The chat pane: a window onto one session's messages (:mod:`.chat_window`), and the
answer being streamed, with what comes with it (thinking, tools, memory, sources, errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual import on
from textual.binding import Binding
from textual.widget import Widget

from wits_tui.ui import messages as msg
from wits_tui.ui.widgets import sources
from wits_tui.ui.widgets.chat_window import SessionWindow
from wits_tui.ui.widgets.details import MemoryUsedLine, ToolLine
from wits_tui.ui.widgets.error_card import ErrorCard
from wits_tui.ui.widgets.md_body import MarkdownBody
from wits_tui.ui.widgets.message import AssistantMessage, Notice, UserMessage, route_label
from wits_tui.ui.widgets.thinking import add_live_thinking, collapse_thinking


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


class ChatView(SessionWindow, can_focus=True):
    """Shows one session. ``+``/``-`` rate the focused answer, else the last one."""

    BINDINGS = [
        Binding("plus", "feedback('good')", "Good answer", id="feedback_good", show=False),
        Binding("minus", "feedback('bad')", "Bad answer", id="feedback_bad", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._live: _Live | None = None

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
