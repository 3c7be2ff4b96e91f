"""/docs index jobs in the TUI: the job bar (files, passages, rate, ETA); Esc stops the job and
what was indexed is kept.

The index runs on the engine's loop (``bridge.run``): it embeds there and moves file and
LanceDB work to threads itself. Its progress arrives from that thread as messages.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.worker import Worker

from wits_tui.ui import messages as msg
from wits_tui.ui.controllers.base import Controller

OWNER = "docs"  # of the progress bar while indexing
STOPPED = "stopped indexing: what was indexed is kept; /docs update goes on from there"


class DocsJobs(Controller):
    """Owns the /docs index worker (at most one)."""

    worker_: Worker[Any] | None = None

    @property
    def running(self) -> bool:
        return self.worker_ is not None and self.worker_.is_running

    async def start(self, job: Any) -> None:
        if self.running:
            await self.screen.chat.add_notice("an index job is already running: Esc stops it", "warning")
            return
        self.worker_ = self.worker(self._run(job), group="docs-index", exclusive=True)

    def stop(self) -> bool:
        """Esc: stop the running job. False if none runs."""
        if not self.running or self.worker_ is None:
            return False
        self.worker_.cancel()
        return True

    def job_update(self, event: msg.DocsJobUpdate) -> None:
        bar = self.screen.job
        if event.done or not self.running:  # a stopped index still says "finishing" on its way out
            bar.hide(OWNER)
        elif bar.owner in (None, OWNER):  # a pull or a training keeps the bar it has
            bar.show(f"{event.text}  (Esc stops)", event.fraction, owner=OWNER)

    async def _run(self, job: Any) -> None:
        from wits_tui.commands.docs import run_docs_job

        screen = self.screen
        try:
            def progress(text: str, fraction: float | None) -> None:
                screen.post_message(msg.DocsJobUpdate(text, fraction))

            notice = await self.bridge.run(run_docs_job(self.engine, job, progress))
        except asyncio.CancelledError:
            screen.call_later(screen.chat.add_notice, STOPPED, "warning")
            raise
        finally:
            screen.post_message(msg.DocsJobUpdate("", None, done=True))
        await screen.chat.add_notice(notice.text, notice.level)
