"""Sending a message and streaming the answer (a mixin of the app).

The turn runs in an async worker; engine events become messages posted to the
chat pane, which renders them. Esc cancels the worker: the engine keeps what
arrived as an interrupted answer and the pane marks it so.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import aclosing

from textual import work

from wits_tui.ui import messages as msg
from wits_tui.ui.dispatch import chat_message
from wits_tui.ui.widgets.prompt import PromptInput

RATE_EVERY = 0.25  # seconds between live tokens/s updates
FRAME = 1 / 30  # seconds between batches of tokens sent to the chat pane


class TurnsMixin:
    """Needs the app's ``engine``, ``session``, ``chat``, ``prompt`` and ``status``."""

    turn_running: bool = False
    send_when_ready: bool = False

    async def on_prompt_input_submitted(self, event: PromptInput.Submitted) -> None:
        text = event.text
        if text.lstrip().startswith("/") and not text.lstrip().startswith("//"):
            self.prompt.take()
            self.remember(text)
            self.run_slash(text)
            return
        if not self.ready:
            # Enter pressed while Wits is still opening its data: send as soon as it is ready.
            self.send_when_ready = True
            self.notify("Still starting: your message goes out as soon as Wits is ready.")
            return
        if self.turn_running:
            self.notify("An answer is still coming: Esc stops it. Your message is kept in the prompt.",
                        severity="warning")
            return
        from wits_tui.commands.parser import unescape

        self.prompt.take()
        self.remember(text)
        await self.chat.add_user(unescape(text))
        await self.start_turn(self.session.id, unescape(text))

    async def start_turn(self, session_id: int, text: str | None, model: str | None = None) -> None:
        self.turn_running = True
        await self.chat.begin_answer(session_id, model or self.engine.model_for(self.session))
        self.status.set_speed(None, None, live=True)
        self.run_turn(session_id, text, model)

    async def on_retry_requested(self, event: msg.RetryRequested) -> None:
        await self.retry_last()

    async def retry_last(self, model: str | None = None) -> None:
        if self.turn_running:
            self.notify("An answer is still coming: Esc stops it.", severity="warning")
            return
        if self.ready:
            await self.start_turn(self.session.id, None, model)

    @work(thread=True, group="history", exit_on_error=False)
    def remember(self, text: str) -> None:
        if self.ready:
            self.engine.store.history.add(text, self.session.id if self.session else None)

    @work(exclusive=True, group="turn", exit_on_error=False)
    async def run_turn(self, session_id: int, text: str | None, model: str | None) -> None:
        from wits_tui.engine.events import Token

        chat = self.chat
        stream = (self.engine.turn(session_id, text, model=model) if text is not None
                  else self.engine.retry(session_id, model=model))
        started = time.monotonic()
        first: float | None = None
        tokens = 0
        pending: list[str] = []

        def flush() -> None:
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
                    span = now - first
                    self.post_message(msg.StreamRate(tokens, tokens / span if span > 0.05 else None,
                                                     (first - started) * 1000))

        pacer = asyncio.create_task(pace())
        try:
            async with aclosing(stream):
                async for ev in stream:
                    if isinstance(ev, Token):
                        if first is None:
                            first = time.monotonic()
                        tokens += 1
                        pending.append(ev.text)
                        continue
                    flush()
                    message = chat_message(session_id, ev)
                    if message is not None:
                        chat.post_message(message)
        except asyncio.CancelledError:
            flush()
            chat.post_message(msg.AnswerInterrupted(session_id))
            raise
        except Exception as exc:  # a bug, not a backend failure: still show a card, keep the app up
            from wits_tui.engine.events import TurnError as TE

            flush()
            chat.post_message(msg.AnswerFailed(session_id, TE(
                error_type="internal", message=f"{type(exc).__name__}: {exc}",
                hint="This is a bug in Wits; the log file has the details.", context={}, error_id="")))
        finally:
            pacer.cancel()
            self.post_message(msg.TurnFinished(session_id))

    def on_stream_rate(self, event: msg.StreamRate) -> None:
        self.status.set_speed(event.tokens_per_s, event.ttft_ms, live=True)

    def on_answer_done(self, event: msg.AnswerDone) -> None:
        if self._shutting_down():  # bubbled up from the chat while the app closes
            return
        stats = event.event.stats
        self.status.set_speed(stats.tokens_per_s, stats.ttft_ms)

    def on_turn_finished(self, event: msg.TurnFinished) -> None:
        self.turn_running = False
        self.status.end_live()
        self.refresh_sessions()  # the title may have been made from the first message
        self.load_modules()  # the answer loaded a model: the bar's dots change

    def action_stop(self) -> None:
        if self.replay is not None:
            self.action_replay_quit()
        elif self.turn_running:
            self.workers.cancel_group(self, "turn")
        elif self.pull_running:
            self.workers.cancel_group(self, "pull")

    # -- /pull -------------------------------------------------------------------
    pull_running: bool = False

    @work(exclusive=True, group="pull", exit_on_error=False)
    async def run_pull(self, model: str) -> None:
        self.pull_running = True
        error: str | None = None
        last = 0.0
        try:
            async for p in self.engine.pull(model):
                now = time.monotonic()
                if now - last > 0.1 or p.fraction == 1.0:
                    last = now
                    self.post_message(msg.PullUpdate(model, p.status, p.fraction))
        except asyncio.CancelledError:
            error = "stopped"
            raise
        except Exception as exc:
            error = getattr(exc, "message", None) or str(exc)
            hint = getattr(exc, "hint", "")
            error = f"{error}. {hint}".strip(". ") if hint else error
        finally:
            self.pull_running = False
            self.post_message(msg.PullFinished(model, error))

    def on_pull_update(self, event: msg.PullUpdate) -> None:
        from wits_tui.ui.widgets.progress import JobProgress

        pct = "" if event.fraction is None else f" {event.fraction:.0%}"
        self.query_one(JobProgress).show(f"pull {event.model}: {event.status}{pct}", event.fraction, owner="pull")

    async def on_pull_finished(self, event: msg.PullFinished) -> None:
        from wits_tui.ui.widgets.progress import JobProgress

        self.query_one(JobProgress).hide("pull")
        self.command_cache.pop("models", None)
        if event.error:
            await self.chat.add_notice(f"pull {event.model} failed: {event.error}", "error")
        else:
            await self.chat.add_notice(f"pulled {event.model}")
