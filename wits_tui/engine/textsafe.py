"""Text from others made safe to show on a terminal - the one function every front end uses.

A model's answer, a tool's result, a file name or a session title may hold terminal control
sequences: ``ESC]0;title BEL`` sets the window title, ``ESC[2J`` clears the screen, OSC 52
writes the clipboard, OSC 8 hides a link. Before such text reaches a terminal (`wits ask`, the
line mode, the TUI), every control character except newline and tab is replaced by a visible
stand-in (ESC becomes ``␛``, so the attempt shows), a CR of a CRLF pair is dropped, and a lone
surrogate (which no terminal encoding can write) becomes U+FFFD. What is stored stays as received.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

T = TypeVar("T")

# C0 controls but \t and \n, DEL, C1 controls (8-bit CSI/OSC in some terminals), lone surrogates
_UNSAFE = re.compile("\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    if ch == "\r\n":
        return "\n"
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ ␇ ␍ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"<U+{code:04X}>"


def terminal_safe(text: str) -> str:
    """``text`` with every terminal control character made visible (see the module doc)."""
    if not text or not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_visible, text)


def safe_fields(record: T, *names: str) -> T:
    """A copy of a (frozen) dataclass with the named string fields made terminal-safe."""
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        return record
    changes: dict[str, Any] = {}
    for name in names:
        value = getattr(record, name, None)
        if isinstance(value, str) and terminal_safe(value) is not value:
            changes[name] = terminal_safe(value)
    return dataclasses.replace(record, **changes) if changes else record


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> tuple[str, bool]:
    """``text`` as valid Unicode, and whether anything had to be replaced.

    Invalid UTF-8 reaches Python as lone surrogates (argv, and prompt-toolkit's input, decode
    with ``surrogateescape``); SQLite and the terminal cannot encode them. Each becomes U+FFFD."""
    if not _SURROGATE.search(text):
        return text, False
    try:  # bytes escaped by surrogateescape decode again (valid sequences split across them survive)
        fixed = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate not from surrogateescape
        fixed = text
    return _SURROGATE.sub("\ufffd", fixed), True


def decode_input(data: bytes) -> tuple[str, bool]:
    """Bytes read from a pipe as text: UTF-8, invalid bytes replaced (and whether there were any)."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), True


REPLACED_NOTE = "the input was not valid UTF-8: the invalid bytes were replaced by \ufffd"
