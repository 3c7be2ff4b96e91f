"""Long-term memory in the TUI: opened after the first paint, checked in the
background, its state in the status bar, and the /memory jobs.

``memory.open()`` and ``memory.maintain()`` block (LanceDB): they run in threads of
their own, not on the engine's loop, so a turn never waits for them; opening waits
until nobody is typing (:data:`IDLE_S`). The memory's
callbacks fire from those threads and only post messages to the screen.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from textual.worker import Worker

from wits_tui.ui import messages as msg
from wits_tui.ui.controllers.base import Controller

if TYPE_CHECKING:
    from wits_tui.engine.core import Engine
    from wits_tui.engine.memory import Memory

OWNER = "memory"  # of the progress bar while memory works


#: Memory opens once nobody has typed for this long. Importing lancedb holds the
#: interpreter (module bodies, and loading its native libraries, which no switch
#: interval can split): keys typed meanwhile lagged 138-236 ms. A message sent before
#: then opens it in the turn itself (``Engine.open_memory``), so recall still works.
IDLE_S = 0.5


def open_memory(engine: "Engine") -> Any:
    """Sync (a thread's work): open the store, importing lancedb. Importing it is about a second
    of pure-Python work that holds the interpreter: the UI thread gets it back within the switch
    interval the `wits` process sets (``cli.app_cmd.SWITCH_INTERVAL_S``)."""
    return engine.open_memory()  # never raises


async def until_quiet(screen: Any) -> None:
    """Until nobody has typed for :data:`IDLE_S` and the chat has drawn what it shows: heavy start-up
    jobs (lancedb's import, the routing examples' vectors) hold the interpreter for a second or more,
    and keys and the first session on screen come first."""
    while time.monotonic() - screen.typed_at < IDLE_S or not screen.chat.body_renderer.idle:
        await asyncio.sleep(IDLE_S / 5)


class MemoryJobs(Controller):
    """Owns the /memory job worker (a prune or a re-embedding; at most one)."""

    job_worker: Worker[None] | None = None

    @property
    def job_running(self) -> bool:
        w = self.job_worker
        return w is not None and not w.is_finished and not w.is_cancelled

    def start(self) -> None:
        if self.engine.use_memory:  # else switched off in the config
            self.worker(self._open(), group="memory-open", exclusive=True)

    async def _open(self) -> None:
        await until_quiet(self.screen)
        # Building the memory object imports the memory package and the model client (an SSL
        # context among them): in the thread too, not on the UI's loop as the first session draws.
        memory = await asyncio.to_thread(lambda: self.engine.memory)
        if memory is None:
            return
        screen = self.screen
        memory.on_status = lambda status: screen.post_message(msg.MemoryStatusChanged(status))
        memory.on_prune = lambda result: screen.post_message(msg.MemoryPruned(result))
        status = await asyncio.to_thread(open_memory, self.engine)
        self.screen.status.set_memory(status)
        if status.usable:
            self.worker(self._checks(memory), group="memory-checks", exclusive=True)

    async def _checks(self, memory: "Memory") -> None:
        """Every ``memory.prune_check_interval_s``: prune if over the threshold, fold new rows into
        the indexes. What a prune removed arrives through ``memory.on_prune``."""
        screen = self.screen
        while True:
            await asyncio.sleep(screen.settings.memory.prune_check_interval_s)
            if self.job_running:
                continue
            try:
                await asyncio.to_thread(memory.maintain, self._prune_progress)
            finally:
                screen.post_message(msg.MemoryJobUpdate("", None, done=True))

    def _prune_progress(self, progress: Any) -> None:
        from wits_tui.commands.describe import prune_progress

        self.screen.post_message(msg.MemoryJobUpdate(*prune_progress(progress), done=progress.stage == "done"))

    # -- what memory reports ------------------------------------------------------------
    def status_changed(self, event: msg.MemoryStatusChanged) -> None:
        self.screen.status.set_memory(event.status)

    async def pruned(self, event: msg.MemoryPruned) -> None:
        from wits_tui.commands.describe import prune_notice

        await self.screen.chat.add_notice(prune_notice(event.result), "info" if event.result.ok else "error")

    def job_update(self, event: msg.MemoryJobUpdate) -> None:
        bar = self.screen.job
        if event.done:
            bar.hide(OWNER)
        elif bar.owner in (None, OWNER):  # a pull or a training keeps the bar it has
            bar.show(event.text, event.fraction, owner=OWNER)

    # -- /memory prune, /memory reembed ------------------------------------------------
    async def run_job(self, job: Any) -> None:
        if self.job_running:
            await self.screen.chat.add_notice("a memory job is already running", "warning")
            return
        self.job_worker = self.worker(self._job(job), group="memory-job", exclusive=True)

    async def _job(self, job: Any) -> None:
        from wits_tui.commands.memory import run_memory_job

        screen = self.screen
        try:
            notice = await self.bridge.run(run_memory_job(
                self.engine.memory, job, lambda text, fraction: screen.post_message(msg.MemoryJobUpdate(text, fraction))))
        finally:
            screen.post_message(msg.MemoryJobUpdate("", None, done=True))
        await screen.chat.add_notice(notice.text, notice.level)
