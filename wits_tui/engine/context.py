"""Building the messages sent to the model from a session's history."""

from __future__ import annotations

from collections.abc import Sequence

from wits_tui.engine.store.records import Message

#: Rough size of the per-message framing a chat template adds.
MESSAGE_OVERHEAD_TOKENS = 4


def estimate_tokens(text: str) -> int:
    """A cheap token estimate (about four characters a token for English and code)."""
    return len(text) // 4 + 1


def build_messages(
    history: Sequence[Message],
    *,
    context_length: int | None,
    reserve_tokens: int,
    prefix: Sequence[dict[str, str]] = (),
) -> list[dict[str, str]]:
    """Chat messages for the model: ``prefix`` (a module's system prompt and
    few-shot examples), then the session's messages that carry content, trimmed
    oldest-first so that everything fits ``context_length - reserve_tokens``.
    The newest message (the question) is always kept."""
    usable = [m for m in history if m.content and m.role in ("user", "assistant", "system")]
    budget = None if context_length is None else max(0, context_length - reserve_tokens)
    if prefix and budget is not None:
        cost = sum(estimate_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in prefix)
        budget = max(0, budget - cost)
    kept: list[dict[str, str]] = []
    used = 0
    for m in reversed(usable):
        cost = estimate_tokens(m.content) + MESSAGE_OVERHEAD_TOKENS
        if budget is not None and kept and used + cost > budget:
            break
        kept.append({"role": m.role, "content": m.content})
        used += cost
    kept.reverse()
    # a history that starts with an answer reads oddly to a model
    while len(kept) > 1 and kept[0]["role"] == "assistant":
        kept.pop(0)
    return [*prefix, *kept]
