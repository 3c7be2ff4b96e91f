"""Playing a recorded session back: the same events, with the original pacing.

The player is UI-agnostic. A frontend iterates :meth:`Player.items` and feeds
each item through the same path as a live answer; Space maps to
:meth:`Player.toggle`, a step key to :meth:`Player.step`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from wits_tui.engine.events import EVENT_TYPES, Thinking, Token, TurnEvent, event_from_dict
from wits_tui.engine.store.recordings import RecordedEvent

#: How often a paced wait wakes up to notice a pause.
TICK_S = 0.05
#: A remaining wait shorter than this counts as due (and rounding can never spin).
DUE_S = 0.0005


@dataclass(frozen=True, slots=True)
class Note:
    """A recorded item that is not a turn event: the question, routing, memory used, an interruption."""

    kind: str
    data: dict[str, Any]


Item = TurnEvent | Note


@dataclass(slots=True)
class ReplayTurn:
    turn: int
    items: list[tuple[float, Item]] = field(default_factory=list)  # (offset ms, item)

    @property
    def question(self) -> str:
        return next((i.data.get("text", "") for _, i in self.items if isinstance(i, Note) and i.kind == "user"), "")


def to_turns(records: list[RecordedEvent]) -> list[ReplayTurn]:
    """Group recorded rows into turns, expanding coalesced token rows back into tokens."""
    turns: dict[int, ReplayTurn] = {}
    for r in records:
        turn = turns.setdefault(r.turn, ReplayTurn(r.turn))
        if r.kind == "tokens":
            turn.items.extend((float(t), Token(text)) for t, text in r.data["d"])
        elif r.kind == "thinking_tokens":
            turn.items.extend((float(t), Thinking(text)) for t, text in r.data["d"])
        elif r.kind in EVENT_TYPES:
            turn.items.append((r.t_ms, event_from_dict({"event": r.kind, **r.data})))
        else:
            turn.items.append((r.t_ms, Note(r.kind, r.data)))
    return [turns[k] for k in sorted(turns)]


class Player:
    """Plays turns with their pacing divided by ``speed`` (0 = instant)."""

    def __init__(
        self,
        turns: list[ReplayTurn],
        *,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if speed < 0:
            raise ValueError(f"speed must be 0 (instant) or more, not {speed}")
        self.turns = turns
        self.speed = speed
        self.clock = clock
        self.sleep = sleep
        self.paused = False
        self.step_mode = False
        self._paused_at: float | None = None
        self._shift = 0.0  # seconds spent paused in the current turn

    # -- controls ------------------------------------------------------------
    def pause(self) -> None:
        if not self.paused:
            self.paused, self._paused_at = True, self.clock()

    def resume(self) -> None:
        if self.paused:
            self._shift += self.clock() - (self._paused_at or self.clock())
            self.paused, self._paused_at = False, None

    def toggle(self) -> bool:
        """Pause or resume; returns True when now paused."""
        self.resume() if self.paused else self.pause()
        return self.paused

    def step(self) -> None:
        """Play the next turn, then pause."""
        self.step_mode = True
        self.resume()

    # -- playing -------------------------------------------------------------
    async def _while_paused(self) -> None:
        while self.paused:
            await self.sleep(TICK_S)

    async def items(self) -> AsyncIterator[tuple[int, Item]]:
        for turn in self.turns:
            await self._while_paused()
            base, self._shift = self.clock(), 0.0
            for offset_ms, item in turn.items:
                if self.speed > 0:
                    target = offset_ms / 1000 / self.speed
                    while True:
                        await self._while_paused()
                        delay = target - (self.clock() - base - self._shift)
                        if delay <= DUE_S:
                            break
                        await self.sleep(min(delay, TICK_S))
                yield turn.turn, item
            if self.step_mode:
                self.pause()
