"""Scoring a classifier's decisions on a labelled set: accuracy, confusion, AUROC of the
confidence (right vs wrong), reliability per confidence bin, fallback share, per category.

Used by ``bench_routing`` (evaluation sets) and ``train_routing`` (tuning data only).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

BINS = (0.0, 0.4, 0.6, 0.8, 0.9, 1.0001)


class LabelledRow(Protocol):
    text: str
    domain: str
    category: str


@dataclass
class Scored:
    n: int
    accuracy: float
    auroc: float
    fallback_share: float
    ece: float
    confusion: dict[str, Counter[str]] = field(default_factory=dict)
    reliability: list[tuple[str, int, float, float]] = field(default_factory=list)  # bin, n, mean conf, accuracy
    categories: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # category -> (right, n, domain)


def auroc(confidences: Sequence[float], right: Sequence[bool]) -> float:
    """Probability that a right answer has a higher confidence than a wrong one (ties 1/2)."""
    pos = [c for c, r in zip(confidences, right) if r]
    neg = [c for c, r in zip(confidences, right) if not r]
    if not pos or not neg:
        return float("nan")
    ranked = sorted((c, i) for i, c in enumerate(confidences))
    ranks = [0.0] * len(ranked)
    i = 0
    while i < len(ranked):
        j = i
        while j + 1 < len(ranked) and ranked[j + 1][0] == ranked[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[ranked[k][1]] = (i + j) / 2 + 1
        i = j + 1
    pos_rank = sum(ranks[i] for i, r in enumerate(right) if r)
    return (pos_rank - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def score(rows: Sequence[LabelledRow], decisions: Sequence[Any]) -> Scored:
    """``decisions``: objects with ``domain``, ``confidence`` and ``fell_back``."""
    right = [d.domain == r.domain for r, d in zip(rows, decisions, strict=True)]
    conf = [float(d.confidence) for d in decisions]
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    cats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    cat_domain: dict[str, Counter[str]] = defaultdict(Counter)
    for r, d, ok in zip(rows, decisions, right):
        confusion[r.domain][d.domain] += 1
        if r.category:
            cats[r.category][0] += ok
            cats[r.category][1] += 1
            cat_domain[r.category][r.domain] += 1
    reliability, ece = [], 0.0
    for lo, hi in zip(BINS, BINS[1:]):
        idx = [i for i, c in enumerate(conf) if lo <= c < hi]
        if not idx:
            reliability.append((f"{lo:.1f}-{min(hi, 1):.1f}", 0, float("nan"), float("nan")))
            continue
        mc = sum(conf[i] for i in idx) / len(idx)
        acc = sum(right[i] for i in idx) / len(idx)
        ece += len(idx) / len(rows) * abs(mc - acc)
        reliability.append((f"{lo:.1f}-{min(hi, 1):.1f}", len(idx), mc, acc))
    return Scored(
        n=len(rows),
        accuracy=sum(right) / len(rows),
        auroc=auroc(conf, right),
        fallback_share=sum(bool(getattr(d, "fell_back", False)) for d in decisions) / len(rows),
        ece=ece,
        confusion=dict(confusion),
        reliability=reliability,
        categories={c: (v[0], v[1], "/".join(sorted(cat_domain[c]))) for c, v in cats.items()},
    )


def report(title: str, s: Scored, domains: Sequence[str]) -> str:
    """A plain-text block: headline, confusion matrix, reliability, per category."""
    out = [f"## {title}: {s.n} messages, accuracy {s.accuracy:.1%}, AUROC {s.auroc:.3f}, "
           f"fallback {s.fallback_share:.1%}, ECE {s.ece:.3f}", "", "confusion (rows: label, columns: chosen)"]
    w = max(len(d) for d in domains) + 1
    out.append(" " * w + "".join(d[:9].rjust(10) for d in domains))
    for t in domains:
        if t in s.confusion:
            out.append(t.ljust(w) + "".join(str(s.confusion[t].get(p, 0)).rjust(10) for p in domains))
    out += ["", "reliability: confidence bin, messages, mean confidence, accuracy"]
    out += [f"  {b:9} {n:4d}  {mc:5.2f}  {acc:6.1%}" if n else f"  {b:9} {n:4d}" for b, n, mc, acc in s.reliability]
    if s.categories:
        out += ["", "per category: right/n (domain)"]
        for c, (ok, n, dom) in sorted(s.categories.items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0])):
            out.append(f"  {c:18} {ok:3d}/{n:<3d} {ok / n:6.1%}  ({dom})")
    return "\n".join(out)


def per_set(right: Sequence[bool], sets: Sequence[str]) -> str:
    """Accuracy per tuning set ("short 95.1% of 182, ..."): where out-of-fold errors are (train_routing, train_words)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for ok, s in zip(right, sets):
        counts[s][0] += bool(ok)
        counts[s][1] += 1
    return ", ".join(f"{s} {k / n:.1%} of {n}" for s, (k, n) in counts.items())
