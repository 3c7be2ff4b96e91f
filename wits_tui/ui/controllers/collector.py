"""Full garbage collections kept out of typing and streaming (see :mod:`wits_tui.cli.heap`).

A full collection walks every object the app holds and pauses every thread meanwhile:
measured at 40-330 ms while an answer streamed and keys were typed. The `wits` console
script turns the collector's own full collections off once the app is up; this
controller runs one as soon as it falls due (looking every :data:`CHECK_S`), except
while someone types in the prompt or an answer streams, when it waits up to
:data:`LATEST_S`. Scrolling does not hold them back: paging through a long session
drops windows of answers that only a full collection frees (holding PageDown through
1,000 long answers left 856 MB resident when collections waited for 2 s of quiet).
"""

from __future__ import annotations

import time

from wits_tui.cli import heap
from wits_tui.ui.controllers.base import Controller

CHECK_S = 1.0  # how often to look
TYPING_S = 2.0  # a key typed into the prompt this recently: someone is typing
LATEST_S = 10.0  # a full collection held back this long runs anyway
GIVE_BACK_S = 10.0  # free memory handed back to the system at most this often (it walks the C heap)


class QuietCollector(Controller):
    """Owns the timer; ``collected`` counts the full collections it ran (for tests)."""

    collected = 0
    _due_since: float | None = None
    _given_back = 0.0

    def start(self) -> None:
        self.screen.set_interval(CHECK_S, self.tick)

    def busy(self) -> bool:
        """Someone typing, or an answer streaming: a pause now would be felt."""
        screen = self.screen
        return (time.monotonic() - screen.typed_at < TYPING_S or screen.turns.running
                or screen.chat.streaming)

    def tick(self) -> None:
        if not heap.full_due():
            self._due_since = None
            return
        now = time.monotonic()
        self._due_since = self._due_since or now
        busy = self.busy()
        if not busy or now - self._due_since >= LATEST_S:
            give_back = not busy and now - self._given_back >= GIVE_BACK_S
            heap.collect_full(give_back=give_back)
            self.collected += 1
            self._due_since = None
            self._given_back = now if give_back else self._given_back
