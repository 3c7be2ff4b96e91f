"""The optional LLM tiebreak: when the classifier is unsure, a model chooses between
the top domains. Bounded by ``routing.tiebreak_timeout``; on any failure or a
useless answer the classifier's decision stands."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wits_tui.engine.backends.base import Backend
    from wits_tui.engine.routing.classifier import Decision

log = logging.getLogger("wits.routing")
CHOICES = 3


def tiebreak_prompt(text: str, options: list[tuple[str, str]]) -> list[dict[str, str]]:
    listed = "\n".join(f"- {name}: {desc}" for name, desc in options)
    return [
        {"role": "system", "content": "You classify messages. Answer with one domain name from the list and nothing else."},
        {"role": "user", "content": f"Domains:\n{listed}\n\nMessage:\n{text[:2000]}\n\nDomain:"},
    ]


def parse_choice(answer: str, names: list[str]) -> str | None:
    """The first listed domain name in the answer (whole word, case-insensitive)."""
    found = [(m.start(), n) for n in names if (m := re.search(rf"(?<!\w){re.escape(n)}(?!\w)", answer, re.IGNORECASE))]
    return min(found)[1] if found else None


@dataclass(frozen=True, slots=True)
class Tiebreaker:
    """What a tiebreak needs, handed over by the classifier: the model to ask and how long
    to wait, each domain's description, and the modules that serve a domain."""

    backend: "Backend"
    model: str
    timeout: float
    descriptions: dict[str, str]
    candidates_for: Callable[[str], list[str]]


async def tiebreak(setup: Tiebreaker, text: str, decision: "Decision") -> "Decision":
    backend, model = setup.backend, setup.model
    ranked = sorted(decision.scores, key=decision.scores.__getitem__, reverse=True)[:CHOICES]
    options = [(n, setup.descriptions[n]) for n in ranked]

    async def ask() -> str:
        parts = []
        async for chunk in backend.chat(model, tiebreak_prompt(text, options), options={"temperature": 0, "num_predict": 8}):
            parts.append(chunk.content)
        return "".join(parts)

    try:
        answer = await asyncio.wait_for(ask(), timeout=setup.timeout)
    except Exception as exc:  # noqa: BLE001 - a timeout or failure leaves the decision as it was
        log.info("tiebreak with %s gave no answer: %s", model, exc)
        return replace(decision, note=(decision.note + "; " if decision.note else "") + f"tiebreak by {model} gave no answer in time")
    choice = parse_choice(answer, ranked)
    if choice is None:
        return replace(decision, note=(decision.note + "; " if decision.note else "") + f"tiebreak by {model} answered {answer.strip()[:40]!r}")
    return replace(
        decision,
        domain=choice,
        confidence=decision.scores[choice],
        candidates=setup.candidates_for(choice),
        method=decision.method + "+llm",
        fell_back=False,
        note=(decision.note + "; " if decision.note else "") + f"chosen by {model} among {', '.join(ranked)}",
    )
