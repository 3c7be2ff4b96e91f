"""What every controller of the chat screen starts from."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from textual.worker import Worker

if TYPE_CHECKING:
    from wits_tui.engine.core import Engine
    from wits_tui.ui.bridge import EngineBridge
    from wits_tui.ui.screens.chat import ChatScreen


class Controller:
    """Holds the screen (widgets, workers, notifications) and the engine bridge."""

    def __init__(self, screen: "ChatScreen", bridge: "EngineBridge") -> None:
        self.screen = screen
        self.bridge = bridge

    @property
    def engine(self) -> "Engine":
        return self.bridge.engine

    def worker(self, work: Coroutine[Any, Any, Any], *, group: str, exclusive: bool = False) -> Worker[Any]:
        """Run ``work`` as a worker of the screen: it is cancelled when the screen goes."""
        return self.screen.run_worker(work, group=group, exclusive=exclusive, exit_on_error=False)


def error_text(exc: BaseException) -> str:
    """One line for a person: the error's own message and its fix when it has them."""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    hint = getattr(exc, "hint", None)
    return f"{message}. {hint}".replace(".. ", ". ") if hint else message
