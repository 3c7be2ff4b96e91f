"""Every failure the engine expects, as one typed hierarchy.

A :class:`WitsError` carries what went wrong (``message``) and what to do about it
(``hint``), both written for people. Front ends catch ``WitsError`` in one place
each (the slash-command runner, the turn loop, the CLI) instead of reading
attributes off arbitrary exceptions. Anything else that escapes is a bug.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    """What kind of failure, shared by every backend. The UI, the error log and
    ``wits ask --json`` key on these values (they are stored as plain strings)."""

    CONNECTION = "connection"  # server not running / unreachable
    MODEL_NOT_FOUND = "model_not_found"  # 404
    SERVER_ERROR = "server_error"  # 5xx, e.g. the runner crashed
    STREAM_ERROR = "stream_error"  # an {"error": ...} line in the middle of a stream
    DISCONNECTED = "disconnected"  # the connection dropped mid-stream
    TIMEOUT = "timeout"  # no bytes within the read timeout
    BAD_REQUEST = "bad_request"  # 4xx other than 404
    UNSUPPORTED = "unsupported"  # e.g. embeddings from a chat-only model
    TOOL_ROUNDS = "tool_rounds"  # a model kept calling tools past tools.max_rounds
    NOTHING_TO_RETRY = "nothing_to_retry"  # /retry in a session without a question
    NOTHING_TO_EDIT = "nothing_to_edit"  # an edit of a message that is not a question on the active branch
    MEMORY_UNAVAILABLE = "memory_unavailable"  # memory switched off, broken or not usable now
    MEMORY_BROKEN = "memory_broken"  # the memory directory cannot be read
    MEMORY_MAINTENANCE = "memory_maintenance"  # compaction / clean-up could not free space
    MEMORY_WRITE_FAILED = "memory_write_failed"  # a write did not reach the disk; the rows stay queued
    EMBEDDING_UNAVAILABLE = "embedding_unavailable"  # no embedding model answers
    DATABASE = "database"  # the SQLite file cannot be opened or upgraded
    SESSION_NOT_FOUND = "session_not_found"
    TOOL_FAILED = "tool_failed"  # a tool's own, expected failure
    TRAINING_DATA = "training_data"  # a bad JSON-lines file for `wits module train`
    DOCS = "docs"  # a document collection problem (a bad path or name, an unreadable index, the cap)
    NOTHING_TO_COMPACT = "nothing_to_compact"  # /compact with nothing older to summarise
    ATTACHMENT = "attachment"  # a file that cannot be attached, or images for a model without vision
    UNEXPECTED = "unexpected"  # a WitsError raised without a more precise kind


class WitsError(Exception):
    """An expected failure, already explained: ``message`` says what, ``hint`` the fix."""

    kind: ErrorKind = ErrorKind.UNEXPECTED

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def describe(self) -> str:
        """One line for a notice or stderr: the message, then the fix."""
        return f"{self.message}. Fix: {self.hint}" if self.hint else self.message


# -- the model server ----------------------------------------------------------
class BackendError(WitsError):
    """A failure talking to the model server. ``kind`` tells which; ``status`` is the
    HTTP status when there was one."""

    def __init__(self, kind: ErrorKind, message: str, hint: str = "", *, status: int | None = None) -> None:
        super().__init__(message, hint)
        self.kind = kind
        self.status = status

    @property
    def error_type(self) -> ErrorKind:
        """The kind (the name the error log, events and the UI use)."""
        return self.kind


class NothingToRetry(WitsError):
    """/retry (or ``Engine.retry``) in a session that has no question yet."""

    kind = ErrorKind.NOTHING_TO_RETRY


class NothingToEdit(WitsError):
    """An edit of a message that is not a question of the session's active branch."""

    kind = ErrorKind.NOTHING_TO_EDIT


# -- memory --------------------------------------------------------------------
class MemoryUnavailable(WitsError):
    """Memory is switched off, broken, or cannot take this request now."""

    kind = ErrorKind.MEMORY_UNAVAILABLE


REPAIR_HINT = "run `wits memory repair` to move it aside and start a fresh memory"


class MemoryBroken(WitsError):
    """The memory directory cannot be read; ``hint`` says how to start afresh."""

    kind = ErrorKind.MEMORY_BROKEN

    def __init__(self, message: str, hint: str = REPAIR_HINT) -> None:
        super().__init__(message, hint)


class MemoryMaintenanceError(WitsError):
    """Compaction or the clean-up of old versions failed: space was not freed."""

    kind = ErrorKind.MEMORY_MAINTENANCE


class MemoryWriteFailed(WitsError):
    """A write did not reach the disk for a passing reason (a full disk, another process busy):
    the rows stay queued and the message says so. Never silent."""

    kind = ErrorKind.MEMORY_WRITE_FAILED


class EmbeddingUnavailable(WitsError):
    """No vectors: the model is missing, cannot embed, or the server is down."""

    kind = ErrorKind.EMBEDDING_UNAVAILABLE

    def __init__(self, model: str, err: BackendError) -> None:
        super().__init__(f"embedding model '{model}' is unavailable: {err.message}",
                         err.hint or f"run `ollama pull {model}`, or set memory.embedding_model")
        self.model = model
        self.error = err


# -- the database --------------------------------------------------------------
class DatabaseError(WitsError):
    """The database cannot be opened or upgraded; the message says why and what to do.
    ``fault``: "full" (no space), "read_only" (cannot write there), "damaged", or "other"."""

    kind = ErrorKind.DATABASE

    def __init__(self, message: str, fault: str = "other", hint: str = "") -> None:
        super().__init__(message, hint)
        self.fault = fault


class SessionNotFound(WitsError, LookupError):
    kind = ErrorKind.SESSION_NOT_FOUND

    def __init__(self, ref: object) -> None:
        shown = str(ref) if len(str(ref)) <= 80 else str(ref)[:77] + "..."
        super().__init__(f"no session '{shown}'", "`wits sessions list` shows the sessions there are")
        self.ref = ref

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}"


# -- tools and training ----------------------------------------------------------
class ToolFailed(WitsError):
    """A tool's own, expected failure (file missing, bad time zone ...): said to the model as is."""

    kind = ErrorKind.TOOL_FAILED


#: A training-data error lists at most this many bad lines.
MAX_PROBLEMS = 20


class TrainingDataError(WitsError, ValueError):
    """A training file with bad lines; the message names every one (up to a limit)."""

    kind = ErrorKind.TRAINING_DATA

    def __init__(self, path: object, problems: list[str]) -> None:
        self.path, self.problems = path, problems
        shown = problems[:MAX_PROBLEMS]
        more = [f"... and {len(problems) - MAX_PROBLEMS} more"] if len(problems) > MAX_PROBLEMS else []
        super().__init__("\n".join([f"bad training data in {path}:", *(f"  {p}" for p in shown + more)]),
                         "fix the lines named, one JSON object with prompt and completion per line")


# -- documents and context -------------------------------------------------------
class DocsError(WitsError):
    """A documents problem, with the fix."""

    kind = ErrorKind.DOCS

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


class NothingToCompact(WitsError, ValueError):
    """/compact found nothing older to summarise, or the model wrote an empty summary."""

    kind = ErrorKind.NOTHING_TO_COMPACT


class AttachmentProblem(WitsError):
    """A file that cannot go with a message (missing, too large, neither an image nor text), or
    images sent to a model that cannot see them."""

    kind = ErrorKind.ATTACHMENT
