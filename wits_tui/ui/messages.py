"""Textual messages: what workers report back to widgets.

Engine events (``wits_tui.engine.events``) travel inside these; workers post
them and widgets react. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from wits_tui.engine.textsafe import safe_fields, terminal_safe


def _safe_sessions(sessions: list[Any]) -> list[Any]:
    return [safe_fields(s, "title") for s in sessions]


def _safe_messages(messages: list[Any]) -> list[Any]:
    return [safe_fields(m, "content") for m in messages]


@dataclass
class EngineReady(Message):
    """The store is open and the first view is loaded."""

    sessions: list[Any]
    session: Any
    messages: list[Any]
    has_more: bool
    history: list[str]

    def __post_init__(self) -> None:  # text from models and files reaches the screen only made safe
        self.sessions, self.messages = _safe_sessions(self.sessions), _safe_messages(self.messages)
        self.session = safe_fields(self.session, "title") if self.session is not None else None
        super().__post_init__()


@dataclass
class EngineFailed(Message):
    error: str





@dataclass
class LoadOlder(Message):
    """The chat was scrolled to the top and has older messages to fetch."""

    session_id: int
    before_id: int



@dataclass
class LoadNewer(Message):
    """The chat was scrolled to the end of what it holds, and newer messages exist."""

    session_id: int
    after_id: int


@dataclass
class LoadEdge(Message):
    """Ctrl+Home / Ctrl+End reached past what the chat holds: fetch the first or the last page."""

    session_id: int
    first: bool


@dataclass
class AnswerStarted(Message):
    session_id: int
    model: str


@dataclass
class AnswerToken(Message):
    session_id: int
    text: str

    def __post_init__(self) -> None:
        self.text = terminal_safe(self.text)
        super().__post_init__()


@dataclass
class AnswerFallback(Message):
    session_id: int
    event: Any  # Fallback


@dataclass
class AnswerDone(Message):
    session_id: int
    event: Any  # TurnDone

    def __post_init__(self) -> None:
        self.event = safe_fields(self.event, "text")
        super().__post_init__()


@dataclass
class AnswerFailed(Message):
    session_id: int
    event: Any  # TurnError

    def __post_init__(self) -> None:
        self.event = safe_fields(self.event, "message", "partial_text")
        super().__post_init__()


@dataclass
class AnswerInterrupted(Message):
    session_id: int


@dataclass
class AnswerStalled(Message):
    """Nothing has come from the model for a while; the turn keeps waiting."""

    session_id: int
    event: Any  # engine Stalled



@dataclass
class TurnFinished(Message):
    """The turn worker ended, however it ended."""

    session_id: int


@dataclass
class RetryRequested(Message):
    pass



@dataclass
class PullFinished(Message):
    model: str
    error: str | None = None


@dataclass
class AnswerRouted(Message):
    """Which module answers and why (an engine ``Routed`` event)."""

    session_id: int
    event: Any  # Routed


@dataclass
class UserShown(Message):
    """A replayed question: the chat shows it as if it had just been typed (with the names of
    its attachments)."""

    session_id: int
    text: str
    attachments: tuple[Any, ...] = ()
    #: The recorded question was an edit (it replaced an earlier one and what followed it).
    edited: bool = False

    def __post_init__(self) -> None:
        self.text = terminal_safe(self.text)
        super().__post_init__()


@dataclass
class AnswerBegun(Message):
    """A replayed answer begins (what ``begin_answer`` does for a live one)."""

    session_id: int
    model: str | None



@dataclass
class FeedbackGiven(Message):
    """``+``/``-`` on an answer (``message_id`` None: the last answer)."""

    word: str
    message_id: int | None


@dataclass
class TrainUpdate(Message):
    text: str
    fraction: float | None


@dataclass
class TrainFinished(Message):
    module: str
    text: str
    level: str = "info"


@dataclass
class ReplayProgress(Message):
    """Where a replay is: turn ``turn`` of ``total``; ``done`` when it ended."""

    turn: int
    total: int
    speed: float
    paused: bool
    done: bool = False


@dataclass
class MemoryUsed(Message):
    """Memory was recalled for the answer being streamed (an engine ``MemoryRecalled``)."""

    session_id: int
    event: Any  # MemoryRecalled


@dataclass
class DocsUsed(Message):
    """Document passages were put in the prompt of the answer being streamed (an engine ``DocsUsed``)."""

    session_id: int
    event: Any  # wits_tui.engine.events.DocsUsed


@dataclass
class DocsJobUpdate(Message):
    """Progress of a /docs index job, from the engine's thread (``done``: it ended)."""

    text: str
    fraction: float | None
    done: bool = False


@dataclass
class ToolCallShown(Message):
    """The model asked for a tool (an engine ``ToolCalled``)."""

    session_id: int
    event: Any  # ToolCalled


@dataclass
class ToolResultShown(Message):
    """A tool answered (an engine ``ToolResult``)."""

    session_id: int
    event: Any  # ToolResult

    def __post_init__(self) -> None:
        self.event = safe_fields(self.event, "content")
        super().__post_init__()



@dataclass
class MemoryStatusChanged(Message):
    status: Any  # MemoryStatus


@dataclass
class MemoryPruned(Message):
    """An automatic prune removed something (or failed)."""

    result: Any  # PruneResult


@dataclass
class MemoryJobUpdate(Message):
    """Progress of a memory job (a prune, a re-embedding); ``done``: hide the bar."""

    text: str
    fraction: float | None
    done: bool = False


@dataclass
class AnswerThinking(Message):
    """Pieces of what a thinking model thinks (batched like tokens)."""

    session_id: int
    text: str


@dataclass
class ContextChanged(Message):
    """How full the context window is (an engine ContextInfo), for the status bar."""

    session_id: int
    event: Any  # ContextInfo


@dataclass
class ConfirmAsked(Message):
    """The engine's thread asks a yes/no question (a command, a tool call): the screen
    shows a dialog and sets ``answer`` (a ``concurrent.futures.Future[bool]``)."""

    question: str
    answer: Any


@dataclass
class CopyRequested(Message):
    """Copy ``text`` to the clipboard (a key on an answer, a code block's "copy" label);
    ``what`` names it in the toast ("the answer", "code block 2")."""

    text: str
    what: str


@dataclass
class EditAsked(Message):
    """``e`` on a sent question: load it into the prompt to be changed and sent again."""

    message_id: int
    text: str


@dataclass
class EarlierAsked(Message):
    """Show the earlier versions of an edited question (read from the store by a worker)."""

    message_id: int
    widget: Any  # the UserMessage to show them under
