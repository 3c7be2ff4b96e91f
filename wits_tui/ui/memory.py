"""Long-term memory in the TUI (a mixin of the app): opened after the first paint,
checked in the background, its state in the status bar, and the /memory jobs.

``memory.open()`` and ``memory.maintain()`` block (LanceDB): they run in threads.
The memory's callbacks fire from worker threads and only post messages.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import work

from wits_tui.ui import messages as msg

JOB = "memory"  # owner of the progress bar while memory works


class MemoryMixin:
    """Needs the app's ``engine``, ``settings``, ``chat``, ``status`` and ``query_one``."""

    memory_job_running: bool = False

    def start_memory(self) -> None:
        memory = self.engine.memory if self.engine.use_memory else None
        if memory is None:  # switched off in the config
            return
        memory.on_status = lambda status: self.post_message(msg.MemoryStatusChanged(status))
        memory.on_prune = lambda result: self.post_message(msg.MemoryPruned(result))
        self.open_memory()

    @work(thread=True, exclusive=True, group="memory-open", exit_on_error=False)
    def open_memory(self) -> None:
        import sys

        # Importing lancedb is about a second of pure-Python work that holds the GIL; with the
        # default 5 ms switch interval the UI thread waited up to 5 ms for every step it took.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(0.0005)
        try:
            status = self.engine.memory.open()  # never raises
        finally:
            sys.setswitchinterval(interval)
        self.post_message(msg.MemoryOpened(status))

    def on_memory_opened(self, event: msg.MemoryOpened) -> None:
        if self._shutting_down():
            return
        self.status.set_memory(event.status)
        if event.status.usable:
            self.memory_checks()

    @work(exclusive=True, group="memory-checks", exit_on_error=False)
    async def memory_checks(self) -> None:
        """Every ``memory.prune_check_interval_s``: prune if over the threshold, fold new rows into
        the indexes. What a prune removed arrives through ``memory.on_prune``."""
        memory = self.engine.memory
        while True:
            await asyncio.sleep(self.settings.memory.prune_check_interval_s)
            if self.memory_job_running:
                continue
            try:
                await asyncio.to_thread(memory.maintain, self._prune_progress)
            finally:
                self.post_message(msg.MemoryJobUpdate("", None, done=True))

    def _prune_progress(self, progress: Any) -> None:
        from wits_tui.commands.describe import prune_progress

        self.post_message(msg.MemoryJobUpdate(*prune_progress(progress), done=progress.stage == "done"))

    def on_memory_status_changed(self, event: msg.MemoryStatusChanged) -> None:
        if not self._shutting_down():
            self.status.set_memory(event.status)

    async def on_memory_pruned(self, event: msg.MemoryPruned) -> None:
        from wits_tui.commands.describe import prune_notice

        if not self._shutting_down():
            await self.chat.add_notice(prune_notice(event.result), "info" if event.result.ok else "error")

    def on_memory_job_update(self, event: msg.MemoryJobUpdate) -> None:
        from wits_tui.ui.widgets.progress import JobProgress

        if self._shutting_down():
            return
        bar = self.query_one(JobProgress)
        if event.done:
            bar.hide(JOB)
        elif bar.owner in (None, JOB):  # a pull or a training keeps the bar it has
            bar.show(event.text, event.fraction, owner=JOB)

    # -- /memory prune, /memory reembed ------------------------------------------------
    @work(exclusive=True, group="memory-job", exit_on_error=False)
    async def run_memory_job(self, job: Any) -> None:
        from wits_tui.commands.memory import run_memory_job

        if self.memory_job_running:
            await self.chat.add_notice("a memory job is already running", "warning")
            return
        self.memory_job_running = True
        try:
            notice = await run_memory_job(self.engine.memory, job,
                                          lambda text, fraction: self.post_message(msg.MemoryJobUpdate(text, fraction)))
        finally:
            self.memory_job_running = False
            self.post_message(msg.MemoryJobUpdate("", None, done=True))
        await self.chat.add_notice(notice.text, notice.level)
