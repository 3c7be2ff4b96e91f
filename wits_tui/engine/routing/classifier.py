"""The domain classifier: keywords, kNN over example messages, and a trained linear head.

Each domain gets a keyword score (``1 - exp(-hits / 1.5)``, where hits counts its keywords and patterns
plus words learnt from its example messages) and, when embeddings are available, a kNN score (the mean of
the top-k cosine similarities to the domain's examples; a built-in domain's include ``data/neighbours.json``).
With the embedding model the head was trained for (``head.py``), the head's logits join them: ``z = a * head
+ b * knn + c * keywords + d * words`` (the word model's logits) with the mix and temperature chosen on the
tuning sets (``benchmarks/train_routing.py``); with another model, ``routing.keyword_weight`` and
``routing.semantic_weight`` weigh keywords and kNN; without embeddings, the word model joins the keywords. A softmax gives each domain's share;
the top domain's share is the confidence. Below the domain's threshold the message goes to ``general``.
Example embeddings come from the backend once, in batches, cached in SQLite; ``decide`` is pure and fast.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wits_tui.engine.errors import WitsError
from wits_tui.engine.routing.decision import Decision
from wits_tui.engine.routing.domains import GENERAL, Domain, ExampleVocabulary
from wits_tui.engine.routing.words import load_words

if TYPE_CHECKING:
    from wits_tui.engine.backends.base import Backend
    from wits_tui.engine.routing.head import Head
    from wits_tui.engine.routing.registry import ModuleRegistry
    from wits_tui.engine.store.embedding_cache import EmbeddingCache
    from wits_tui.settings import RoutingSettings

log = logging.getLogger("wits.routing")

#: Keyword-only mode: what general scores with no keyword at all (a message matching nothing goes there).
GENERAL_PRIOR = 0.05
#: Keyword-only mode: keyword scores are multiplied by this before the softmax (with
#: routing.temperature, 0.05: an effective temperature of 0.1). Chosen on the tuning sets
#: by the lowest negative log-likelihood (so the confidence tracks how often the answer is
#: right; on tuning.jsonl + tuning_long.jsonl: ECE 0.02, accuracy 88.7%), with GENERAL_PRIOR
#: and ExampleVocabulary.WEIGHT by accuracy. Scripts: see the routing data README.
KEYWORDS_ONLY_SCALE = 0.5
TOP_K = 3
#: The head is used only if it classifies its own examples this well with the backend's vectors.
HEAD_MIN_SELF_ACCURACY = 0.9
#: Example messages per /api/embed request while the bank is embedded.
EMBED_BATCH = 64
#: After an embedding failure, keywords only for this long before trying again.
RETRY_EMBEDDINGS_S = 60.0

KEYWORDS = "keywords"
EMBEDDINGS = "keywords+embeddings"


def _softmax(values: dict[str, float], temperature: float) -> dict[str, float]:
    top = max(values.values())
    exps = {k: math.exp((v - top) / temperature) for k, v in values.items()}
    total = sum(exps.values())
    return {k: e / total for k, e in exps.items()}


@dataclass
class _ExampleIndex:
    matrix: Any  # (n_examples, dim) float32, rows L2-normalised
    owners: list[int]  # row -> domain index
    domain_rows: list[Any] = field(default_factory=list)  # domain index -> row indices
    head: "Head | None" = None  # the trained head, when it fits this model and these domains


class Classifier:
    def __init__(
        self,
        domains: list[Domain],
        registry: "ModuleRegistry",
        settings: "RoutingSettings",
        *,
        backend: "Backend | None" = None,
        cache: "EmbeddingCache | None" = None,
    ) -> None:
        self.domains = domains
        self.registry = registry
        self.settings = settings
        self.backend = backend
        self.cache = cache
        self.vocabulary = ExampleVocabulary(domains)
        self._index: _ExampleIndex | None = None
        self._failed_at: float | None = None
        self._preparing = False  # the bank is being embedded (in the background, in the TUI)
        if not settings.use_embeddings:
            self.embedding_note = "embeddings are off (routing.use_embeddings = false); using keywords only"
        elif backend is None:
            self.embedding_note = "no model server given; using keywords only"
        else:
            self.embedding_note = ""

    # -- thresholds ---------------------------------------------------------
    def threshold(self, domain: Domain) -> float:
        if domain.name in self.settings.thresholds:
            return self.settings.thresholds[domain.name]
        return domain.threshold if domain.threshold is not None else self.settings.default_threshold

    # -- embeddings ---------------------------------------------------------
    def _embeddings_wanted(self) -> bool:
        if not self.settings.use_embeddings or self.backend is None:
            return False
        return self._failed_at is None or time.monotonic() - self._failed_at > RETRY_EMBEDDINGS_S

    def _embedding_failed(self, exc: Exception) -> None:
        self._failed_at = time.monotonic()
        msg, hint = (exc.message, exc.hint) if isinstance(exc, WitsError) else (str(exc), "")
        model = self.settings.embedding_model
        self.embedding_note = f"embeddings unavailable ({msg}); using keywords only" + (f". Fix: {hint}" if hint else f". Fix: `ollama pull {model}`")
        log.info("classifier: %s", self.embedding_note)

    async def prepare(self, progress: Callable[[int, int], None] | None = None) -> bool:
        """Embed the example messages (cache first, then the backend in batches of
        ``EMBED_BATCH``; ``progress(done, total)`` after each). True when the semantic score
        is available. Slow on a fresh home: callers run it off the turn's path."""
        if self._index is not None:
            return True
        if not self._embeddings_wanted():
            return False
        model = self.settings.embedding_model
        from wits_tui.engine.routing.head import bank_of

        texts = list(dict.fromkeys(t for bank in bank_of(self.domains) for t in bank))
        if not texts:
            return False
        self._preparing = True
        try:
            return await self._prepare(model, texts, progress)
        finally:
            self._preparing = False

    async def _prepare(self, model: str, texts: list[str], progress: Callable[[int, int], None] | None) -> bool:
        cached = self.cache.get_many(model, texts) if self.cache is not None else {}
        missing = [t for t in texts if t not in cached]
        total, done = len(texts), len(texts) - len(missing)
        if progress is not None:
            progress(done, total)
        for start in range(0, len(missing), EMBED_BATCH):
            batch = missing[start:start + EMBED_BATCH]
            try:
                vectors = await self.backend.embed(model, batch)  # type: ignore[union-attr]
            except Exception as exc:  # noqa: BLE001 - any failure means: keywords only
                self._embedding_failed(exc)
                return False
            fresh = dict(zip(batch, vectors, strict=True))
            if self.cache is not None:
                self.cache.put_many(model, fresh)
            cached.update(fresh)
            done += len(batch)
            if progress is not None:
                progress(done, total)
        self._build_index(cached)
        self._failed_at, self.embedding_note = None, ""
        return True

    def _build_index(self, vectors: dict[str, list[float]]) -> None:
        from wits_tui.engine.routing.head import bank_of, load_head

        banks = bank_of(self.domains)
        rows = [vectors[t] for bank in banks for t in bank]
        owners = [i for i, bank in enumerate(banks) for _ in bank]
        import numpy as np  # only with embeddings: keyword-only routing never loads numpy (~45 ms)

        matrix = np.asarray(rows, dtype=np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        owner_arr = np.asarray(owners)
        head = load_head()
        if head is not None and not head.fits(self.settings.embedding_model, [d.name for d in self.domains], matrix.shape[1]):
            head = None
        if head is not None:  # the same name may serve other vectors: the head must know its own examples
            order = [head.classes.index(d.name) for d in self.domains]
            predicted = (matrix @ head.weights.T + head.bias).argmax(axis=1)
            if float((predicted == np.asarray(order)[owner_arr]).mean()) < HEAD_MIN_SELF_ACCURACY:
                log.info("classifier: %s embeddings do not match the trained head; using kNN and keywords", self.settings.embedding_model)
                head = None
        self._index = _ExampleIndex(matrix, owners, [np.flatnonzero(owner_arr == i) for i in range(len(self.domains))], head)

    async def embed_message(self, text: str) -> list[float] | None:
        if self._index is None and self._preparing:  # never wait for the bank on a turn: keywords this time
            self.embedding_note = "the example messages are still being embedded; using keywords only"
            return None
        if self._index is None and not await self.prepare():
            return None
        try:
            [vector] = await self.backend.embed(self.settings.embedding_model, [text])  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001
            self._embedding_failed(exc)
            return None
        return vector

    # -- deciding -------------------------------------------------------------
    def _semantic(self, vector: list[float]) -> tuple[dict[str, float], dict[str, float] | None]:
        """(kNN score per domain, the head's logits or None) for a message embedding."""
        assert self._index is not None
        import numpy as np

        v = np.asarray(vector, dtype=np.float32)
        v /= max(float(np.linalg.norm(v)), 1e-12)
        sims = self._index.matrix @ v
        head = self._index.head
        top_k = head.mix.top_k if head is not None else TOP_K
        out = {}
        for i, d in enumerate(self.domains):
            rows = self._index.domain_rows[i]
            if len(rows) == 0:
                out[d.name] = 0.0
                continue
            s = sims[rows]
            k = min(top_k, len(s))
            out[d.name] = float(np.partition(s, len(s) - k)[-k:].mean())
        return out, (head.logits(v) if head is not None else None)

    def _combine(self, kw: dict[str, float], semantic: dict[str, float] | None,
                 logits: dict[str, float] | None, text: str = "") -> tuple[dict[str, float], str]:
        """Each domain's share (softmax) and the method's name."""
        if semantic is None:  # keywords, plus the trained word model (words.py) for the built-in domains
            kw = {n: v + (GENERAL_PRIOR if n == GENERAL else 0.0) for n, v in kw.items()}
            if (words := load_words()) is not None and words.fits(list(kw)):
                wl = words.logits(text)
                return _softmax({n: words.keywords * v + words.weight * wl[n] for n, v in kw.items()}, self.settings.temperature), KEYWORDS
            return _softmax({n: KEYWORDS_ONLY_SCALE * v for n, v in kw.items()}, self.settings.temperature), KEYWORDS
        if logits is not None and self._index is not None and self._index.head is not None:
            mix = self._index.head.mix
            wm = load_words() if mix.words else None
            lexical = wm.logits(text) if wm is not None and wm.fits(list(kw)) else dict.fromkeys(kw, 0.0)
            combined = {n: mix.head * logits[n] + mix.knn * semantic[n] + mix.keywords * kw[n] + mix.words * lexical[n] for n in kw}
            return _softmax(combined, mix.temperature), EMBEDDINGS
        w_kw, w_sem = self.settings.keyword_weight, self.settings.semantic_weight
        combined = {n: w_kw * kw[n] + w_sem * semantic[n] for n in kw}
        return _softmax(combined, self.settings.temperature), EMBEDDINGS

    def keyword_scores(self, text: str) -> dict[str, float]:
        learnt = self.vocabulary.hits(text)
        return {d.name: 1.0 - math.exp(-(d.keyword_hits(text) + learnt[d.name]) / 1.5) for d in self.domains}

    def decide(self, text: str, vector: list[float] | None = None) -> Decision:
        """The decision for ``text`` (with the message's embedding, if there is one). Pure."""
        started = time.perf_counter()
        kw = self.keyword_scores(text)
        semantic, logits = self._semantic(vector) if vector is not None and self._index is not None else (None, None)
        scores, method = self._combine(kw, semantic, logits, text)
        top = max(self.domains, key=lambda d: scores[d.name])
        chosen, fell_back, unsure = top.name, False, scores[top.name] < self.threshold(top)
        if unsure and top.name != GENERAL and any(d.name == GENERAL for d in self.domains):
            chosen, fell_back = GENERAL, True
        return Decision(
            domain=chosen,
            confidence=scores[chosen],
            scores=scores,
            keyword_scores=kw,
            semantic_scores=semantic,
            candidates=self.candidates_for(chosen),
            method=method,
            top_domain=top.name,
            fell_back=fell_back,
            unsure=unsure,
            note="" if semantic is not None else self.embedding_note,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    async def classify(self, text: str) -> Decision:
        """Embed the message when embeddings are available, decide, and (when configured and
        the confidence is low) let a decision model or a chat model settle it."""
        vector = await self.embed_message(text) if self._embeddings_wanted() else None
        decision = self.decide(text, vector)
        from wits_tui.engine.routing.tiebreak import needs_settling, settle

        if needs_settling(self, decision):
            decision = await settle(self, text, decision)
        return decision

    def candidates_for(self, domain: str) -> list[str]:
        """The modules that serve ``domain`` (by name)."""
        return [m.name for m in self.registry.for_domain(domain)]
