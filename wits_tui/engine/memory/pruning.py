"""Which segments pruning removes: pure functions, no I/O, no LanceDB.

The store measures the directory and lists :class:`Candidate` rows; these
functions decide how much to free and in which order segments go.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from wits_tui.settings_choices import PRUNING_STRATEGIES

STRATEGIES = PRUNING_STRATEGIES
#: A segment unused for this long counts half as much in ``least_relevant``.
UNUSED_HALF_LIFE_S = 30 * 86_400
#: hybrid = this weight on age rank + the rest on the least_relevant rank.
HYBRID_AGE_WEIGHT = 0.5
#: Rough on-disk bytes of a row besides its text and vector (ids, times, counters, index entries).
ROW_OVERHEAD_BYTES = 96


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    created_at: float  # epoch seconds
    last_accessed_at: float
    access_count: int
    relevance: float
    nbytes: int  # estimated share of the on-disk size


def bytes_to_free(size: int, cap: int, threshold: float, prune_to: float) -> int:
    """0 while ``size`` is under ``threshold * cap``; else what brings it to ``prune_to * threshold * cap``."""
    trigger = threshold * cap
    if size < trigger:
        return 0
    return max(1, int(size - prune_to * trigger))


def keep_value(c: Candidate, now: float) -> float:
    """How much a segment is worth keeping: relevance, boosted by use, decaying while unused."""
    unused = max(0.0, now - c.last_accessed_at)
    decay = 0.5 ** (unused / UNUSED_HALF_LIFE_S)
    return float(max(c.relevance, 0.0) * (1.0 + math.log1p(max(c.access_count, 0))) * decay)


def order(candidates: Sequence[Candidate], strategy: str, now: float) -> list[Candidate]:
    """Candidates in the order they are removed (first = first to go)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown pruning strategy {strategy!r}; expected one of: {', '.join(STRATEGIES)}")
    by_age = sorted(candidates, key=lambda c: (c.created_at, c.id))
    if strategy == "oldest_first":
        return by_age
    by_value = sorted(candidates, key=lambda c: (keep_value(c, now), c.created_at, c.id))
    if strategy == "least_relevant":
        return by_value
    n = max(len(candidates) - 1, 1)
    age_rank = {c.id: i / n for i, c in enumerate(by_age)}
    value_rank = {c.id: i / n for i, c in enumerate(by_value)}

    def mixed(c: Candidate) -> float:
        return HYBRID_AGE_WEIGHT * age_rank[c.id] + (1 - HYBRID_AGE_WEIGHT) * value_rank[c.id]

    return sorted(candidates, key=lambda c: (mixed(c), c.created_at, c.id))


def choose_victims(candidates: Sequence[Candidate], strategy: str, need_bytes: int, now: float) -> list[Candidate]:
    """The first segments in ``strategy`` order whose sizes add up to ``need_bytes``."""
    if need_bytes <= 0:
        return []
    chosen: list[Candidate] = []
    freed = 0
    for c in order(candidates, strategy, now):
        if freed >= need_bytes:
            break
        chosen.append(c)
        freed += c.nbytes
    return chosen


def estimate_row_bytes(text_bytes: int, dim: int | None) -> int:
    return text_bytes + 4 * (dim or 0) + ROW_OVERHEAD_BYTES


def scale_to(sizes: Sequence[int], total: int) -> list[int]:
    """Scale estimated row sizes so they add up to the measured ``total``."""
    s = sum(sizes)
    if s <= 0:
        return [0 for _ in sizes]
    f = total / s
    return [max(1, int(round(x * f))) for x in sizes]
