"""A failed answer: what failed, how to fix it, and a Retry button."""

from __future__ import annotations

from dataclasses import dataclass

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
    "attachment": "The attachment cannot go to this model",
}


class ErrorCard(Vertical):
    @dataclass
    class Retry(Message):
        card: "ErrorCard"

    def __init__(self, error_type: str, message: str, hint: str = "") -> None:
        super().__init__(classes="error-card")
        self.error_type = error_type
        self.message = message
        self.hint = hint
        self.border_title = "✗ " + TITLES.get(error_type, "Something went wrong")

    def compose(self):
        yield Static(self.message, classes="what", markup=False)
        if self.hint:
            yield Static(self.hint, classes="hint", markup=False)
        with Horizontal(classes="actions"):
            yield Button("Retry", id="retry", variant="primary", compact=True)
            yield Static(f"[dim]{self.error_type}[/dim]", classes="type")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "retry":
            self.post_message(self.Retry(self))
