"""The JSON session file: what `wits export --format json` writes and `wits import` reads."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FORMAT = "wits-session"
VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionRow(_Strict):
    id: int
    title: str = Field(min_length=1)
    created_at: str
    updated_at: str
    model: str | None = None
    pinned_module: str | None = None
    archived: int = 0
    system_prompt: str | None = None
    system_mode: Literal["add", "replace"] | None = None
    think: Literal["on", "off", "low", "medium", "high"] | None = None
    options: dict[str, Any] | None = None  # /set values: temperature, num_ctx, keep_alive, ...


class MessageRow(_Strict):
    id: int
    role: Literal["system", "user", "assistant", "tool", "summary"]
    content: str
    status: Literal["complete", "interrupted", "error", "streaming"]
    created_at: str
    updated_at: str
    module: str | None = None
    model: str | None = None
    thinking: str = ""  # what a thinking model thought before this answer
    summary_of: int | None = None  # a /compact summary: the last message id it stands for
    error_kind: str | None = None  # a failed answer: the kind of failure, what went wrong, the fix
    error_message: str | None = None
    error_hint: str | None = None
    attachments: list[AttachmentRow] = Field(default_factory=list)  # files sent with a user message
    superseded_by: int | None = None  # replaced by an edit: the question that replaced it
    edit_of: int | None = None  # an edited question: the question it replaced
    earlier: int = Field(default=0, ge=0)  # an edited question: how many versions came before it
    sources: list[SourceRow] = Field(default_factory=list)  # passages an answer was given ([n] in its text)


class AttachmentRow(_Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    name: str
    kind: Literal["image", "text"]
    mime: str = ""
    size: int = Field(0, ge=0)


class SourceRow(_Strict):
    n: int = Field(ge=1)
    location: str
    path: str
    rel: str = ""
    collection: str = ""
    kind: str = ""
    start_line: int = 0
    end_line: int = 0
    heading: str = ""
    text: str = ""


class EventRow(_Strict):
    turn: int = Field(ge=1)
    seq: int = Field(ge=1)
    t_ms: float = Field(ge=0)
    kind: str = Field(min_length=1)
    data: dict[str, Any]


class MetricRow(_Strict):
    message_id: int | None = None
    created_at: str
    model: str | None = None
    module: str | None = None
    status: str | None = None
    ttft_ms: float | None = None
    total_ms: float | None = None
    prompt_tokens: int | None = None
    eval_tokens: int | None = None
    tokens_per_s: float | None = None
    load_duration_ns: int | None = None
    prompt_eval_duration_ns: int | None = None
    eval_duration_ns: int | None = None
    total_duration_ns: int | None = None


class SessionFile(_Strict):
    format: Literal["wits-session"]
    version: Literal[1]
    exported_at: str
    session: SessionRow
    messages: list[MessageRow]
    events: list[EventRow] = Field(default_factory=list)
    metrics: list[MetricRow] = Field(default_factory=list)
    #: The attachments' contents, base64 by SHA-256 (written when the exporter could read them).
    blobs: dict[str, str] = Field(default_factory=dict)
