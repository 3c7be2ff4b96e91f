"""The line-mode chat loop.

Answers stream as plain text, one message after another. While an answer
streams, the terminal is read key by key: Ctrl+C stops the answer (it is kept
as interrupted), anything else typed meanwhile is kept for the next prompt.
At the prompt, Ctrl+C clears the line and Ctrl+D quits.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing, contextmanager
from typing import IO, Any

from prompt_toolkit import PromptSession
from prompt_toolkit.input import Input
from prompt_toolkit.input.typeahead import store_typeahead
from prompt_toolkit.keys import Keys
from prompt_toolkit.output import Output

from wits_tui.commands import (
    AttachmentsChanged,
    ClearChat,
    CommandContext,
    CopyText,
    Listing,
    ManageQueue,
    Notice,
    SetTheme,
    StartDocsJob,
    StartEdit,
    StartMemoryJob,
    StartPull,
    StartReplay,
    StartRetry,
    StartTraining,
    SwitchModule,
    SwitchSession,
    run_command,
)
from wits_tui.commands.parser import parse, unescape
from wits_tui.engine.backends.base import BackendError
from wits_tui.engine.events import (
    ContextInfo,
    DocsUsed,
    Fallback,
    MemoryRecalled,
    Stalled,
    Thinking,
    Token,
    ToolCalled,
    ToolResult,
    TurnDone,
    TurnError,
    TurnEvent,
)
from wits_tui.engine.textsafe import REPLACED_NOTE, terminal_safe, valid_text
from wits_tui.plain import jobs, render
from wits_tui.plain.completer import SlashCompleter
from wits_tui.plain.history import StoreHistory

PROMPT = "you> "


class PlainChat:
    def __init__(
        self,
        engine: Any,
        *,
        session_id: int | None = None,
        model: str | None = None,
        input: Input | None = None,
        output: Output | None = None,
        out: IO[str] | None = None,
        interactive: bool = True,
    ) -> None:
        self.engine = engine
        self._said_invalid = False
        self.session_id = session_id
        self.model = model
        self.out = out or sys.stdout
        # Without a terminal (a script feeding lines) there is no prompt at all.
        self.prompt: PromptSession | None = None
        if interactive:
            self.prompt = PromptSession(
                history=StoreHistory(engine.store, lambda: self.session_id),
                completer=SlashCompleter(self._context),
                complete_while_typing=False,  # Tab completes; nothing pops up uninvited
                enable_history_search=False,  # Up/Down walk the history; Ctrl+R searches it
                input=input,
                output=output,
            )
        self.ctx = CommandContext(engine=engine, session_id=session_id, frontend=self)
        self._trim_told: set[int] = set()  # sessions told that older messages no longer fit
        self._last_context: ContextInfo | None = None

    # -- output ---------------------------------------------------------------
    def say(self, text: str = "", end: str = "\n") -> None:
        self.out.write(terminal_safe(text) + end)
        self.out.flush()

    def _context(self) -> CommandContext:
        self.ctx.session_id = self.session_id
        return self.ctx

    # -- Frontend protocol used by commands -------------------------------------
    async def confirm(self, question: str) -> bool:
        if self.prompt is None:
            self.say(f"{question} - no (nothing destructive happens without a terminal)")
            return False
        try:
            answer = await self.prompt.prompt_async(f"{question} [y/N] ", completer=None)
        except (KeyboardInterrupt, EOFError):
            return False
        return answer.strip().lower() in ("y", "yes")

    # -- the loop -----------------------------------------------------------------
    async def _start(self) -> None:
        memory = self.engine.memory if self.engine.use_memory else None
        if memory is not None:
            # opened off the loop; recall starts with the first turn after it is open
            self.engine.in_background(asyncio.to_thread(self.engine.open_memory))
        if self.session_id is None:
            self.session_id = (await asyncio.to_thread(self.engine.store.sessions.active)).id
        session = await asyncio.to_thread(self.engine.store.sessions.switch, self.session_id)
        self.engine.refresh_after_turn = True
        await self._window_warning(self.model or self.engine.model_for(session), session)

    async def _window_warning(self, model: str, session: Any) -> None:
        """Say at start when Ollama's default window is smaller than the model's trained length."""
        from wits_tui.engine.catalog import window_warning

        try:
            await asyncio.wait_for(self.engine.catalog.refresh([model]), timeout=3)
        except (TimeoutError, BackendError):
            return
        num_ctx = session.option_values().get("num_ctx")
        warning = window_warning(model, self.engine.catalog.window(model, num_ctx))
        if warning:
            self.say(f"note: {warning}")

    async def run(self) -> int:
        """The interactive loop, until Ctrl+D."""
        assert self.prompt is not None, "run() needs interactive=True"
        await self._start()
        session = await asyncio.to_thread(self.engine.store.sessions.get, self.session_id)
        self.say(f"Wits line mode: session {session.id} \u201c{session.title}\u201d. /help lists commands; Ctrl+D quits.")
        while True:
            try:
                text = await self.prompt.prompt_async(PROMPT)
            except KeyboardInterrupt:
                continue  # Ctrl+C at the prompt clears the line
            except EOFError:
                self.say("bye")
                return 0
            await self.handle(text)

    async def run_lines(self, lines: IO[str]) -> int:
        """Scripts: each line is a message or a command; no prompt, no terminal."""
        await self._start()
        session = await asyncio.to_thread(self.engine.store.sessions.get, self.session_id)
        self.say(f"session {session.id} \u201c{session.title}\u201d (--session picks another)")
        for line in lines:
            text = line.rstrip("\n")
            if text.strip():
                self.say(PROMPT + text)  # what was sent, so a transcript reads as a conversation
                await asyncio.to_thread(self.engine.store.history.add, valid_text(text)[0], self.session_id)
                await self.handle(text)
        return 0

    async def handle(self, text: str) -> None:
        text, replaced = valid_text(text)
        if replaced and not self._said_invalid:
            self._said_invalid = True
            self.say(f"note: {REPLACED_NOTE}")
        if not text.strip():
            return
        if parse(text) is not None:
            await self.command(text)
        else:
            attachments, self.ctx.attachments[:] = list(self.ctx.attachments), []  # /attach: they go with this message
            await self.stream(lambda: self.engine.turn(self.session_id, unescape(text).strip(), model=self.model,
                                                       attachments=attachments))

    async def command(self, text: str) -> None:
        result = await run_command(text, self._context())
        if isinstance(result, Notice):
            self.say(render.notice(result))
        elif isinstance(result, Listing):
            self.say(render.listing(result))
        elif isinstance(result, SwitchSession):
            self.session_id = result.session_id
            session = await asyncio.to_thread(self.engine.store.sessions.get, result.session_id)
            self.say(result.text or f"now in session {session.id}: {session.title}")
        elif isinstance(result, ClearChat):
            self.say(result.text)
        elif isinstance(result, StartRetry):
            await self.stream(lambda: self.engine.retry(self.session_id, model=result.model or self.model))
        elif isinstance(result, StartEdit):
            await self.edit(result.text)
        elif isinstance(result, ManageQueue):
            self.say("the line mode has no queue: a message waits for the answer before it (Ctrl+C stops that)")
        elif isinstance(result, StartPull):
            await self.pull(result.model)
        elif isinstance(result, SetTheme):
            self.say(f"{result.text or 'theme saved'} (themes show in the full-screen app)")
        elif isinstance(result, SwitchModule):
            self.say(result.text or "module changed")
        elif isinstance(result, StartTraining):
            await jobs.train(self.say, self.engine, result)
        elif isinstance(result, StartReplay):
            self.say(render.replay(result))
        elif isinstance(result, StartMemoryJob):
            await jobs.memory_job(self.say, self.engine, result)
        elif isinstance(result, StartDocsJob):
            await self.stream_job(jobs.docs_job(self.say, self.engine, result))
        elif isinstance(result, CopyText):
            await self.copy(result)
        elif isinstance(result, AttachmentsChanged):
            self.say(result.text if result.level == "info" else f"{result.level}: {result.text}")

    async def edit(self, text: str) -> None:
        """``/edit TEXT``: ask TEXT in place of the last question (the old turn is kept as an earlier version)."""
        text = unescape(text).strip()
        if not text:
            self.say("usage: /edit TEXT: asks TEXT in place of your last message (the old turn is kept)")
            return
        messages = await asyncio.to_thread(self.engine.store.messages.list, self.session_id, limit=50)
        last = next((m for m in reversed(messages) if m.role == "user"), None)
        if last is None:
            self.say("there is no message to edit in this session yet: type one first")
            return
        self.say(f"[in place of: {terminal_safe(' '.join(last.content.split()))[:80]}; that turn is kept as an earlier version]")
        await self.stream(lambda: self.engine.edit(self.session_id, last.id, text, model=self.model))

    # -- streaming an answer ------------------------------------------------------
    async def stream_job(self, coro: Any) -> None:
        """A long job (indexing) that Ctrl+C stops."""
        await self._stoppable(coro, "[stopped]")

    async def stream(self, start: Callable[[], AsyncGenerator[TurnEvent, None]]) -> None:
        await self._stoppable(self._consume(start), "\n[stopped: the partial answer is kept as interrupted]")

    async def _stoppable(self, coro: Any, stopped: str) -> None:
        """Run ``coro`` until it ends or Ctrl+C stops it (then say ``stopped``)."""
        task = asyncio.create_task(coro)
        with self._ctrl_c_stops(task):
            try:
                await task
            except asyncio.CancelledError:
                if not task.cancelled():
                    raise
                self.say(stopped)

    async def _consume(self, start: Callable[[], AsyncGenerator[TurnEvent, None]]) -> None:
        from wits_tui.engine.docs.retrieval import sources_text

        started = thinking = False
        show = self.engine.settings.chat.show_thinking
        sources: DocsUsed | None = None
        async with aclosing(start()) as events:
            async for ev in events:
                if isinstance(ev, Thinking):
                    if show:
                        self.out.write(render.thinking(terminal_safe(ev.text), self.out, first=not thinking))
                        self.out.flush()
                    thinking = True
                elif isinstance(ev, Token):
                    if thinking and show:
                        self.say(render.thinking_end(self.out))
                    thinking = False
                    self.out.write(terminal_safe(ev.text))
                    self.out.flush()
                    started = True
                elif isinstance(ev, ContextInfo):
                    self._last_context = ev
                    if ev.estimated and ev.trimmed and ev.trimmed not in (0,) and self.session_id not in self._trim_told:
                        from wits_tui.engine.catalog import trimmed_notice

                        self._trim_told.add(self.session_id or 0)
                        self.say(f"note: {trimmed_notice(ev.trimmed, ev.window, ev.trained)}")
                elif isinstance(ev, Fallback):
                    self.say(render.fallback(ev))
                elif isinstance(ev, MemoryRecalled):
                    if ev.segments:
                        self.say(render.memory_used(ev))
                elif isinstance(ev, DocsUsed):
                    sources = ev
                    for note in ev.notes:
                        self.say(f"note: {note}")
                elif isinstance(ev, ToolCalled):
                    if started:
                        self.say()
                        started = False
                elif isinstance(ev, ToolResult):
                    self.say(render.tool_result(ev))
                elif isinstance(ev, TurnDone):
                    self.say("" if ev.text.endswith("\n") else "\n", end="")
                    if sources is not None and sources.passages:
                        self.say(sources_text(sources.passages).rstrip("\n"))
                    self.say(render.done(ev, self._last_context))
                elif isinstance(ev, TurnError):
                    if started:
                        self.say()
                    self.say(render.error(ev))
                elif isinstance(ev, Stalled):  # the answer goes on below the note when tokens come again
                    if started:
                        self.say()
                        started = False
                    self.say(render.stalled(ev))

    @contextmanager
    def _ctrl_c_stops(self, task: asyncio.Task) -> Any:
        """Ctrl+C cancels ``task``: read as a key from a terminal or pipe input, or as SIGINT."""
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, task.cancel)
            has_signal = True
        except (NotImplementedError, RuntimeError, ValueError):
            has_signal = False
        kept: list = []
        if self.prompt is None:
            try:
                yield
            finally:
                if has_signal:
                    loop.remove_signal_handler(signal.SIGINT)
            return
        inp = self.prompt.input

        def keys_ready() -> None:
            for press in inp.read_keys():
                if press.key == Keys.ControlC:
                    task.cancel()
                else:
                    kept.append(press)

        try:
            with inp.raw_mode(), inp.attach(keys_ready):
                yield
        finally:
            if has_signal:
                loop.remove_signal_handler(signal.SIGINT)
            if kept:
                store_typeahead(inp, kept)  # what was typed during the answer waits at the next prompt

    async def copy(self, result: CopyText) -> None:
        """/copy: OSC 52 to this terminal (when there is one) and the system clipboard tool, in a thread."""
        from wits_tui import clipboard

        tty = self.prompt is not None and getattr(self.out, "isatty", lambda: False)()

        def write(text: str) -> None:
            self.out.write(clipboard.osc52(text))
            self.out.flush()

        outcome = await asyncio.to_thread(clipboard.copy, result.text, result.what,
                                          mode=self.engine.settings.ui.clipboard, write_osc52=write if tty else None)
        self.say(outcome.text if outcome.ok else f"note: {outcome.text}")

    async def pull(self, model: str) -> None:
        shown = -1
        try:
            async for p in self.engine.pull(model):
                pct = int(p.fraction * 100) if p.fraction is not None else None
                if pct is None:
                    self.say(p.status)
                elif pct // 10 != shown // 10:  # every tenth, on its own line
                    shown = pct
                    self.say(f"{p.status}: {pct}%")
        except BackendError as err:
            self.say(f"error: {err.message}. Fix: {err.hint}")
            return
        self.ctx.cache.pop("models", None)  # the new model shows in completion
        self.say(f"{model} is ready")

