"""Building the messages sent to the model from a session's history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from wits_tui.engine.store.records import Message
from wits_tui.engine.thinking import OPEN, split_inline

if TYPE_CHECKING:
    from wits_tui.engine.attachments import Prepared

#: Rough size of the per-message framing a chat template adds.
MESSAGE_OVERHEAD_TOKENS = 4
#: What one image costs in the window, roughly (llava and gemma3 use 256-576 tokens an image).
IMAGE_TOKENS = 768
SUMMARY_ROLE: Literal["summary"] = "summary"
SUMMARY_INTRO = "Summary of the earlier conversation (written by the model when the person asked to compact it):\n\n"


def estimate_tokens(text: str) -> int:
    """A cheap token estimate (about four characters a token for English and code)."""
    return len(text) // 4 + 1


@dataclass(frozen=True, slots=True)
class BuiltContext:
    """The messages for the model, their estimated size in tokens, and how many
    older messages were left out because they did not fit (``trimmed``)."""

    messages: list[dict[str, Any]]
    tokens: int
    trimmed: int


def _answer_text(m: Message) -> str:
    """What the model said, without what it thought (older answers kept ``<think>`` inline)."""
    if m.role == "assistant" and m.content.lstrip().startswith(OPEN):
        return split_inline(m.content)[1]
    return m.content


def build_context(
    history: Sequence[Message],
    *,
    context_length: int | None,
    reserve_tokens: int,
    prefix: Sequence[dict[str, Any]] = (),
    attached: Mapping[int, "Prepared"] | None = None,
    images: bool = True,
) -> BuiltContext:
    """Chat messages for the model: ``prefix`` (system prompts and few-shot
    examples), the latest /compact summary (standing for the messages before it),
    then the session's messages that carry content, trimmed oldest-first so that
    everything fits ``context_length - reserve_tokens``. The newest message (the
    question) is always kept. Thinking is never sent back.

    ``attached``: by message id, what its attachments add (quoted text above the message,
    base64 images in its ``images``, left out when ``images`` is False: a model that cannot see)."""
    summary = next((m for m in reversed(history) if m.role == SUMMARY_ROLE and m.summary_of is not None), None)
    covered = summary.summary_of if summary is not None and summary.summary_of is not None else -1
    head = [*prefix]
    if summary is not None:
        head.append({"role": "system", "content": SUMMARY_INTRO + summary.content})
    usable = [m for m in history if m.id > covered and m.role in ("user", "assistant", "system") and _answer_text(m)]
    budget = None if context_length is None else max(0, context_length - reserve_tokens)
    head_cost = sum(estimate_tokens(str(m.get("content") or "")) + MESSAGE_OVERHEAD_TOKENS for m in head)
    if budget is not None:
        budget = max(0, budget - head_cost)
    kept: list[dict[str, Any]] = []
    used = 0
    for m in reversed(usable):
        text = _answer_text(m)
        extra = attached.get(m.id) if attached else None
        if extra is not None and extra.text:
            text = f"{extra.text}\n\n{text}"
        pictures = list(extra.images) if extra is not None and images else []
        cost = estimate_tokens(text) + MESSAGE_OVERHEAD_TOKENS + IMAGE_TOKENS * len(pictures)
        if budget is not None and kept and used + cost > budget:
            break
        kept.append({"role": m.role, "content": text, **({"images": pictures} if pictures else {})})
        used += cost
    kept.reverse()
    trimmed = len(usable) - len(kept)
    # a history that starts with an answer reads oddly to a model
    while len(kept) > 1 and kept[0]["role"] == "assistant":
        kept.pop(0)
    return BuiltContext([*head, *kept], head_cost + used, trimmed)


def build_messages(
    history: Sequence[Message],
    *,
    context_length: int | None,
    reserve_tokens: int,
    prefix: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The messages of :func:`build_context`."""
    return build_context(history, context_length=context_length, reserve_tokens=reserve_tokens, prefix=prefix).messages
