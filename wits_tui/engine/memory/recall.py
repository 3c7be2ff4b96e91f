"""Combining vector and full-text hits, the thresholds, the token budget, and the prompt block.

Pure functions: the facade runs the searches and hands the results here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from wits_tui.engine.context import estimate_tokens
from wits_tui.engine.memory.records import Hit, Segment

HEADING = "Relevant memories from earlier conversations (use them only if they help answer):"
#: Reciprocal rank fusion constant (the usual 60).
RRF_K = 60


def exact_terms(query: str) -> set[str]:
    """Words of the query that name something exactly: with a digit (numbers, codes) or a
    capital letter past the first word (names). A segment containing one verbatim is recalled
    by full-text search whatever its BM25 score (which is low in a small memory)."""
    words = re.findall(r"[\w][\w.\-/@]*[\w]|\w", query)
    out = set()
    for i, w in enumerate(words):
        if any(ch.isdigit() for ch in w) or (len(w) > 1 and any(ch.isupper() for ch in w[1:])) or (i > 0 and w[0].isupper()):
            out.add(w)
    return out


def fuse(
    vector_hits: Sequence[tuple[Segment, float]],
    text_hits: Sequence[tuple[Segment, float]],
    *,
    min_similarity: float,
    min_text_score: float,
    terms: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[Hit]:
    """Hits that pass a threshold (similarity for meaning; BM25 or an exact term for full-text
    matches), ranked by reciprocal rank fusion of the two lists."""
    by_id: dict[str, dict[str, Any]] = {}
    for rank, (seg, sim) in enumerate(vector_hits):
        e = by_id.setdefault(seg.id, {"segment": seg, "rrf": 0.0, "sim": None, "bm25": None})
        e["rrf"] += 1.0 / (RRF_K + rank + 1)
        e["sim"] = sim
    for rank, (seg, score) in enumerate(text_hits):
        e = by_id.setdefault(seg.id, {"segment": seg, "rrf": 0.0, "sim": None, "bm25": None})
        e["rrf"] += 1.0 / (RRF_K + rank + 1)
        e["bm25"] = score
    hits = []
    for e in by_id.values():
        by_meaning = e["sim"] is not None and e["sim"] >= min_similarity
        by_term = e["bm25"] is not None and (e["bm25"] >= min_text_score or any(t in e["segment"].text for t in terms))
        if by_meaning or by_term:
            hits.append(Hit(segment=e["segment"], score=e["rrf"], similarity=e["sim"], text_score=e["bm25"]))
    hits.sort(key=lambda h: (-h.score, h.segment.id))
    return hits


def within_budget(hits: Sequence[Hit], *, max_segments: int, token_budget: int) -> list[Hit]:
    """The best hits whose lines fit ``token_budget`` (one that does not fit is skipped, not cut)."""
    chosen: list[Hit] = []
    used = estimate_tokens(HEADING)
    for hit in hits:
        if len(chosen) >= max_segments:
            break
        cost = estimate_tokens(format_line(hit.segment))
        if used + cost > token_budget:
            continue
        chosen.append(hit)
        used += cost
    return chosen


def format_line(segment: Segment) -> str:
    when = segment.created_at[:10]
    label = {"note": "note", "fact": "fact"}.get(segment.kind, "conversation")
    text = " ".join(segment.text.split())
    return f"- [{label}, {when}] {text}"


def format_block(hits: Sequence[Hit]) -> str:
    """The text added to the prompt (as a system message), or "" when there is nothing."""
    if not hits:
        return ""
    return "\n".join([HEADING, *(format_line(h.segment) for h in hits)])
