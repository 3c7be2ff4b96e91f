"""Settling low-confidence decisions with a model, bounded by ``routing.tiebreak_timeout``.

- ``routing.decision_model`` set: a choice question over every domain's description to a
  decision model (Ollama's ``/v1/systemone``); its probabilities replace the scores.
- otherwise, with ``routing.llm_tiebreak``: a chat model chooses among the top domains,
  answering in a JSON schema (``format``) that only admits their names.

On a timeout, a failure or a useless answer the classifier's decision stands, with a note.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wits_tui.engine.routing.classifier import Classifier
    from wits_tui.engine.routing.decision import Decision

log = logging.getLogger("wits.routing")
CHOICES = 3
INSTRUCTIONS = "Which domain does this message to an assistant belong to? Choose the specialist that should answer it."


def needs_settling(classifier: "Classifier", decision: "Decision") -> bool:
    s = classifier.settings
    return bool(s.decision_model or s.llm_tiebreak) and decision.scores[decision.top_domain] < s.tiebreak_below


def tiebreak_prompt(text: str, options: list[tuple[str, str]]) -> list[dict[str, str]]:
    listed = "\n".join(f"- {name}: {desc}" for name, desc in options)
    return [
        {"role": "system", "content": 'You classify messages. Answer in JSON: {"domain": "<one name from the list>"}.'},
        {"role": "user", "content": f"Domains:\n{listed}\n\nMessage:\n{text[:2000]}\n\nDomain:"},
    ]


def answer_schema(names: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": {"domain": {"type": "string", "enum": names}}, "required": ["domain"]}


def parse_choice(answer: str, names: list[str]) -> str | None:
    """The domain in a JSON answer ({"domain": ...}), else the first listed name in the text."""
    try:
        value = json.loads(answer)
    except ValueError:
        value = None
    if isinstance(value, dict) and isinstance(value.get("domain"), str):
        answer = value["domain"]
    found = [(m.start(), n) for n in names if (m := re.search(rf"(?<!\w){re.escape(n)}(?!\w)", answer, re.IGNORECASE))]
    return min(found)[1] if found else None


def _noted(decision: "Decision", note: str) -> "Decision":
    return replace(decision, note=(decision.note + "; " if decision.note else "") + note)


def _chosen(classifier: "Classifier", decision: "Decision", choice: str, note: str, **changes: Any) -> "Decision":
    return replace(
        _noted(decision, note),
        domain=choice,
        confidence=changes.pop("confidence", decision.scores[choice]),
        candidates=[m.name for m in classifier.registry.for_domain(choice)],
        fell_back=False,
        unsure=False,  # settled: placed
        **changes,
    )


async def settle(classifier: "Classifier", text: str, decision: "Decision") -> "Decision":
    if classifier.settings.decision_model:
        return await ask_decision_model(classifier, text, decision)
    return await tiebreak(classifier, text, decision)


async def ask_decision_model(classifier: "Classifier", text: str, decision: "Decision") -> "Decision":
    backend, model = classifier.backend, classifier.settings.decision_model
    if backend is None or not model:
        return decision
    options = {d.name: d.description for d in classifier.domains}
    try:
        answer = await asyncio.wait_for(backend.choose(model, text[:4000], INSTRUCTIONS, options),
                                        timeout=classifier.settings.tiebreak_timeout)
    except Exception as exc:  # noqa: BLE001 - a timeout or failure leaves the decision as it was
        log.info("decision model %s gave no answer: %s", model, exc)
        return _noted(decision, f"decision model {model} gave no answer in time")
    if answer.choice not in options:
        return _noted(decision, f"decision model {model} chose {answer.choice!r}, not a domain")
    scores = {n: float(answer.probabilities.get(n, 0.0)) for n in options}
    return _chosen(classifier, decision, answer.choice, f"chosen by decision model {model} ({answer.confidence:.2f})",
                   confidence=float(answer.confidence), scores=scores, method=decision.method + "+decision")


async def tiebreak(classifier: "Classifier", text: str, decision: "Decision") -> "Decision":
    backend = classifier.backend
    if backend is None:
        return decision
    ranked = sorted(decision.scores, key=decision.scores.__getitem__, reverse=True)[:CHOICES]
    by_name = {d.name: d for d in classifier.domains}
    options = [(n, by_name[n].description) for n in ranked]
    model = classifier.settings.tiebreak_model or classifier.registry.default_model

    async def ask() -> str:
        parts = []
        async for chunk in backend.chat(model, tiebreak_prompt(text, options), options={"temperature": 0, "num_predict": 24},
                                        format=answer_schema(ranked)):
            parts.append(chunk.content)
        return "".join(parts)

    try:
        answer = await asyncio.wait_for(ask(), timeout=classifier.settings.tiebreak_timeout)
    except Exception as exc:  # noqa: BLE001 - a timeout or failure leaves the decision as it was
        log.info("tiebreak with %s gave no answer: %s", model, exc)
        return _noted(decision, f"tiebreak by {model} gave no answer in time")
    choice = parse_choice(answer, ranked)
    if choice is None:
        return _noted(decision, f"tiebreak by {model} answered {answer.strip()[:40]!r}")
    return _chosen(classifier, decision, choice, f"chosen by {model} among {', '.join(ranked)}", method=decision.method + "+llm")
