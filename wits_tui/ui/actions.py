"""Slash commands in the TUI (a mixin of the app): run them in a worker and
render their typed results."""

from __future__ import annotations

from typing import Any

from textual import work

from wits_tui.ui.widgets.prompt import PromptInput


class TuiFrontend:
    """What commands may ask of the TUI."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def confirm(self, question: str) -> bool:
        from wits_tui.ui.screens.confirm import ConfirmScreen

        return bool(await self.app.push_screen_wait(ConfirmScreen(question)))


class ActionsMixin:
    def command_context(self) -> Any:
        from wits_tui.commands import CommandContext

        names = sorted(self.available_themes, key=lambda n: (not n.startswith("wits-"), n))
        return CommandContext(self.engine, self.session.id if self.session else None, TuiFrontend(self),
                              themes=names, cache=self.command_cache)

    @work(exclusive=True, group="slash", exit_on_error=False)
    async def run_slash(self, text: str) -> None:
        from wits_tui.commands import run_command

        if not self.ready:
            await self.chat.add_notice("Still starting: try the command again in a moment.", "warning")
            return
        try:
            result = await run_command(text, self.command_context())
        except Exception as exc:  # a bug in a command must not take the app down
            await self.chat.add_notice(f"{text.split()[0]} failed: {type(exc).__name__}: {exc}", "error")
            return
        await self.show_result(result)

    async def show_result(self, result: Any) -> None:
        from wits_tui import commands as c

        if isinstance(result, c.Notice):
            await self.chat.add_notice(result.text, result.level)
            if result.sessions_changed:
                self.refresh_sessions()
        elif isinstance(result, c.SwitchSession):
            self.open_session(result.session_id, result.message_id)
            if result.text:
                self.notify(result.text, timeout=3)
        elif isinstance(result, c.ClearChat):
            self.open_session(result.session_id)
            self.notify(result.text, timeout=3)
        elif isinstance(result, c.SetTheme):
            self.theme = result.name
        elif isinstance(result, c.StartRetry):
            await self.retry_last(result.model)
        elif isinstance(result, c.StartPull):
            if self.pull_running:
                await self.chat.add_notice("a pull is already running; Esc stops it", "warning")
            else:
                self.run_pull(result.model)
        elif isinstance(result, c.Listing):
            self.open_listing(result)
        elif isinstance(result, c.SwitchModule):
            self.switch_module(result.module, pin=False)  # the command pinned it; pre-warm now
            await self.chat.add_notice(result.text)
        elif isinstance(result, c.StartTraining):
            if self.training_running:
                await self.chat.add_notice("a training is already running", "warning")
            else:
                self.run_train(result.module, result.data, result.validation)
        elif isinstance(result, c.StartReplay):
            self.start_replay(result.session_id, result.speed, result.from_turn)
        elif isinstance(result, c.StartMemoryJob):
            self.run_memory_job(result)
        elif isinstance(result, c.StartDocsJob):
            self.docs_jobs.start(result)

    @work(group="listing", exit_on_error=False)
    async def open_listing(self, listing: Any) -> None:
        from wits_tui.ui.screens.listing import ListingScreen

        row = await self.push_screen_wait(ListingScreen(listing))
        if row is None:
            return
        if row.message_id is not None and row.session_id is not None:
            self.open_session(row.session_id, row.message_id)
        elif row.text is not None:
            self.prompt.text = row.text
            self.prompt.move_cursor(self.prompt.document.end)
            self.prompt.focus()
        elif row.session_id is not None:
            self.open_session(row.session_id)

    # -- completion as you type / ----------------------------------------------------
    def on_prompt_input_typed(self, event: PromptInput.Typed) -> None:
        text = event.text
        if event.programmatic or not text.startswith("/") or "\n" in text or not self.ready:
            self.prompt.menu.hide()
            return
        self.complete_slash(text)

    @work(exclusive=True, group="complete", exit_on_error=False)
    async def complete_slash(self, text: str) -> None:
        from wits_tui.commands import complete

        items = await complete(text, self.command_context())
        if self.prompt.text == text:
            self.prompt.menu.show(items)

    # -- keys that become commands -----------------------------------------------------
    def action_new_session(self) -> None:
        self.run_slash("/new")

    def action_rename_session(self) -> None:
        if self.session is not None:
            self.prompt.text = f"/rename {self.session.title}"
            self.prompt.move_cursor(self.prompt.document.end)
            self.prompt.focus()

    def fill_prompt(self, text: str) -> None:
        self.prompt.text = text
        self.prompt.move_cursor(self.prompt.document.end)
        self.prompt.focus()
