"""The classifier's knowledge of each domain: keywords, patterns and example utterances.

The built-in domains are data (``data/domains.toml``, the same schema as a user's
``[routing.domains.NAME]``); this module loads them and matches keywords. The evaluation set
``tests/engine/routing/data/heldout.jsonl`` is separate and must stay so: never copy
its messages here or choose anything by its score (see the README beside it).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wits_tui.settings import CustomDomain, RoutingSettings

GENERAL = "general"


@dataclass(frozen=True)
class Domain:
    name: str
    description: str
    keywords: tuple[str, ...] = ()  # whole words or phrases; "word*" matches as a prefix
    patterns: tuple[str, ...] = ()  # regular expressions (built-in domains only)
    examples: tuple[str, ...] = ()
    threshold: float | None = None
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _patterns: tuple[re.Pattern[str], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = []
        for kw in self.keywords:
            kw = kw.strip().lower()
            if not kw:
                continue
            if kw.endswith("*"):
                parts.append(re.escape(kw[:-1]) + r"\w*")
            else:
                parts.append(re.escape(kw))
        if parts:
            rx = re.compile(r"(?<![\w])(?:" + "|".join(sorted(parts, key=len, reverse=True)) + r")(?![\w])", re.IGNORECASE)
            object.__setattr__(self, "_regex", rx)
        object.__setattr__(self, "_patterns", tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in self.patterns))

    def keyword_hits(self, text: str) -> float:
        """Distinct keywords found (each 1) plus matching patterns (each 1.5)."""
        hits = len({m.group(0).lower() for m in self._regex.finditer(text)}) if self._regex else 0
        return hits + 1.5 * sum(1 for p in self._patterns if p.search(text))


_WORD = re.compile(r"[a-z][a-z+#']+")
#: Left out of content stems (the keyword-only word model may still use them: words.word_features).
FUNCTION_WORDS = frozenset(
    "a an and are as at be but by can do does for from give have how i if in is it its me my of on or our so some "
    "that the their them then there these this to was what when where which who why will with would you your "
    "about after all any into just like make more most not one out over should than very want were write".split()
)


def stem(word: str) -> str:
    """A crude stem: enough to match plurals and -ing/-ed forms of the same word."""
    for suffix in ("ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def content_words(text: str) -> list[str]:
    """The stems of the content words in the order they come, repeats kept."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in FUNCTION_WORDS and len(w) > 2]


def content_stems(text: str) -> set[str]:
    return set(content_words(text))


class ExampleVocabulary:
    """Words of each domain's example utterances, weighted by how specific they are
    (a word in the examples of k domains counts 1/k): a keyword score learnt from the
    classifier's own examples, so it works without embeddings."""

    WEIGHT = 0.8  # chosen on the tuning sets with the keyword-only settings in classifier.py

    def __init__(self, domains: "list[Domain] | tuple[Domain, ...]") -> None:
        self.vocab = {d.name: set().union(*(content_stems(e) for e in d.examples)) if d.examples else set() for d in domains}
        owners: dict[str, int] = {}
        for words in self.vocab.values():
            for w in words:
                owners[w] = owners.get(w, 0) + 1
        self.weight = {w: 1.0 / k for w, k in owners.items()}

    def hits(self, text: str) -> dict[str, float]:
        stems = content_stems(text)
        return {name: self.WEIGHT * sum(self.weight[w] for w in stems & words) for name, words in self.vocab.items()}


DATA_FILE = Path(__file__).with_name("data") / "domains.toml"


@lru_cache(maxsize=1)
def builtin_domains(path: Path = DATA_FILE) -> tuple[Domain, ...]:
    """The built-in domains, read from ``data/domains.toml`` (once per process). The file ships
    with Wits and the tests check it against its schema (:func:`check_builtin_file`), so reading
    it needs neither validation nor pydantic (keyword-only `wits classify` starts quicker)."""
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Domain(name, raw.get("description", ""), keywords=tuple(raw.get("keywords", ())), patterns=tuple(raw.get("patterns", ())),
               examples=tuple(raw.get("examples", ())), threshold=raw.get("threshold"))
        for name, raw in table["domains"].items())


def check_builtin_file(path: Path = DATA_FILE) -> None:
    """Validate ``data/domains.toml``: each domain is a user domain's schema (``CustomDomain``)
    plus ``patterns`` (regular expressions). Raises pydantic's ValidationError, or re.error."""
    from pydantic import Field

    from wits_tui.settings import CustomDomain

    class BuiltinDomainSpec(CustomDomain):
        patterns: list[str] = Field(default_factory=list, description="Regular expressions that point to the domain (each counts 1.5 keywords).")

    for raw in tomllib.loads(path.read_text(encoding="utf-8"))["domains"].values():
        for pattern in BuiltinDomainSpec.model_validate(raw).patterns:
            re.compile(pattern)


def custom_domain(name: str, spec: "CustomDomain") -> Domain:
    return Domain(name, spec.description, keywords=tuple(spec.keywords), examples=tuple(spec.examples), threshold=spec.threshold)


def build_domains(routing_settings: "RoutingSettings") -> list[Domain]:
    """Built-in domains plus the custom ones from settings (a custom domain named like a
    built-in one replaces it)."""
    out = {d.name: d for d in builtin_domains()}
    for name, spec in routing_settings.domains.items():
        out[name] = custom_domain(name, spec)
    return list(out.values())
