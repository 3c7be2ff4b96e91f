"""Typed events a turn yields. The UI turns them into Textual messages; the
CLI prints them; `wits ask --json` writes them as JSON lines."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from wits_tui.engine.clock import now_iso


@dataclass(frozen=True, slots=True)
class MemoryRecalled:
    """Long-term memory added to the prompt (``segments`` empty: nothing relevant, or skipped)."""

    kind: ClassVar[str] = "memory_recalled"
    mode: str  # hybrid | text_only | skipped
    segments: list[dict[str, Any]]
    tokens: int = 0
    elapsed_ms: float = 0.0
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DocsUsed:
    """Passages of the user's documents (and attached files) added to the prompt, numbered as
    the model cites them: ``passages[i]["n"]`` is [n]. ``notes`` are problems to show
    (a file that does not fit, an unknown @NAME)."""

    kind: ClassVar[str] = "docs_used"
    collections: list[str]
    passages: list[dict[str, Any]]
    files: list[str] = field(default_factory=list)
    tokens: int = 0
    mode: str = "hybrid"  # hybrid | text_only | files_only
    elapsed_ms: float = 0.0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TurnStarted:
    kind: ClassVar[str] = "turn_started"
    session_id: int
    user_message_id: int
    model: str
    module: str | None = None
    attempt: int = 1
    timestamp: str = field(default_factory=now_iso)


@dataclass(frozen=True, slots=True)
class Routed:
    """Which module answers and why (automatic routing, or the session's pin)."""

    kind: ClassVar[str] = "routed"
    module: str
    model: str
    reason: str
    pinned: bool = False
    domain: str | None = None
    confidence: float | None = None
    method: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Token:
    """A piece of the answer as it streams."""

    kind: ClassVar[str] = "token"
    text: str


@dataclass(frozen=True, slots=True)
class Stalled:
    """Nothing has arrived from the model for ``seconds`` although the connection is open
    (``answering``: some of the answer had come). The turn keeps waiting, until the next
    token or ``read_timeout``; sent again each ``chat.stall_notice_s`` of silence."""

    kind: ClassVar[str] = "stalled"
    model: str
    seconds: float
    answering: bool = True
    read_timeout: float = 0.0


@dataclass(frozen=True, slots=True)
class Thinking:
    """A piece of what a thinking model thinks before it answers (streams before the
    first ``token``; stored apart from the answer and never sent back as answer text)."""

    kind: ClassVar[str] = "thinking"
    text: str


@dataclass(frozen=True, slots=True)
class ContextInfo:
    """How full the model's context window is. Sent before the request
    (``estimated``: counted from characters) and after the answer (from Ollama's
    prompt_eval_count + eval_count). ``trimmed``: older messages left out because
    they no longer fit. ``window_source``: "num_ctx" (set with /set), "ollama"
    (/api/ps), or "default" (Ollama's default window, assumed)."""

    kind: ClassVar[str] = "context"
    model: str
    used_tokens: int
    window: int
    trained: int | None = None
    estimated: bool = True
    trimmed: int = 0
    window_source: str = "default"


@dataclass(frozen=True, slots=True)
class Fallback:
    """The model failed before its first token; the next one is being tried."""

    kind: ClassVar[str] = "fallback"
    from_model: str
    to_model: str
    reason: str
    error_type: str
    attempt: int
    timestamp: str = field(default_factory=now_iso)


@dataclass(frozen=True, slots=True)
class ToolCalled:
    """The model asked for a tool."""

    kind: ClassVar[str] = "tool_call"
    round: int
    name: str
    arguments: Any


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What the tool gave back (``content`` is what the model reads)."""

    kind: ClassVar[str] = "tool_result"
    round: int
    name: str
    arguments: Any
    ok: bool
    content: str
    error_type: str | None = None
    duration_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class TurnStats:
    ttft_ms: float | None = None
    total_ms: float | None = None
    prompt_tokens: int | None = None
    eval_tokens: int | None = None
    tokens_per_s: float | None = None
    load_duration_ms: float | None = None
    prompt_eval_duration_ms: float | None = None
    eval_duration_ms: float | None = None


@dataclass(frozen=True, slots=True)
class TurnDone:
    kind: ClassVar[str] = "done"
    session_id: int
    message_id: int
    model: str
    text: str
    stats: TurnStats
    module: str | None = None
    timestamp: str = field(default_factory=now_iso)
    thinking: str = ""


@dataclass(frozen=True, slots=True)
class TurnError:
    """Something failed. ``message`` is one line for people, ``hint`` the fix;
    tracebacks go to the log file only."""

    kind: ClassVar[str] = "error"
    error_type: str
    message: str
    hint: str
    context: dict[str, Any]
    error_id: str
    partial_text: str = ""
    message_id: int | None = None
    timestamp: str = field(default_factory=now_iso)


TurnEvent = (Routed | MemoryRecalled | DocsUsed | TurnStarted | Thinking | Token | ContextInfo | ToolCalled | ToolResult | Fallback
             | TurnDone | TurnError | Stalled)


def event_to_dict(event: TurnEvent) -> dict[str, Any]:
    return {"event": event.kind, **asdict(event)}


EVENT_TYPES: dict[str, type] = {
    cls.kind: cls
    for cls in (Routed, MemoryRecalled, DocsUsed, TurnStarted, Thinking, Token, ContextInfo, ToolCalled, ToolResult, Fallback, TurnDone, TurnError,
                Stalled)
}


def event_from_dict(data: dict[str, Any]) -> TurnEvent:
    """The inverse of :func:`event_to_dict` (``event`` names the kind)."""
    fields = dict(data)
    cls = EVENT_TYPES[fields.pop("event")]
    if cls is TurnDone:
        fields["stats"] = TurnStats(**fields["stats"])
    event: TurnEvent = cls(**fields)
    return event
