"""Replaying a recorded session in the chat.

The recorded events go through the same messages as a live answer
(:func:`wits_tui.ui.dispatch.chat_message`: tokens to the streaming pane, Routed to
the module label, memory and tool calls to their lines, Fallback to a notice,
TurnError to an error card, TurnDone to the final text), paced by ``engine.replay.Player``.
Space pauses and resumes, N plays one more turn then pauses, Q or Esc ends it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from textual.binding import Binding

from wits_tui.ui import messages as msg
from wits_tui.ui.controllers.base import Controller
from wits_tui.ui.dispatch import chat_message


def recorded_attachments(data: dict[str, Any]) -> tuple[Any, ...]:
    """The attachments a recorded question carried (their names show under it)."""
    from wits_tui.engine.store.records import Attachment

    try:
        return tuple(Attachment.from_dict(a) for a in data.get("attachments") or ())
    except (KeyError, TypeError, ValueError):
        return ()

FRAME = 1 / 30  # seconds between batches of tokens, as for a live answer

BINDINGS = [
    Binding("space", "replay_toggle", "Pause", id="replay_toggle"),
    Binding("n", "replay_step", "Step", id="replay_step"),
    Binding("q", "replay_quit", "End replay", id="replay_quit"),
]
REPLAY_ACTIONS = {"replay_toggle", "replay_step", "replay_quit"}


@dataclass
class ReplayState:
    session_id: int
    player: Any  # engine.replay.Player
    total: int
    return_to: int | None  # the session to show afterwards (None: quit the app)
    turn: int = 0
    done: bool = False  # every item was played (the replay stays on screen until quit)


class ReplayController(Controller):
    """Owns ``state``: the replay on screen (None when there is none)."""

    state: ReplayState | None = None

    def start(self, session_id: int, speed: float = 1.0, from_turn: int = 1, *, quit_after: bool = False,
              paused: bool = False) -> None:
        """``paused``: show the replay paused before its first turn (N steps, Space plays)."""
        screen = self.screen
        if screen.turns.running:
            screen.notify("An answer is still coming: Esc stops it, then replay.", severity="warning")
            return
        current = screen.sessions.current
        return_to = None if quit_after else (current.id if current else session_id)
        self.worker(self._run(session_id, speed, from_turn, return_to, paused), group="replay", exclusive=True)

    async def _run(self, session_id: int, speed: float, from_turn: int, return_to: int | None,
                   paused: bool = False) -> None:
        from wits_tui.engine.replay import Player, to_turns

        store = self.engine.store
        session, records = await self.bridge.call(
            lambda: (store.sessions.get(session_id), store.recordings.for_session(session_id, from_turn)))
        turns = to_turns(records)
        player = Player(turns, speed=speed)
        if paused:
            player.pause()
        state = self.state = ReplayState(session_id, player, len(turns), return_to)
        await self._enter(session)
        if paused:
            self.screen.status.set_replay(0, state.total, speed, True)
        try:
            await self._play(state)
        finally:
            self.screen.post_message(msg.ReplayProgress(state.turn, state.total, speed, False, done=True))

    async def _enter(self, session: Any) -> None:
        screen = self.screen
        screen.prompt.disabled = True
        screen.sessions.current = session
        await screen.chat.show_session(session.id, [], False)
        screen.status.set_session(session.id, session.title)
        screen.chat.focus()
        screen.refresh_bindings()

    async def _play(self, state: ReplayState) -> None:
        from wits_tui.engine.events import Token, TurnDone, TurnError
        from wits_tui.engine.replay import Note

        chat, sid, player = self.screen.chat, state.session_id, state.player
        pending: list[str] = []
        flushed = time.monotonic()

        def flush() -> None:
            if pending:
                chat.post_message(msg.AnswerToken(sid, "".join(pending)))
                pending.clear()

        def report() -> None:
            self.screen.post_message(msg.ReplayProgress(state.turn, state.total, player.speed, player.paused))

        live = False
        async for turn, item in player.items():
            if turn != state.turn:
                state.turn = turn
                report()
                await asyncio.sleep(0)  # let the screen catch up between turns, even at speed 0
            if isinstance(item, Token):
                pending.append(item.text)
                if player.speed > 0 and time.monotonic() - flushed >= FRAME:
                    flush()
                    flushed = time.monotonic()
                continue
            flush()
            if isinstance(item, Note):
                if item.kind == "user":
                    edited = item.data.get("edit_of") is not None
                    chat.post_message(msg.UserShown(sid, item.data.get("text", ""), recorded_attachments(item.data), edited))
                    chat.post_message(msg.AnswerBegun(sid, None))
                    live = True
                elif item.kind == "interrupted" and live:
                    chat.post_message(msg.AnswerInterrupted(sid))
                    live = False
            else:
                message = chat_message(sid, item)
                if message is not None:
                    chat.post_message(message)
                if isinstance(item, (TurnDone, TurnError)):
                    live = False
            if player.paused:
                report()
        flush()
        if live:  # the recording ends mid-answer (the app was killed): show it as cut off
            chat.post_message(msg.AnswerInterrupted(sid))

    # -- keys ------------------------------------------------------------------------
    def toggle(self) -> None:
        if self.state is not None:
            p = self.state.player
            if p.paused:
                p.step_mode = False  # Space plays on to the end; N steps again
            p.toggle()
            self.screen.status.set_replay(self.state.turn, self.state.total, p.speed, p.paused)

    def step(self) -> None:
        if self.state is not None:
            p = self.state.player
            p.step()
            self.screen.status.set_replay(self.state.turn, self.state.total, p.speed, p.paused)

    def quit(self) -> None:
        if self.state is None:
            return
        screen = self.screen
        return_to = self.state.return_to
        screen.workers.cancel_group(screen, "replay")
        self.state = None
        screen.prompt.disabled = False
        screen.status.set_replay(None)
        screen.refresh_bindings()
        if return_to is None:
            screen.app.exit()
        else:
            screen.sessions.open(return_to)
            screen.prompt.focus()

    def progress(self, event: msg.ReplayProgress) -> None:
        if self.state is None:
            return
        if event.done:
            self.state.done = True
            self.screen.status.set_replay(event.turn, event.total, event.speed, paused=False, done=True)
        else:
            self.screen.status.set_replay(event.turn, event.total, event.speed, event.paused)
