"""/docs index jobs in the TUI: the job progress bar (files, passages, rate, ETA), Esc stops.

A small controller the app holds; it runs the job in an async worker (the index moves file
and LanceDB work to threads itself and embeds on the app's loop, where the backend lives).
"""

from __future__ import annotations

from typing import Any

JOB = "docs"  # owner of the progress bar while indexing
GROUP = "docs-index"


class DocsJobs:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.running = False

    def start(self, job: Any) -> None:
        if self.running:
            self.app.notify("An index job is already running: Esc stops it.", severity="warning")
            return
        self.running = True
        self.app.run_worker(self._run(job), group=GROUP, exclusive=True, exit_on_error=False)

    def stop(self) -> bool:
        """Stop the running job (Esc); what was indexed is kept. False if none runs."""
        if not self.running:
            return False
        self.app.workers.cancel_group(self.app, GROUP)
        return True

    def _bar(self) -> Any:
        from wits_tui.ui.widgets.progress import JobProgress

        return self.app.query_one(JobProgress)

    def _progress(self, text: str, fraction: float | None) -> None:
        bar = self._bar()
        if bar.owner in (None, JOB):  # a pull or a training keeps the bar it has
            bar.show(f"{text}  (Esc stops)", fraction, owner=JOB)

    async def _run(self, job: Any) -> None:
        from wits_tui.commands.docs import run_docs_job

        try:
            notice = await run_docs_job(self.app.engine, job, self._progress)
        finally:
            self.running = False
            self._bar().hide(JOB)
        await self.app.chat.add_notice(notice.text, notice.level)
