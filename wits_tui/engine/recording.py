"""Recording a turn's events as they happen, compactly, for replay and export.

One row per event, except tokens: those arriving within ``COALESCE_MS`` of each
other share a row that keeps every token with its own offset, so a replay
reproduces the original pacing exactly at a fraction of the rows. Thinking
pieces are coalesced the same way, in rows of their own kind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wits_tui.engine.events import Thinking, Token, TurnEvent, event_to_dict

if TYPE_CHECKING:
    from wits_tui.engine.store import Store

COALESCE_MS = 250.0
#: Row kinds of coalesced pieces (each row: {"d": [[offset ms, text], ...]}).
TOKENS_ROW, THINKING_ROW = "tokens", "thinking_tokens"


class TurnRecorder:
    def __init__(self, store: "Store", session_id: int, clock: Callable[[], float] = time.perf_counter) -> None:
        self.store = store
        self.session_id = session_id
        self.clock = clock
        self.turn = store.recordings.next_turn(session_id)
        self._t0 = clock()
        self._seq = 0
        self._tokens: list[list[Any]] = []
        self._row_kind = TOKENS_ROW

    def _now_ms(self) -> float:
        return (self.clock() - self._t0) * 1000

    def _add(self, kind: str, data: dict[str, Any], t_ms: float | None = None) -> None:
        self._seq += 1
        self.store.recordings.add(self.session_id, self.turn, self._seq, self._now_ms() if t_ms is None else t_ms, kind, data)

    def _flush_tokens(self) -> None:
        if self._tokens:
            first = self._tokens[0][0]
            self._add(self._row_kind, {"d": self._tokens}, t_ms=first)
            self._tokens = []

    def record(self, kind: str, data: dict[str, Any]) -> None:
        """Anything that is not a turn event: the question, routing, memory used, an interruption."""
        self._flush_tokens()
        self._add(kind, data)

    def event(self, ev: TurnEvent) -> TurnEvent:
        if isinstance(ev, (Token, Thinking)):
            kind = TOKENS_ROW if isinstance(ev, Token) else THINKING_ROW
            if kind != self._row_kind:
                self._flush_tokens()
                self._row_kind = kind
            t = round(self._now_ms(), 1)
            self._tokens.append([t, ev.text])
            if t - self._tokens[0][0] >= COALESCE_MS:
                self._flush_tokens()
            return ev
        data = event_to_dict(ev)
        del data["event"]
        self.record(ev.kind, data)
        return ev

    def close(self) -> None:
        self._flush_tokens()
