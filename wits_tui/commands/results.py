"""What a command returns. Front ends render these; none of them is UI code."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Level = Literal["info", "warning", "error"]


@dataclass(frozen=True, slots=True)
class Notice:
    """One line to show. ``sessions_changed``: the session list should be reloaded."""

    text: str
    level: Level = "info"
    sessions_changed: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a listing. A row may lead somewhere when chosen: to a session
    (and a message in it), or back into the prompt (``text``)."""

    cells: tuple[str, ...]
    session_id: int | None = None
    message_id: int | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    """Rows under named columns. ``optional``: indexes of columns a narrow screen may leave out, the
    first one first (a model's family before the model's name wraps); ``keep``: columns narrowed last."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    empty: str = "nothing to show"
    optional: tuple[int, ...] = ()
    keep: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class SwitchSession:
    """Show this session (scrolled to ``message_id`` when given)."""

    session_id: int
    text: str | None = None
    message_id: int | None = None
    sessions_changed: bool = True


@dataclass(frozen=True, slots=True)
class ClearChat:
    session_id: int
    text: str


@dataclass(frozen=True, slots=True)
class StartRetry:
    """Answer the last user message of the current session again."""

    model: str | None = None


@dataclass(frozen=True, slots=True)
class StartEdit:
    """Ask ``text`` in place of the session's last question (the old turn is kept as an earlier
    version); with no text, the TUI loads the last question into the prompt to be changed."""

    text: str = ""


@dataclass(frozen=True, slots=True)
class ManageQueue:
    """The TUI's queue of messages sent while an answer streams: list, drop or send them."""

    action: Literal["list", "clear", "send"] = "list"


@dataclass(frozen=True, slots=True)
class StartPull:
    """Download a model, showing its progress."""

    model: str


@dataclass(frozen=True, slots=True)
class SetTheme:
    name: str
    text: str = field(default="")


@dataclass(frozen=True, slots=True)
class SwitchModule:
    """The session's module was pinned (``module``) or set back to automatic routing
    (``module`` None); front ends update what they show and may pre-warm the model."""

    module: str | None
    text: str = ""


@dataclass(frozen=True, slots=True)
class StartTraining:
    """Train ``module`` from a JSON-lines file, showing the progress."""

    module: str
    data: Path
    validation: Path | None = None


@dataclass(frozen=True, slots=True)
class StartReplay:
    """Play a recorded session back (``speed`` 0 = instant) from turn ``from_turn``."""

    session_id: int
    speed: float = 1.0
    from_turn: int = 1


@dataclass(frozen=True, slots=True)
class StartMemoryJob:
    """A long memory job with progress: ``kind`` "prune" (with ``strategy``, None: the configured one)
    or "reembed". Front ends run it with :func:`wits_tui.commands.memory.run_memory_job`."""

    kind: Literal["prune", "reembed"]
    strategy: str | None = None


@dataclass(frozen=True, slots=True)
class StartDocsJob:
    """Index (or update) these document collections, showing progress. Front ends run it with
    :func:`wits_tui.commands.docs.run_docs_job`; stopping it keeps what was indexed."""

    names: tuple[str, ...]

    def __init__(self, *names: str) -> None:
        object.__setattr__(self, "names", tuple(names))


@dataclass(frozen=True, slots=True)
class CopyText:
    """Put ``text`` on the clipboard; ``what`` names it for the front end's message ("the last answer")."""

    text: str
    what: str


@dataclass(frozen=True, slots=True)
class AttachmentsChanged:
    """The pending attachments (``CommandContext.attachments``) changed: front ends show them again."""

    text: str
    level: Level = "info"


Result = (AttachmentsChanged | CopyText | Notice | Listing | SwitchSession | ClearChat | StartRetry | StartEdit | ManageQueue
          | StartPull | SetTheme | SwitchModule | StartTraining
          | StartReplay | StartMemoryJob | StartDocsJob)
