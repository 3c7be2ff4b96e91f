"""Thinking: what to ask a model for, and how to tell its thoughts from its answer.

Ollama's ``think`` parameter makes a thinking model stream its thoughts in
``message.thinking``. Older servers (and requests without ``think``) send them
inline as ``<think>…</think>`` at the start of the content instead;
:class:`InlineThinkSplitter` splits such a stream the same way, even when a tag
is cut across two chunks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

ThinkValue = bool | Literal["low", "medium", "high"]
THINK_CHOICES = ("on", "off", "low", "medium", "high")
OPEN, CLOSE = "<think>", "</think>"


def think_param(choice: str | None, capabilities: Iterable[str] | None) -> ThinkValue | None:
    """The ``think`` value for a request: None (leave it out) for a model that cannot
    think, or whose capabilities are not known yet; else True/False or a level."""
    if capabilities is None or "thinking" not in capabilities:
        return None
    if choice in (None, "on"):
        return True
    if choice == "off":
        return False
    if choice in ("low", "medium", "high"):
        return choice  # type: ignore[return-value]
    raise ValueError(f"think is one of {', '.join(THINK_CHOICES)}, not {choice!r}")


def split_inline(text: str) -> tuple[str, str]:
    """(thinking, answer) of a whole stored text that may start with ``<think>…</think>``."""
    splitter = InlineThinkSplitter()
    parts = [splitter.feed(text), splitter.flush()]
    return "".join(p[0] for p in parts), "".join(p[1] for p in parts)


class InlineThinkSplitter:
    """Splits streamed content into (thinking, answer) pieces.

    Only a ``<think>`` at the very start (after blank space) opens a thought, as the
    models that write it do; a later ``<think>`` in an answer (say, in a code
    sample) stays text. A piece that could be the start of a tag is held back
    until the next chunk tells.
    """

    def __init__(self) -> None:
        self._state = "start"  # start -> thinking -> after -> answer
        self._held = ""

    def feed(self, chunk: str) -> tuple[str, str]:
        if self._state == "answer":
            return "", chunk
        if self._state == "after":  # blank lines between the thought and the answer
            text = chunk.lstrip()
            if text:
                self._state = "answer"
            return "", text
        text = self._held + chunk
        self._held = ""
        if self._state == "start":
            stripped = text.lstrip()
            if stripped.startswith(OPEN):
                self._state = "thinking"
                text = stripped[len(OPEN):]
            elif OPEN.startswith(stripped):  # maybe the start of the tag: wait
                self._held = text
                return "", ""
            else:
                self._state = "answer"
                return "", text
        end = text.find(CLOSE)
        if end >= 0:
            self._state = "after"
            return text[:end], self.feed(text[end + len(CLOSE):])[1]
        keep = _partial_suffix(text, CLOSE)
        self._held = text[len(text) - keep:] if keep else ""
        return text[: len(text) - keep], ""

    def flush(self) -> tuple[str, str]:
        """What is left at the end of the stream (an unclosed thought stays thinking)."""
        held, self._held = self._held, ""
        if self._state == "thinking":
            return held, ""
        return "", held

    @property
    def answering(self) -> bool:
        return self._state in ("after", "answer")


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest end of ``text`` that is a proper start of ``tag``."""
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:n]):
            return n
    return 0
