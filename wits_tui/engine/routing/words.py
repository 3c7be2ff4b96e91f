"""Keyword-only routing's word model: a linear layer over a message's content words.

``data/words.json`` is written by ``benchmarks/train_words.py``: multinomial logistic regression
over the word stems (:func:`~wits_tui.engine.routing.domains.content_stems`) of the built-in
domains' examples and the tuning sets, with its weight in the keyword-only mix and the
regularisation chosen by cross-validation on the tuning sets. Without embeddings, each domain's
score is ``a * keywords + b * logit`` (softmax at ``routing.temperature``). It applies only to the built-in domains (a
user's own domain changes the classes: then keywords alone). Pure Python: no numpy on the
keyword-only path.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from wits_tui.engine.routing.domains import FUNCTION_WORDS, content_stems, stem

WORDS_FILE = Path(__file__).with_name("data") / "words.json"
_SENTENCE_END = re.compile(r"(?<=[.?!:;])\s+|\n+")
_TOKEN = re.compile(r"[a-z][a-z+#']*")


def tokens(text: str) -> list[str]:
    """The message's words in order, function words and one-letter words too (lower case, not stemmed)."""
    return _TOKEN.findall(text.lower())


def word_features(text: str, lead: int = 0, opening: int = 0, function: bool = False) -> tuple[set[str], int]:
    """(features, number of content stems): the message's content-word stems and
    - with ``lead`` 1, the stems of its first sentence again, marked ``^`` (in a long request the task is
      usually said first or last); with 2, of its first and last sentences;
    - with ``opening`` n, the stems of its first n words, function words too, marked ``@`` ("write a", "why
      do", "what if": the kind of request is in how it opens);
    - with ``function``, the function words content stems leave out (write, why, how, if, should, ...),
      marked ``~``: they say what is asked for, not what it is about."""
    stems = content_stems(text)
    out = set(stems)
    if lead:
        sentences = [s for s in _SENTENCE_END.split(text.strip()) if s]
        ends = sentences[:1] + (sentences[-1:] if lead == 2 and len(sentences) > 1 else [])
        out |= {"^" + s for e in ends for s in content_stems(e)}
    if opening or function:
        words = tokens(text)
        out |= {"@" + stem(w) for w in words[:opening]}
        if function:
            out |= {"~" + w for w in words if w in FUNCTION_WORDS}
    return out, len(stems)


@dataclass(frozen=True)
class WordModel:
    classes: tuple[str, ...]
    weights: dict[str, list[float]]  # stem -> one weight per class
    bias: tuple[float, ...]
    keywords: float  # the keyword scores' weight in the keyword-only mix (KEYWORDS_ONLY_SCALE without the model)
    weight: float  # the logits' weight in the keyword-only mix
    floor: int  # features are 1/sqrt(max(number of stems, floor)): length-robust, short messages not overweighted
    lead: int = 0  # 1: the first sentence's stems are features too, 2: the first and last ones' (word_features)
    opening: int = 0  # the first n words' stems are features too (word_features)
    function: bool = False  # function words are features too (word_features)

    def fits(self, domains: list[str]) -> bool:
        return sorted(domains) == sorted(self.classes)

    def logits(self, text: str) -> dict[str, float]:
        stems, n = word_features(text, self.lead, self.opening, self.function)
        z = list(self.bias)
        scale = 1.0 / math.sqrt(max(n, self.floor, 1))
        for s in stems & self.weights.keys():
            for i, w in enumerate(self.weights[s]):
                z[i] += scale * w
        return dict(zip(self.classes, z))


@lru_cache(maxsize=2)
def load_words(path: Path = WORDS_FILE) -> WordModel | None:
    """The shipped word model, or None when the file is absent (keywords alone then)."""
    if not path.exists():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    mix = raw["mix"]
    return WordModel(tuple(raw["classes"]), raw["weights"], tuple(raw["bias"]), float(mix["keywords"]), float(mix["weight"]),
                     int(mix["floor"]), int(mix.get("lead", 0)), int(mix.get("opening", 0)), bool(mix.get("function", False)))
