"""A failed answer: what failed, how to fix it, and a Retry button.

Shown live when a turn fails, and again when the session is reopened (the reason is stored
with the failed answer). Retry answers the session's last question again, so only the card
at the end of the session offers it (:meth:`ErrorCard.retire` takes it away)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

TITLES = {
    "connection": "Cannot reach Ollama",
    "model_not_found": "Model not found",
    "server_error": "Ollama failed",
    "stream_error": "The model stopped with an error",
    "disconnected": "The connection dropped",
    "timeout": "No answer in time",
    "bad_request": "Ollama refused the request",
    "tool_rounds": "Too many tool rounds",
    "unexpected": "Something went wrong in Wits",
    "attachment": "The attachment cannot go to this model",
}
#: A failed answer stored before Wits kept the reason (no error_kind in the row).
UNKNOWN_REASON = "the reason was not kept (this answer failed before Wits stored why)"


class ErrorCard(Vertical):
    @dataclass
    class Retry(Message):
        card: "ErrorCard"

    def __init__(self, error_type: str, message: str, hint: str = "", message_id: int | None = None) -> None:
        super().__init__(classes="error-card")
        self.error_type = error_type
        self.message = message
        self.hint = hint
        self.message_id = message_id  # the stored failed answer, if there is one
        self.can_retry = True
        self.border_title = "✗ " + TITLES.get(error_type, "Something went wrong")

    @classmethod
    def for_stored(cls, m: Any) -> "ErrorCard":
        """The card of a failed answer read back from the store (a reopened session)."""
        return cls(m.error_kind or "", m.error_message or UNKNOWN_REASON, m.error_hint or "", message_id=m.id)

    def retire(self) -> None:
        """A later question was asked: Retry would answer that one, so it goes."""
        self.can_retry = False
        for button in self.query("#retry"):
            button.display, button.disabled = False, True  # at once; the removal follows
            button.remove()

    def compose(self):
        yield Static(self.message, classes="what", markup=False)
        if self.hint:
            yield Static(self.hint, classes="hint", markup=False)
        with Horizontal(classes="actions"):
            if self.can_retry:
                yield Button("Retry", id="retry", variant="primary", compact=True)
            yield Static(f"[dim]{self.error_type}[/dim]", classes="type")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "retry":
            self.post_message(self.Retry(self))
