"""Helpers shared by the benchmarks: timing statistics and the result table."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None  # None: no target
    note: str = ""


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100), linear interpolation."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values)


def print_table(results: list[Result]) -> None:
    headers = ["benchmark", "value", "unit", "target", "met", "note"]
    rows = [
        [r.name, f"{r.value:,.3f}" if r.value < 100 else f"{r.value:,.0f}", r.unit, r.target,
         "" if r.met is None else ("yes" if r.met else "MISSED"), r.note]
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths)))
