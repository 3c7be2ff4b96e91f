"""What every controller of the chat screen starts from."""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from textual.worker import Worker

from wits_tui.engine.errors import WitsError

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
        """Run ``work`` as a worker of the screen: it is cancelled when the screen goes. A worker
        cancelled before it began (a newer one in an exclusive group, the app closing) closes its
        coroutine when it is dropped, rather than leaving a "never awaited" warning behind."""
        started = self.screen.run_worker(work, group=group, exclusive=exclusive, exit_on_error=False)
        closer = weakref.finalize(started, _close_if_never_started, work)
        closer.atexit = False  # type: ignore[misc]  # typeshed lists it as a slot; it is a property
        return started


def _close_if_never_started(work: Coroutine[Any, Any, Any]) -> None:
    if inspect.getcoroutinestate(work) == inspect.CORO_CREATED:
        work.close()


def error_text(exc: BaseException) -> str:
    """One line for a person: the error's own message and its fix when it has them."""
    if isinstance(exc, WitsError):
        return exc.describe()
    return str(exc) or type(exc).__name__
