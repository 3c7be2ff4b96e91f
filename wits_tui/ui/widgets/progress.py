"""Progress: a thinking indicator until the first token, and a bar for long jobs."""

from __future__ import annotations

from textual.containers import Horizontal
from textual.widgets import Label, LoadingIndicator, ProgressBar


class Thinking(Horizontal):
    """Shown in an answer until its first token arrives."""

    def compose(self):
        yield LoadingIndicator()
        yield Label("thinking…  (Esc stops)", classes="thinking-label")


class JobProgress(Horizontal):
    """A labelled progress bar for long jobs (model pulls); hidden when idle."""

    def compose(self):
        yield Label("", id="job-label")
        yield ProgressBar(total=None, show_eta=False, id="job-bar")

    def show(self, label: str, fraction: float | None) -> None:
        self.display = True
        self.query_one("#job-label", Label).update(label)
        bar = self.query_one(ProgressBar)
        if fraction is None:
            bar.update(total=None)
        else:
            bar.update(total=100, progress=round(fraction * 100, 1))

    def hide(self) -> None:
        self.display = False
