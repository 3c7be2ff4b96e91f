"""A message too long to send: kept in a file the person can attach instead."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wits_tui.engine.errors import BackendError, ErrorKind

if TYPE_CHECKING:
    from wits_tui.engine.core import Engine


def too_long(engine: "Engine", text: str) -> BackendError:
    """A message past ``chat.max_message_chars``: not sent, not stored in the session, but kept
    in a file (0600) the person can attach instead (a 10 MB question took 16.9 s, and opening
    its session 32 s)."""
    from wits_tui.engine.clock import now_iso

    limit = engine.settings.chat.max_message_chars
    folder = engine.paths.data_dir / "oversized"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"message-{now_iso().replace(':', '').replace('.', '-')}.txt"
    try:
        with open(os_open(path), "w", encoding="utf-8", errors="replace") as fh:
            fh.write(text)
        kept = f"it is saved in {path}; "
    except OSError as exc:
        kept = f"it could not be saved ({exc.strerror}); "
    return BackendError(
        ErrorKind.BAD_REQUEST, f"the message is {len(text):,} characters, more than chat.max_message_chars ({limit:,}); it was not sent",
        f"{kept}ask about the file instead (add its folder to tools.allowed_dirs so read_file can open it), "
        "send a part of it, or raise chat.max_message_chars")


def os_open(path: Any) -> int:
    import os

    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
