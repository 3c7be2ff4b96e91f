"""Sending a message and streaming its answer.

A turn has one owner: the screen's worker in the "turn" group. It runs the engine's
turn on the engine's loop (:mod:`wits_tui.ui.bridge`) and turns its events into
messages for the chat pane. Esc cancels the worker: the UI is free at once, whatever
the engine waits on, and the engine stores what arrived as an interrupted answer.

The question is saved before anything is shown: the chat renders it when the engine
says it is in the database (a kill after Enter loses nothing that is on screen).
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Any

from textual.worker import Worker

from wits_tui.ui import messages as msg
from wits_tui.ui.controllers.base import Controller
from wits_tui.ui.dispatch import chat_message

RATE_EVERY = 0.25  # seconds between live tokens/s updates
FRAME = 1 / 30  # seconds between batches of tokens sent to the chat pane
#: Esc: how long the UI waits for the engine to store the cut-off answer before it moves
#: on anyway (the engine may be blocked, e.g. on a locked database). Esc frees the UI < 0.5 s.
STOP_GRACE = 0.3


@dataclass(frozen=True, slots=True)
class QuestionSaved:
    """Put into a turn's stream by the engine thread once the question is stored."""

    message: Any  # engine.store.records.Message


class TurnController(Controller):
    """Owns the running turn (at most one) and a message sent before the engine was open."""

    worker_: Worker[None] | None = None
    send_when_ready: bool = False
    #: The last turn's answer completed (a queued message goes out only then).
    completed: bool = False
    #: The worker ended and posted TurnFinished (through the chat, so that it arrives after
    #: everything it posted there), which the screen has not handled yet.
    _unreported: bool = False

    @property
    def running(self) -> bool:
        """A turn's worker runs, or its end is not yet shown. Derived from the worker, so no
        flag can stay set when a worker dies before it starts."""
        w = self.worker_
        if w is None:
            return False
        return (not w.is_finished and not w.is_cancelled) or self._unreported

    def submit(self, text: str, edit_of: int | None = None) -> None:
        """Enter on a message (not a slash command); ``edit_of``: it replaces that user message
        and what followed it (kept as an earlier version)."""
        screen = self.screen
        if not screen.ready:
            # Enter pressed while Wits is still opening its data: back in the prompt, and sent
            # from there as soon as Wits is ready.
            self.send_when_ready = screen.prompt.give_back(text)
            if self.send_when_ready:
                screen.notify("Still starting: your message goes out as soon as Wits is ready.")
            else:
                screen.notify(f"Still starting: send this again once Wits is ready: {text[:200]}",
                              severity="warning", timeout=15)
            return
        from wits_tui.commands.parser import unescape

        session = screen.sessions.current
        if session is None:
            self._give_back(text, "No session is open yet")
            return
        screen.slash.remember(text)
        queue = screen.queue
        attachments = screen.attach.take()
        if self.running or queue.items:
            # An answer is coming (or a held queue waits): this one goes out after those before it,
            # with its files.
            queue.add(session.id, unescape(text), edit_of, attachments)
            if not self.running:
                queue.release()
            return
        self.start(session.id, unescape(text), edit_of=edit_of, attachments=attachments)

    def start(self, session_id: int, text: str | None, model: str | None = None, edit_of: int | None = None,
              attachments: list[Any] | None = None) -> None:
        self.completed = False
        self.screen.status.set_speed(None, None, live=True)
        self.worker_ = self.worker(self._run(session_id, text, model, edit_of, attachments or []), group="turn",
                                   exclusive=True)

    async def retry(self, model: str | None = None) -> None:
        if self.running:
            self.screen.notify("An answer is still coming: Esc stops it.", severity="warning")
            return
        session = self.screen.sessions.current
        if self.screen.ready and session is not None:
            self.start(session.id, None, model)

    def stop(self) -> bool:
        """Cancel the running turn; False if there is none."""
        if not self.running or self.worker_ is None:
            return False
        self.worker_.cancel()
        return True

    async def _begin(self, session_id: int, question: Any, model: str | None, edit_of: int | None = None) -> None:
        """``question``: the stored user message (None for a retry)."""
        chat = self.screen.chat
        if chat.session_id != session_id:
            return
        if question is not None:
            if edit_of is not None:
                from wits_tui.ui.widgets.edits import drop_from

                await drop_from(chat, edit_of)
            await chat.add_user(question.content, question.id, getattr(question, "earlier", 0),
                                getattr(question, "attachments", ()))
        session = self.screen.sessions.current
        await chat.begin_answer(session_id, model or self.engine.model_for(session))

    async def _run(self, session_id: int, text: str | None, model: str | None, edit_of: int | None = None,
                   attachments: list[Any] | None = None) -> None:
        from wits_tui.engine.events import Thinking, Token, TurnStarted

        engine, chat = self.engine, self.screen.chat
        saved = text is None  # a retry answers a question that is stored already
        if text is None:
            await self._begin(session_id, None, model)

        def make() -> Any:
            if text is None:
                return engine.retry(session_id, model=model)
            if edit_of is not None:
                return engine.edit(session_id, edit_of, text, model=model, on_saved=on_saved, attachments=attachments or [])
            return engine.turn(session_id, text, model=model, on_saved=on_saved, attachments=attachments or [])

        stored = threading.Event()  # set on the engine thread the moment the question is stored

        def on_saved(message: Any) -> None:
            stored.set()
            stream.emit(QuestionSaved(message))

        stream = self.bridge.stream(make)
        started = time.monotonic()
        first: float | None = None
        latest = 0.0  # when the latest token came
        tokens = 0
        pending: list[str] = []
        thoughts: list[str] = []  # thinking is batched like tokens

        def flush() -> None:
            if thoughts:
                chat.post_message(msg.AnswerThinking(session_id, "".join(thoughts)))
                thoughts.clear()
            if pending:
                chat.post_message(msg.AnswerToken(session_id, "".join(pending)))
                pending.clear()

        async def pace() -> None:
            # Tokens go to the screen at most once a frame: a fast model sends
            # hundreds a second, and one message per token would fall behind.
            last_rate = 0.0
            while True:
                await asyncio.sleep(FRAME)
                flush()
                now = time.monotonic()
                if first is not None and now - last_rate >= RATE_EVERY:
                    last_rate = now
                    span = latest - first  # to the latest token: a stalled stream's rate does not sink
                    self.screen.status.set_speed(tokens / span if span > 0.05 else None,
                                                 (first - started) * 1000, live=True)

        pacer = asyncio.create_task(pace())
        try:
            async for ev in stream:
                if isinstance(ev, QuestionSaved):
                    saved = True
                    await self._begin(session_id, ev.message, model, edit_of)
                    continue
                if isinstance(ev, Thinking):
                    thoughts.append(ev.text)
                    continue
                if isinstance(ev, TurnStarted):
                    # first token counted from the request, as the engine's figure is (not from Enter)
                    started = time.monotonic()
                if isinstance(ev, Token):
                    latest = time.monotonic()
                    if first is None:
                        first = latest
                    tokens += 1
                    pending.append(ev.text)
                    continue
                flush()
                message = chat_message(session_id, ev)
                if message is not None:
                    chat.post_message(message)
        except asyncio.CancelledError:
            if self.screen.closing:  # quitting: the engine stores the cut-off answer as it closes
                stream.cancel()
                raise
            flush()
            await stream.stop(STOP_GRACE)  # the answer is stored as interrupted before the UI says so
            if saved:
                chat.post_message(msg.AnswerInterrupted(session_id))
            elif stored.is_set():  # stored, but stopped before the chat showed it: show what is stored
                self.screen.sessions.open(session_id)
            elif text is not None:
                self.screen.attach.give_back(attachments or [])
                self._give_back(text, "Stopped before your question was saved")
            raise
        except Exception as exc:  # noqa: BLE001 - shown, and the app stays up
            flush()
            if not saved and text is not None:
                # The turn could not start (e.g. the database is locked): say why, lose nothing.
                self.screen.attach.give_back(attachments or [])
                self._give_back(text, f"Could not send: {type(exc).__name__}: {exc}")
            else:
                from wits_tui.engine.events import TurnError as TE

                chat.post_message(msg.AnswerFailed(session_id, TE(
                    error_type="internal", message=f"{type(exc).__name__}: {exc}",
                    hint="This is a bug in Wits; the log file has the details.", context={}, error_id="")))
        finally:
            stream.cancel()
            pacer.cancel()
            # Through the chat: it bubbles up to the screen after the chat handled what came before.
            self._unreported = chat.post_message(msg.TurnFinished(session_id))

    def _give_back(self, text: str, why: str) -> None:
        """The question never reached the database: put it back in the prompt."""
        if self.screen.prompt.give_back(text):
            self.screen.notify(f"{why}: it is back in the prompt.", severity="warning", timeout=8)
        else:
            self.screen.notify(f"{why}: {text[:200]}", severity="warning", timeout=15)

    # -- what the chat and the worker report --------------------------------------------
    def answer_done(self, event: msg.AnswerDone) -> None:
        self.completed = True
        stats = event.event.stats
        self.screen.status.set_speed(stats.tokens_per_s, stats.ttft_ms)

    def finished(self) -> None:
        self._unreported = False
        self.screen.status.end_live()
        self.screen.sessions.refresh()  # the title may have been made from the first message
        self.screen.modules.load()  # the answer loaded a model: the bar's dots change
        self.screen.queue.after_turn(self.completed)
