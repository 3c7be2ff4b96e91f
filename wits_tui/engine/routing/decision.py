"""What the classifier decided for one message (``Classifier.decide``), and why, in words."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Decision:
    domain: str
    confidence: float
    scores: dict[str, float]  # softmax share per domain (sums to 1)
    keyword_scores: dict[str, float]
    semantic_scores: dict[str, float] | None
    candidates: list[str]  # modules serving the domain, in registry order
    method: str  # keywords | keywords+embeddings (+llm)
    top_domain: str  # the best domain before the low-confidence fallback
    fell_back: bool = False
    unsure: bool = False  # the best domain, general included, is below its threshold: nothing placed the message
    note: str = ""  # e.g. why embeddings were not used
    elapsed_ms: float = 0.0

    @property
    def reason(self) -> str:
        if self.fell_back:
            return f"{self.domain}: {self.doubt}"
        return f"{self.domain} {self.confidence:.2f} ({self.method})"

    @property
    def doubt(self) -> str:
        """Why it fell back: "best guess math at 0.39 is below its threshold (keywords)". Rounded down: 0.398 below a
        threshold of 0.40 must not read "at 0.40"."""
        shown = math.floor(self.scores[self.top_domain] * 100) / 100
        return f"best guess {self.top_domain} at {shown:.2f} is below its threshold ({self.method})"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "reason": self.reason}
