"""Messages sent while an answer streams wait here and go out, in order, when it ends.

What Esc means with a queue: Esc stops the answer and *holds* the queue (nothing is
dropped, nothing goes out by itself: the person stopped the model, so the next question
should not start behind their back). The same after an answer that failed. A held queue
goes out with Enter on an empty prompt, with ``/queue send``, or when a new message is
sent (queued behind the others, so the order stays the order they were typed in).
Dropping: Delete/Esc on a focused queued line, a click on its ✕, ``/queue clear``; Up on
an empty prompt takes the newest back into the prompt (changed, then sent again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wits_tui.ui.controllers.base import Controller

if TYPE_CHECKING:
    from wits_tui.ui.bridge import EngineBridge
    from wits_tui.ui.screens.chat import ChatScreen


@dataclass(frozen=True, slots=True)
class Queued:
    key: int
    session_id: int
    text: str
    #: An edit (the user message it replaces) rather than a new message.
    edit_of: int | None = None
    #: The files attached when it was sent (they go with it).
    attachments: tuple[Any, ...] = ()


class SendQueue(Controller):
    """Owns ``items`` (oldest first) and ``held``; the bar above the prompt shows them."""

    items: list[Queued]
    held: bool = False
    _keys: int = 0
    _dirty = False  # the bar shows an older state
    _drawing = False  # a worker is redrawing it

    def __init__(self, screen: "ChatScreen", bridge: "EngineBridge") -> None:
        super().__init__(screen, bridge)
        self.items = []

    def add(self, session_id: int, text: str, edit_of: int | None = None, attachments: Any = ()) -> None:
        self._keys += 1
        self.items.append(Queued(self._keys, session_id, text, edit_of, tuple(attachments)))
        self._show()

    def take_back(self) -> bool:
        """Up on an empty prompt: the newest queued message comes back into the prompt, to be
        changed and sent again (an edit stays an edit). False if nothing is queued."""
        if not self.items:
            return False
        item = self.items.pop()
        if not self.items:
            self.held = False
        self._show()
        if item.edit_of is not None:
            self.screen.prompt.start_edit(item.edit_of, item.text)
        else:
            self.screen.prompt.put_back(item.text)
        return True

    def drop(self, key: int) -> None:
        item = next((i for i in self.items if i.key == key), None)
        if item is not None:
            self.items.remove(item)
            self.screen.notify(f"Dropped the queued message: {item.text[:80]}", timeout=4)
            self._show()
            self.screen.prompt.focus()

    def clear(self) -> int:
        n = len(self.items)
        self.items.clear()
        self.held = False
        self._show()
        return n

    async def command(self, action: str) -> None:
        """``/queue``, ``/queue clear``, ``/queue send``."""
        chat = self.screen.chat
        if action == "clear":
            n = self.clear()
            await chat.add_notice(f"Dropped {n} queued message{'s' if n != 1 else ''}." if n else "Nothing is queued.")
        elif action == "send":
            if not self.items:
                await chat.add_notice("Nothing is queued.")
            elif not self.release():
                await chat.add_notice("An answer is still coming: the queue goes out when it ends (Esc stops it).")
        elif not self.items:
            await chat.add_notice("Nothing is queued: a message sent while an answer streams waits here.")
        else:
            state = "held (Enter on an empty prompt or /queue send sends them)" if self.held else "sent when the answer ends"
            lines = [f"{n}. {'edit: ' if i.edit_of else ''}{' '.join(i.text.split())[:100]}"
                     for n, i in enumerate(self.items, start=1)]
            await chat.add_notice(f"Queued, {state}:\n" + "\n".join(lines))

    def after_turn(self, completed: bool) -> None:
        """A turn ended: send the next message if the answer completed, else hold the queue."""
        if not self.items:
            self.held = False
            return
        if not completed:
            self.held = True
            self._show()
            n = len(self.items)
            self.screen.notify(f"{n} queued message{'s' if n > 1 else ''} held: Enter on an empty prompt sends, "
                               "/queue clear drops.", timeout=6)
            return
        self._send_next()

    def release(self) -> bool:
        """Send a held queue (Enter on an empty prompt, /queue send). False if there is nothing to send."""
        turns = self.screen.turns
        if not self.items or turns.running or not self.screen.ready:
            return False
        self._send_next()
        return True

    def _send_next(self) -> None:
        item = self.items.pop(0)
        self.held = False
        self._show()
        current = self.screen.sessions.current
        if current is not None and current.id != item.session_id:
            self.screen.notify(f"Sending the queued message to session {item.session_id}, where it was typed.",
                               timeout=5)
        self.screen.turns.start(item.session_id, item.text, edit_of=item.edit_of, attachments=list(item.attachments))

    def _show(self) -> None:
        """Redraw the bar: one drawing worker at a time, which draws again while changes came in."""
        self._dirty = True
        if not self._drawing:
            self._drawing = True
            self.worker(self._draw(), group="queue-bar")

    async def _draw(self) -> None:
        try:
            while self._dirty:
                self._dirty = False
                rows = [(i.key, i.text, i.edit_of is not None) for i in self.items]
                await self.screen.queue_bar.show(rows, self.held)
        finally:
            self._drawing = False
