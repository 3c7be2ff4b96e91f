"""Full garbage collections at quiet moments (see :mod:`wits_tui.cli.heap`).

A full collection walks every object the app holds and pauses every thread meanwhile:
measured at 40-330 ms while an answer streamed. The `wits` console script turns the
collector's own full collections off once the app is up; this controller runs them
when nobody types and nothing streams, and at the latest after :data:`LATEST_S`.
"""

from __future__ import annotations

import time

from wits_tui.cli import heap
from wits_tui.ui.controllers.base import Controller

CHECK_S = 1.0  # how often to look
QUIET_S = 2.0  # no key, click or scroll for this long ...
LATEST_S = 120.0  # ... or a full collection this long overdue runs anyway


class QuietCollector(Controller):
    """Owns the timer; ``collected`` counts the full collections it ran (for tests)."""

    collected = 0
    _due_since: float | None = None

    def start(self) -> None:
        self.screen.set_interval(CHECK_S, self.tick)

    def quiet(self) -> bool:
        screen = self.screen
        last_input = max(screen.typed_at, getattr(screen.app, "input_at", 0.0))
        return (time.monotonic() - last_input >= QUIET_S and not screen.turns.running
                and not screen.chat.streaming and screen.chat.body_renderer.idle)

    def tick(self) -> None:
        if not heap.full_due():
            self._due_since = None
            return
        now = time.monotonic()
        self._due_since = self._due_since or now
        if self.quiet() or now - self._due_since >= LATEST_S:
            heap.collect_full()
            self.collected += 1
            self._due_since = None
