"""Splitting what was typed into a command name and its argument text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Invocation:
    name: str  # without the slash, lower case
    args: str  # the rest, stripped


def parse(text: str) -> Invocation | None:
    """``"/rename  My chat "`` -> Invocation("rename", "My chat").

    Returns None when the text is not a command: it does not start with ``/``,
    or starts with ``//`` (an escape for sending a message that begins with a slash;
    see :func:`unescape`).
    """
    stripped = text.strip()
    if not stripped.startswith("/") or stripped.startswith("//"):
        return None
    head, _, rest = stripped[1:].partition(" ")
    if not head and rest:
        # "/ foo": a slash then a space is a message, not a command
        return None
    return Invocation(head.strip().lower(), rest.strip())


def unescape(text: str) -> str:
    """A message typed as ``//etc/hosts`` is sent as ``/etc/hosts``."""
    stripped = text.lstrip()
    return stripped[1:] if stripped.startswith("//") else text
