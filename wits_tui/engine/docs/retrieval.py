"""Fusing vector and full-text hits, the token budget, the numbered prompt block, and the
``@NAME`` / ``@path`` mentions of a message. Pure functions.

The fusion is memory's (reciprocal rank fusion with the same constant), without memory's
thresholds: a collection the person attached is always asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from wits_tui.engine.context import estimate_tokens
from wits_tui.engine.docs.embed_text import CODE_KINDS
from wits_tui.engine.docs.records import Passage, source_title
from wits_tui.engine.memory.recall import RRF_K

INSTRUCTIONS = (
    "Numbered passages from the user's documents follow. Answer from them when they are relevant and cite "
    "each passage you use by its number in square brackets, like [1] or [2]. If they do not hold the answer, say so."
)

_MENTION = re.compile(r"(?<![\w@])@([^\s@]+)")


def to_passage(row: dict[str, Any], pid: str | None = None) -> Passage:
    """The passage of a row with all its fields (an extra vector's row: give its passage's id)."""
    return Passage(id=pid or row["id"], collection=row["collection"], path=row["path"], kind=row["kind"],
                   start_line=int(row["start_line"]), end_line=int(row["end_line"]), heading=row["heading"] or "",
                   text=row["text"])


#: How much a full-text rank counts against a passage's rank by its own vector in the fusion (memory's: 1.0),
#: and how much its rank by its best definition vector (prose: by its own vector again) counts. Chosen
#: on benchmarks/data/docs_tuning.jsonl (98 questions; benchmarks/tune_docs.py): 0.5 and 3 give recall@5
#: 74.5 % there, memory's 1.0 and 2 gave 70.4 % (questions phrased without the names of what they ask for
#: are found by meaning rather than by words).
TEXT_WEIGHT = 0.5
DEFINITION_WEIGHT = 3.0

Hits = Sequence[tuple[dict[str, Any], float]]
#: Reads the remaining fields of search rows (``PassageStore.fetch``): a row each, None when gone.
Fetch = Callable[[Sequence[dict[str, Any]]], Sequence[dict[str, Any] | None]]


def _passage_id(row: dict[str, Any]) -> str:
    return str(row.get("of") or row["id"])


def _by_definition(vector_hits: Hits) -> list[tuple[dict[str, Any], float]]:
    """Passages ranked by their best definition vector (an extra vector's row stands for its
    passage); a prose passage by its own vector. Code without definitions (imports, constants)
    is not in this list: a question is about what something does."""
    seen: dict[str, tuple[dict[str, Any], float]] = {}
    for row, sim in vector_hits:
        if not row.get("of") and row["kind"] in CODE_KINDS:
            continue
        seen.setdefault(_passage_id(row), (row, sim))
    return list(seen.values())


def fuse(vector_hits: Hits, text_hits: Hits, text_weight: float | None = None, *,
         fetch: Fetch | None = None, limit: int | None = None) -> list[Passage]:
    """The best ``limit`` passages (None: all) by reciprocal rank fusion (memory recall's constant) of
    three lists: by their own vector, by their best definition vector (prose: its own; weighted by
    :data:`DEFINITION_WEIGHT`) and by full text (weighted by ``text_weight``, default :data:`TEXT_WEIGHT`).
    ``vector_hits`` holds both kinds of vector rows (an extra vector's row has its passage's id in
    ``of``). Rows without their text (a search reads only what ranks them) are completed by ``fetch``,
    only for the passages kept."""
    weight = TEXT_WEIGHT if text_weight is None else text_weight
    own = [(row, sim) for row, sim in vector_hits if not row.get("of")]
    by_id: dict[str, dict[str, Any]] = {}
    for hits, w in ((own, 1.0), (_by_definition(vector_hits), DEFINITION_WEIGHT), (text_hits, weight)):
        for rank, (row, score) in enumerate(hits):
            e = by_id.setdefault(_passage_id(row), {"row": row, "rrf": 0.0, "sim": None, "bm25": None})
            e["rrf"] += w / (RRF_K + rank + 1)
            if hits is text_hits:
                e["bm25"] = score
            else:
                e["sim"] = score if e["sim"] is None else max(e["sim"], score)
    ranked = sorted(by_id.items(), key=lambda kv: (-kv[1]["rrf"], kv[0]))[:limit]
    missing = [e["row"] for _, e in ranked if "text" not in e["row"]]
    if missing:
        if fetch is None:
            raise ValueError("rows without their text need a fetch")
        full = dict(zip(map(id, missing), fetch(missing)))
        ranked = [(pid, {**e, "row": full.get(id(e["row"]), e["row"])}) for pid, e in ranked]
        ranked = [(pid, e) for pid, e in ranked if e["row"] is not None]
    return [replace(to_passage(e["row"], pid), score=e["rrf"], similarity=e["sim"], text_score=e["bm25"]) for pid, e in ranked]


def format_passage(n: int, p: Passage) -> str:
    where = p.location + (f" — {p.heading}" if p.heading else "")
    return f"[{n}] {where}\n{p.text.strip()}"


def within_budget(passages: Sequence[Passage], *, max_passages: int, token_budget: int) -> list[Passage]:
    """The best passages whose text fits ``token_budget`` (one that does not fit is skipped, not cut)."""
    chosen: list[Passage] = []
    used = estimate_tokens(INSTRUCTIONS)
    for p in passages:
        if len(chosen) >= max_passages:
            break
        cost = estimate_tokens(format_passage(len(chosen) + 1, p))
        if used + cost > token_budget:
            continue
        chosen.append(p)
        used += cost
    return chosen


def format_block(passages: Sequence[Passage]) -> str:
    if not passages:
        return ""
    return "\n\n".join([INSTRUCTIONS, *(format_passage(n, p) for n, p in enumerate(passages, start=1))])


def mentions(text: str) -> list[str]:
    """The ``@`` words of a message, without trailing punctuation: ``"see @notes, @src/a.py."``
    -> ``["notes", "src/a.py"]``. An e-mail address is not a mention."""
    return [m.rstrip(".,;:!?)]}'\"") for m in _MENTION.findall(text) if m.rstrip(".,;:!?)]}'\"")]


def looks_like_path(word: str) -> bool:
    return "/" in word or word.startswith("~") or bool(re.search(r"\.\w{1,8}$", word))


def sources_text(passages: Sequence[dict[str, Any]]) -> str:
    """The sources under an answer, as plain lines (`wits ask`, the line mode)."""
    return "\n".join(["", "Sources:", *(f"  {source_title(p)}" for p in passages)]) + "\n"
