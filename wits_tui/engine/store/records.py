"""Plain records the store hands out (cheap to build: no validation on read)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal, TypeVar, get_args

Role = Literal["system", "user", "assistant", "tool", "summary"]
MessageStatus = Literal["complete", "interrupted", "error", "streaming"]
#: The values of :data:`MessageStatus`, for checks at run time.
STATUSES: tuple[MessageStatus, ...] = get_args(MessageStatus)


R = TypeVar("R")


def _from_row(cls: type[R], row: dict[str, Any]) -> R:
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]  # cls is one of the dataclasses below
    return cls(**{k: v for k, v in row.items() if k in names})


@dataclass(slots=True)
class Session:
    id: int
    title: str
    created_at: str
    updated_at: str
    model: str | None = None
    pinned_module: str | None = None
    archived: int = 0
    message_count: int = 0
    #: This session's own system prompt, added to the module's ("add") or replacing it ("replace").
    system_prompt: str | None = None
    system_mode: str | None = None
    #: "on", "off", "low", "medium" or "high"; None: the chat.think setting.
    think: str | None = None
    #: JSON object of model options set with /set (temperature, num_ctx, keep_alive, ...).
    options: str | None = None

    def option_values(self) -> dict[str, Any]:
        import json

        try:
            value = json.loads(self.options) if self.options else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Session":
        return _from_row(cls, row)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message: its blob is ``attachments/<sha256[:2]>/<sha256>`` under the data
    dir (one copy per content). ``kind`` is "image" (sent as an image to vision models) or "text"
    (quoted into the message for the model)."""

    sha256: str
    name: str
    kind: str
    mime: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "name": self.name, "kind": self.kind, "mime": self.mime, "size": self.size}

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> "Attachment":
        return cls(str(row["sha256"]), str(row["name"]), str(row["kind"]), str(row.get("mime") or ""),
                   int(row.get("size") or 0))


@dataclass(frozen=True, slots=True)
class Source:
    """A passage an answer was given ([n] in its text): where it is and its text (for the preview)."""

    n: int
    location: str  # "guide/install.md:12-30", "guide.pdf p.3", "page.html § Install"
    path: str
    rel: str = ""
    collection: str = ""  # "": a file attached with @path
    kind: str = ""
    start_line: int = 0
    end_line: int = 0
    heading: str = ""
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> "Source":
        return _from_row(cls, {k: v for k, v in row.items() if v is not None})


@dataclass(slots=True)
class Message:
    id: int
    session_id: int
    role: Role
    content: str
    status: MessageStatus
    created_at: str
    updated_at: str
    module: str | None = None
    model: str | None = None
    #: What a thinking model thought before this answer (never sent back as answer text).
    thinking: str = ""
    #: On a /compact summary: the id of the last message it stands for.
    summary_of: int | None = None
    #: A failed answer (status "error"): what kind of failure (an ErrorKind value), what
    #: went wrong and the fix, as the turn said them when it failed.
    error_kind: str | None = None
    error_message: str | None = None
    error_hint: str | None = None
    #: Files sent with the message (images, text files), in order.
    attachments: tuple[Attachment, ...] = ()
    #: Replaced by an edit: the id of the question that replaced it (None: on the active branch).
    superseded_by: int | None = None
    #: On an edited question: the question it replaced, and how many versions came before it.
    edit_of: int | None = None
    earlier: int = 0
    #: On an answer given documents: the passages it was given, in [n] order.
    sources: tuple[Source, ...] = ()

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Message":
        return _from_row(cls, row)


@dataclass(slots=True)
class HistoryEntry:
    id: int
    command: str
    created_at: str
    session_id: int | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "HistoryEntry":
        return _from_row(cls, row)
