"""Slash commands in the TUI: run on the engine's loop, their typed results shown here.

Commands are the same for the TUI and the line mode (:mod:`wits_tui.commands`).
When one asks a yes/no question, :class:`TuiFrontend` hops back to the UI to ask it.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, cast

from wits_tui.ui import messages as msg
from wits_tui.ui.controllers.base import Controller

if TYPE_CHECKING:
    from wits_tui.ui.screens.chat import ChatScreen


class TuiFrontend:
    """What commands (and the engine's tool confirmation) may ask of the TUI; called on
    the engine's loop, answered by a dialog on the UI's."""

    def __init__(self, screen: "ChatScreen") -> None:
        self.screen = screen

    async def confirm(self, question: str) -> bool:
        answer: Future[bool] = Future()
        if not self.screen.post_message(msg.ConfirmAsked(question, answer)):
            return False  # the screen is closing: nobody can say yes
        return bool(await asyncio.wrap_future(cast("Future[object]", answer)))


class SlashCommands(Controller):
    """Owns ``cache``, what commands keep between calls (completion data)."""

    def __init__(self, screen: "ChatScreen", bridge: Any) -> None:
        super().__init__(screen, bridge)
        self.cache: dict[str, Any] = {}
        #: Commands run one after another, in the order they were sent; a message sent after
        #: a command waits for it (``/switch 2⏎hello⏎`` says hello in session 2).
        self.order = asyncio.Lock()
        self.pending = 0
        self.frontend = TuiFrontend(screen)

    def context(self) -> Any:
        from wits_tui.commands import CommandContext

        app = self.screen.app
        names = sorted(app.available_themes, key=lambda n: (not n.startswith("wits-"), n))
        session = self.screen.sessions.current
        return CommandContext(self.engine, session.id if session else None, self.frontend, themes=names, theme=app.theme,
                              cache=self.cache, attachments=self.screen.attach.pending)

    def remember(self, text: str) -> None:
        """Put what was sent in the prompt's history (Up) and the store's."""
        if self.screen.ready:
            session = self.screen.sessions.current
            self.worker(self.bridge.call(self.engine.store.history.add, text, session.id if session else None),
                        group="history")

    def submit(self, text: str) -> None:
        self.remember(text)
        self.run(text)

    def run(self, text: str) -> None:
        self.pending += 1
        self.worker(self._in_order(text), group="slash")

    async def _in_order(self, text: str) -> None:
        try:
            async with self.order:
                await self._run(text)
        finally:
            self.pending -= 1

    async def _run(self, text: str) -> None:
        from wits_tui.commands import run_command

        chat = self.screen.chat
        if not self.screen.ready:
            await chat.add_notice("Still starting: try the command again in a moment.", "warning")
            return
        try:
            result = await self.bridge.run(run_command(text, self.context()))
        except Exception as exc:  # noqa: BLE001 - a bug in a command must not take the app down
            await chat.add_notice(f"{text.split()[0]} failed: {type(exc).__name__}: {exc}", "error")
            return
        await self.show(result)

    async def show(self, result: Any) -> None:
        from wits_tui import commands as c

        screen = self.screen
        if isinstance(result, c.Notice):
            await screen.chat.add_notice(result.text, result.level)
            if result.sessions_changed:
                screen.sessions.refresh()
        elif isinstance(result, c.SwitchSession):
            if result.text:
                screen.notify(result.text, timeout=3)
            await screen.sessions.open(result.session_id, result.message_id).wait()
        elif isinstance(result, c.ClearChat):
            screen.notify(result.text, timeout=3)
            await screen.sessions.open(result.session_id).wait()
        elif isinstance(result, c.SetTheme):
            screen.app.theme = result.name
        elif isinstance(result, c.StartRetry):
            await screen.turns.retry(result.model)
        elif isinstance(result, c.StartEdit):
            screen.edits.edit_last(result.text)
        elif isinstance(result, c.ManageQueue):
            await screen.queue.command(result.action)
        elif isinstance(result, c.StartPull):
            await screen.pull.start(result.model)
        elif isinstance(result, c.Listing):
            self.worker(self._listing(result), group="listing")
        elif isinstance(result, c.SwitchModule):
            screen.modules.switch(result.module, pin=False)  # the command pinned it; pre-warm now
            await screen.chat.add_notice(result.text)
        elif isinstance(result, c.StartTraining):
            await screen.training.start(result.module, result.data, result.validation)
        elif isinstance(result, c.StartReplay):
            screen.replay.start(result.session_id, result.speed, result.from_turn)
        elif isinstance(result, c.StartMemoryJob):
            await screen.memory.run_job(result)
        elif isinstance(result, c.StartDocsJob):
            await screen.docs.start(result)
        elif isinstance(result, c.CopyText):
            screen.copier.copy(result.text, result.what)
        elif isinstance(result, c.AttachmentsChanged):
            screen.attach.changed()
            await screen.chat.add_notice(result.text, result.level)

    async def _listing(self, listing: Any) -> None:
        from wits_tui.ui.screens.listing import ListingScreen

        row = await self.screen.app.push_screen_wait(ListingScreen(listing))
        if row is None:
            return
        if row.message_id is not None and row.session_id is not None:
            self.screen.sessions.open(row.session_id, row.message_id)
        elif row.text is not None:
            self.fill_prompt(row.text)
        elif row.session_id is not None:
            self.screen.sessions.open(row.session_id)

    # -- completion as you type / ----------------------------------------------------
    def typed(self, text: str, programmatic: bool) -> None:
        menu = self.screen.menu
        if programmatic or not text.startswith("/") or "\n" in text or not self.screen.ready:
            menu.hide()
            return
        self.worker(self._complete(text), group="complete", exclusive=True)

    async def _complete(self, text: str) -> None:
        from wits_tui.commands import complete

        items = await self.bridge.run(complete(text, self.context()))
        if self.screen.prompt.text == text:
            self.screen.menu.show(items)

    # -- keys that become commands -----------------------------------------------------
    def rename_session(self) -> None:
        session = self.screen.sessions.current
        if session is not None:
            self.fill_prompt(f"/rename {session.title}")

    def fill_prompt(self, text: str) -> None:
        prompt = self.screen.prompt
        prompt.text = text
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
