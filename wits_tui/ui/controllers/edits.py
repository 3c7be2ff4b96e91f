"""Edit and resend: which question the prompt edits, and the earlier versions an edit kept.

Up on an empty prompt recalls the last thing sent, as it always did. When that is the last
question of the session on screen (the previous action was a chat message, not a command),
the recalled text is an *edit* of it: the prompt says so on its border, Enter asks it in
place of the old question (the old turn is kept as an earlier version), Esc cancels. Up
again walks further back through history as before (no longer an edit). ``e`` on a focused
question edits that one, wherever it is in the session; ``/edit TEXT`` asks TEXT in place
of the last question (the line mode has it too).
"""

from __future__ import annotations

from typing import Any

from wits_tui.ui.controllers.base import Controller
from wits_tui.ui.widgets.message import UserMessage


class EditController(Controller):
    def last_question(self) -> UserMessage | None:
        """The session's last question as shown (None if the chat does not end with the session's end)."""
        chat = self.screen.chat
        if chat.has_newer:
            return None
        asked = [w for w in chat.query(UserMessage) if w.message_id is not None]
        return asked[-1] if asked else None

    def target(self, recalled: str) -> int | None:
        """Up recalled ``recalled`` as the newest history entry: edit the last question if it is that."""
        if self.screen.turns.running or self.screen.replay.state is not None:
            return None
        last = self.last_question()
        return last.message_id if last is not None and last.text == recalled else None

    def begin(self, message_id: int, text: str) -> None:
        """``e`` on a question: into the prompt, to be changed and sent in its place."""
        if self.screen.replay.state is not None:
            self.screen.notify("A replay is playing: Esc ends it, then edit.", severity="warning")
            return
        self.screen.prompt.start_edit(message_id, text)

    def edit_last(self, text: str) -> None:
        """``/edit TEXT``: ask TEXT in place of the last question."""
        last = self.last_question()
        if last is None or last.message_id is None:
            self.screen.notify("There is no question to edit in this session yet.", severity="warning")
            return
        if not text.strip():
            self.begin(last.message_id, last.text)
            return
        self.screen.turns.submit(text, edit_of=last.message_id)

    def show_earlier(self, message_id: int, widget: Any) -> None:
        self.worker(self._show_earlier(message_id, widget), group="earlier")

    async def _show_earlier(self, message_id: int, widget: Any) -> None:
        from wits_tui.ui.controllers.sessions import shown
        from wits_tui.ui.widgets.edits import show_earlier

        versions = await self.bridge.call(self.engine.store.messages.earlier_versions, message_id)
        await show_earlier(widget, [shown(v, "content") for v in versions])
