"""The linear head: a softmax layer over message embeddings, trained at build time.

``data/head.json`` is written by ``benchmarks/train_routing.py`` from the built-in domains'
examples (``data/domains.toml``) and the tuning sets, embedded with all-MiniLM-L6-v2 (Ollama's
``all-minilm``), and holds the mix of head, kNN, keyword scores and word-model logits and the temperature chosen by
cross-validation on the tuning sets. It applies only when the classifier embeds with that model and routes to exactly the
head's domains; otherwise the classifier uses kNN over the examples and keywords. The same run
writes ``data/neighbours.json``: the tuning messages, which join the built-in domains' examples in the
kNN bank (``bank_of``) when cross-validation preferred that.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

HEAD_FILE = Path(__file__).with_name("data") / "head.json"
#: Messages the kNN bank holds besides the built-in domains' examples (the tuning sets, when
#: cross-validation preferred them as neighbours), written by ``benchmarks/train_routing.py``.
NEIGHBOURS_FILE = Path(__file__).with_name("data") / "neighbours.json"


@dataclass(frozen=True)
class Mix:
    """How the scores are combined: ``z = head * logits + knn * similarity + keywords * kw + words * word
    logits`` (the keyword-only word model, ``words.py``), then ``softmax(z / temperature)``."""

    head: float
    knn: float
    keywords: float
    temperature: float
    top_k: int = 3
    words: float = 0.0


@dataclass(frozen=True)
class Head:
    model: str
    classes: tuple[str, ...]
    weights: Any  # numpy (n_classes, dim)
    bias: Any  # numpy (n_classes,)
    mix: Mix
    examples_sha256: str

    @property
    def dim(self) -> int:
        return int(self.weights.shape[1])

    def fits(self, model: str, domains: list[str], dim: int) -> bool:
        """True when the head was trained for this embedding model, these domains and this size."""
        base = model.split(":")[0]
        return base == self.model and sorted(domains) == sorted(self.classes) and dim == self.dim

    def logits(self, unit_vector: Any) -> dict[str, float]:
        z = self.weights @ unit_vector + self.bias
        return {c: float(v) for c, v in zip(self.classes, z)}


def examples_digest(domains: "list[Any] | tuple[Any, ...]") -> str:
    """What the head was trained on: a digest of each domain's name and examples, in order."""
    h = hashlib.sha256()
    for d in domains:
        h.update(d.name.encode())
        for e in d.examples:
            h.update(b"\0" + e.encode())
    return h.hexdigest()


@lru_cache(maxsize=2)
def load_head(path: Path = HEAD_FILE) -> Head | None:
    """The shipped head, or None when the file is absent (kNN and keywords then)."""
    if not path.exists():
        return None
    import numpy as np

    raw = json.loads(path.read_text(encoding="utf-8"))
    return Head(
        model=raw["model"],
        classes=tuple(raw["classes"]),
        weights=np.asarray(raw["weights"], dtype=np.float32),
        bias=np.asarray(raw["bias"], dtype=np.float32),
        mix=Mix(**raw["mix"]),
        examples_sha256=raw["trained_on"]["examples_sha256"],
    )


@lru_cache(maxsize=2)
def load_neighbours(path: Path = NEIGHBOURS_FILE) -> dict[str, tuple[str, ...]]:
    """Extra kNN neighbours for the built-in domains: domain name -> messages (empty when absent)."""
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {name: tuple(texts) for name, texts in raw["domains"].items()}


def bank_of(domains: "list[Any] | tuple[Any, ...]") -> list[tuple[str, ...]]:
    """Each domain's kNN neighbours: its examples, plus the shipped extra messages when it is the
    built-in domain unchanged (a user's domain of the same name has only its own examples)."""
    from wits_tui.engine.routing.domains import builtin_domains

    builtin, extra = {d.name: d for d in builtin_domains()}, load_neighbours()
    return [d.examples + (extra.get(d.name, ()) if builtin.get(d.name) == d else ()) for d in domains]
