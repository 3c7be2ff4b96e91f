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
    """A labelled progress bar for long jobs (model pulls, training, memory pruning); hidden
    when idle. ``owner`` names the job showing; ``hide(owner)`` leaves another job's bar alone."""

    owner: str | None = None

    def compose(self):
        yield Label("", id="job-label")
        yield ProgressBar(total=None, show_eta=False, id="job-bar")

    def show(self, label: str, fraction: float | None, owner: str | None = None) -> None:
        self.display = True
        self.owner = owner
        self.query_one("#job-label", Label).update(label)
        bar = self.query_one(ProgressBar)
        if fraction is None:
            bar.update(total=None)
        else:
            bar.update(total=100, progress=round(fraction * 100, 1))

    def hide(self, owner: str | None = None) -> None:
        if owner is None or owner == self.owner:
            self.display = False
            self.owner = None
