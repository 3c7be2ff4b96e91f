"""Full garbage collections held back while someone waits (see :mod:`wits_tui.cli.heap`).

A full collection walks every object the app holds and pauses every thread meanwhile:
measured at 150-330 ms while an answer streamed and keys were typed (load ~6), 8 in 15 s.
While something is typed in the prompt or an answer streams, this controller holds the
collector's own full collections back (one runs anyway every :data:`LATEST_S` if due);
otherwise the collector runs them by its own rules. Scrolling does not hold them back:
paging through a long session drops windows of answers that only a full collection
frees (holding PageDown through 1,000 long answers left 856 MB resident when they waited).
After full collections, free memory goes back to the system at most every :data:`GIVE_BACK_S`.
"""

from __future__ import annotations

import time

from wits_tui.cli import heap
from wits_tui.ui.controllers.base import Controller

CHECK_S = 0.5  # how often to look
TYPING_S = 2.0  # a key typed into the prompt this recently: someone is typing
LATEST_S = 10.0  # held back this long, a due full collection runs anyway
GIVE_BACK_S = 10.0  # free memory handed back at most this often (it walks the C heap)


class QuietCollector(Controller):
    """Owns the timer; ``collected`` counts the full collections it ran itself (for tests)."""

    collected = 0
    held_since: float | None = None
    _given_back = 0.0
    _seen_full = -1

    def start(self) -> None:
        self.screen.set_interval(CHECK_S, self.tick)

    def busy(self) -> bool:
        """Someone typing, or an answer streaming: a pause now would be felt."""
        screen = self.screen
        return (time.monotonic() - screen.typed_at < TYPING_S or screen.turns.running
                or screen.chat.streaming)

    def hold(self) -> None:
        """Someone started typing or an answer started: no full collection for now."""
        if self.held_since is None:
            heap.hold_full(True)
            self.held_since = time.monotonic()

    def tick(self) -> None:
        now = time.monotonic()
        if self.busy():
            self.hold()
            assert self.held_since is not None
            if now - self.held_since >= LATEST_S and heap.full_due():
                heap.collect_full()
                self.collected += 1
                self.held_since = now
            return
        if self.held_since is not None:
            heap.hold_full(False)
            self.held_since = None
            if heap.full_due():  # it fell due while held: now, not at some later allocation
                heap.collect_full()
                self.collected += 1
        full = heap.full_collections()
        if full != self._seen_full and now - self._given_back >= GIVE_BACK_S:
            self._seen_full, self._given_back = full, now
            heap.give_memory_back()
