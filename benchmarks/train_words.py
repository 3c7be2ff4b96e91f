"""Train keyword-only routing's word model and choose its place in the keyword-only mix.

    .venv/bin/python -m benchmarks.train_words          # compare, write wits_tui/engine/routing/data/words.json
    .venv/bin/python -m benchmarks.train_words --check  # train again, compare with the shipped file

Data: multinomial logistic regression over the content-word stems of the built-in domains'
examples (domains.toml) and the tuning sets (tests/engine/routing/data/tuning*.jsonl, written for
this purpose). Every setting (regularisation, floor, the weights of keywords and word logits, one factor
on both fitted by negative log-likelihood) is chosen by cross-validation on the tuning sets, one fold per tuning file
(train_routing.folds_of): each tuning message is scored by a model trained without its file; among the candidates within a point of the
best accuracy, the lowest NLL wins (so the confidence tracks how often it is right; train_routing.near_best).
The evaluation sets are never read here. No embeddings: runs in the project's own venv.

Features are 1/sqrt(max(number of stems, floor)) for each stem of the message (so a long message does
not get larger logits just for being long; the floor, chosen by cross-validation, keeps the one or two
words of a short follow-up from weighing like a whole sentence). The features' shape is chosen by cross-validation too
(``SHAPES``, words.word_features): the first sentence's stems (or the first and last sentences'), marked ``^`` (in a long
request the task is usually said first); the first words, function words included, marked ``@``; the function words
content stems leave out (write, why, if, should...), marked ``~``. train_routing reads the shipped word model's settings:
train this first. The features are sparse rows (``Rows``): a dense matrix made the grid ten times slower.
Deterministic: full-batch gradient descent from zeros.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: its threads slow these small products (train_routing)

import argparse
import hashlib
import itertools
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
L2 = (1e-4, 1e-3, 1e-2)
KEYWORDS = (0.0, 0.25, 0.5)  # weight of the keyword scores (KEYWORDS_ONLY_SCALE is 0.5 without the model)
WEIGHT = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)  # weight of the word logits
MIN_COUNT = 2  # stems seen fewer times in the training data are left out (noise, and a smaller file)
#: The features' shapes compared (words.word_features): (lead, opening, function): the first (1) or first and last (2)
#: sentences' stems, the first n words' stems, the function words, as features too.
SHAPES = tuple((lead, opening, function) for lead in (0, 1, 2) for opening in (0, 5) for function in (False, True))
FLOOR = (1, 8)  # features are 1/sqrt(max(stems, floor)): with 8, a two-word message's words do not weigh like a sentence's


def train(x: "Rows", y: np.ndarray, n_classes: int, l2: float, iters: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression (rows have unit length): the routing head's trainer, its own step size."""
    from benchmarks.train_routing import train_head

    return train_head(x, y, n_classes, l2, iters=iters, lr=4.0, decimals=None)


class Rows:
    """A sparse matrix (rows of a few dozen features among thousands) with the two products the trainer
    uses, ``rows @ m`` and ``m @ rows``: the dense matrix made each fit ten times slower."""

    __array_ufunc__ = None  # ``ndarray @ rows`` is left to __rmatmul__

    def __init__(self, row: np.ndarray, col: np.ndarray, value: np.ndarray, shape: tuple[int, int]) -> None:
        self.row, self.col, self.value, self.shape = row, col, value, shape

    def __matmul__(self, m: np.ndarray) -> np.ndarray:  # (n, dim) @ (dim, k)
        return np.stack([np.bincount(self.row, self.value * m[self.col, j], self.shape[0]) for j in range(m.shape[1])], axis=1)

    def __rmatmul__(self, m: np.ndarray) -> np.ndarray:  # (k, n) @ (n, dim)
        return np.stack([np.bincount(self.col, self.value * m[j, self.row], self.shape[1]) for j in range(m.shape[0])])


def features(stems: list[tuple[set[str], int]], vocab: dict[str, int], floor: int) -> Rows:
    """Rows of 1/sqrt(max(stems, floor)) per feature of (features, number of stems) (words.word_features)."""
    row, col, value = [], [], []
    for i, (ss, n) in enumerate(stems):
        for s in sorted(ss & vocab.keys()):
            row.append(i), col.append(vocab[s]), value.append(1.0 / math.sqrt(max(n, floor)))
    return Rows(np.asarray(row, dtype=np.intp), np.asarray(col, dtype=np.intp), np.asarray(value), (len(stems), len(vocab)))


def vocabulary(stems: list[tuple[set[str], int]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ss, _ in stems:
        for s in ss:
            counts[s] = counts.get(s, 0) + 1
    return {s: i for i, s in enumerate(sorted(s for s, c in counts.items() if c >= MIN_COUNT))}


def fit(stems: list[tuple[set[str], int]], y: np.ndarray, n_classes: int, l2: float, floor: int) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    vocab = vocabulary(stems)
    w, b = train(features(stems, vocab, floor), y, n_classes, l2)
    return vocab, w, b


def out_of_fold(bank: list, by: np.ndarray, ts: list, ty: np.ndarray, fold: np.ndarray, n_classes: int, l2: float,
                floor: int) -> np.ndarray:
    """Each tuning message's word logits from a model trained on the examples and the other folds."""
    z = np.zeros((len(ts), n_classes))
    for f in np.unique(fold):
        train_rows = [s for s, keep in zip(ts, fold != f) if keep]
        vocab, w, b = fit(bank + train_rows, np.concatenate([by, ty[fold != f]]), n_classes, l2, floor)
        z[fold == f] = features([s for s, t in zip(ts, fold == f) if t], vocab, floor) @ w.T + b
    return z


def shipped_out_of_fold(domains: list, tuning: list, fold: np.ndarray) -> np.ndarray:
    """Out-of-fold word logits with the shipped word model's settings (words.json): for train_routing's mix."""
    import json

    from wits_tui.engine.routing.words import WORDS_FILE, load_words, word_features

    shipped = load_words()
    assert shipped is not None, f"{WORDS_FILE} is missing: run benchmarks.train_words first"
    shape, floor = (shipped.lead, shipped.opening, shipped.function), shipped.floor
    l2 = json.loads(WORDS_FILE.read_text())["trained_on"]["l2"]  # how it was trained: not part of the model
    classes = [d.name for d in domains]
    bank = [word_features(e, *shape) for d in domains for e in d.examples]
    by = np.asarray([i for i, d in enumerate(domains) for _ in d.examples])
    ty = np.asarray([classes.index(r.domain) for r in tuning])
    return out_of_fold(bank, by, [word_features(r.text, *shape) for r in tuning], ty, fold, len(classes), l2, floor)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def keyword_only_grid(tuning: list) -> None:
    """The keyword-only settings (constants in classifier.py / domains.py), compared on the tuning
    sets: GENERAL_PRIOR and ExampleVocabulary.WEIGHT by accuracy, KEYWORDS_ONLY_SCALE by NLL."""
    import wits_tui.engine.routing.classifier as C
    from wits_tui.engine.routing.domains import ExampleVocabulary, builtin_domains
    from wits_tui.engine.routing.modules import BUILTIN_MODULES
    from wits_tui.engine.routing.registry import ModuleRegistry
    from wits_tui.settings import RoutingSettings

    shipped = (C.GENERAL_PRIOR, ExampleVocabulary.WEIGHT, C.KEYWORDS_ONLY_SCALE)
    print(f"# keyword-only on the tuning sets (shipped: prior {shipped[0]}, vocabulary weight {shipped[1]}, scale {shipped[2]})")
    for prior, weight, scale in itertools.product((0.0, 0.05, 0.1, 0.2), (0.5, 0.8, 1.2), (0.3, 0.5, 0.8)):
        C.GENERAL_PRIOR, ExampleVocabulary.WEIGHT, C.KEYWORDS_ONLY_SCALE = prior, weight, scale
        clf = C.Classifier(list(builtin_domains()), ModuleRegistry({m.name: m for m in BUILTIN_MODULES}, "x"),
                           RoutingSettings(use_embeddings=False))
        ds = [clf.decide(r.text) for r in tuning]
        acc = sum(d.domain == r.domain for d, r in zip(ds, tuning)) / len(tuning)
        nll = -sum(math.log(max(d.scores[r.domain], 1e-9)) for d, r in zip(ds, tuning)) / len(tuning)
        print(f"  prior {prior:<4} weight {weight:<3} scale {scale:<3} accuracy {acc:.1%}  NLL {nll:.3f}")
    C.GENERAL_PRIOR, ExampleVocabulary.WEIGHT, C.KEYWORDS_ONLY_SCALE = shipped


def keyword_scores(domains: list, tuning: list, general_prior: float = 0.0) -> np.ndarray:
    """Each tuning message's keyword scores per domain, general's raised by ``general_prior`` (keyword-only routing
    adds classifier.GENERAL_PRIOR; the mix with embeddings adds none): the keywords' part of a mix."""
    from wits_tui.engine.routing.classifier import Classifier
    from wits_tui.engine.routing.domains import GENERAL
    from wits_tui.engine.routing.modules import BUILTIN_MODULES
    from wits_tui.engine.routing.registry import ModuleRegistry
    from wits_tui.settings import RoutingSettings

    clf = Classifier(domains, ModuleRegistry({m.name: m for m in BUILTIN_MODULES}, "x"), RoutingSettings(use_embeddings=False))
    return np.asarray([[clf.keyword_scores(r.text)[d.name] + (general_prior if d.name == GENERAL else 0.0) for d in domains]
                       for r in tuning])


@dataclass(frozen=True)
class Mixes:
    """The keyword-only mixes compared: each out-of-fold word-logit setting of ``oof`` ((l2, floor, shape) -> logits)
    with each KEYWORDS x WEIGHT weight on it and on the keyword scores ``kw``, softmax at ``temperature``
    (labels ``ty``, which are ``long``). ``main``; benchmarks/explore_words.py with other features."""

    oof: dict[tuple, np.ndarray]
    kw: np.ndarray
    ty: np.ndarray
    long: np.ndarray
    temperature: float

    def chosen(self) -> list[tuple]:
        """The candidates within NEAR_BEST of the best accuracy (all + long) as (NLL, temperature, (l2, floor, shape),
        keywords, words), lowest NLL first: one factor 1/temperature on both weights, fitted by NLL (near_best)."""
        from benchmarks.train_routing import near_best

        candidates = []
        for key, k, wt in itertools.product(self.oof, KEYWORDS, WEIGHT):
            if k or wt:
                pred = (k * self.kw + wt * self.oof[key]).argmax(axis=1)
                candidates.append(((pred == self.ty).mean() + (pred[self.long] == self.ty[self.long]).mean(), key, k, wt))
        return near_best(candidates, lambda lf, k, wt: (k * self.kw + wt * self.oof[lf]) / self.temperature, self.ty)

    def scored(self, r: tuple) -> dict:
        """A chosen row's out-of-fold figures: accuracy (all, long), nll, auroc and which messages are ``right``."""
        from benchmarks.routing_metrics import auroc

        nll, t, key, k, wt = r
        p = softmax((k * self.kw + wt * self.oof[key]) / self.temperature / t)
        right = p.argmax(axis=1) == self.ty
        return {"accuracy": right.mean(), "long": right[self.long].mean(), "nll": nll,
                "auroc": auroc(p.max(axis=1).tolist(), right.tolist()), "right": right}

    def figures(self, r: tuple) -> str:
        nll, t, (l2, floor, shape), k, wt = r
        f = self.scored(r)
        return (f"all {f['accuracy']:.1%}  long {f['long']:.1%}  NLL {nll:.3f}  AUROC {f['auroc']:.3f}"
                f"   l2={l2} floor={floor} (lead, opening, function)={shape} keywords={k} words={wt} x{1 / t:.3f}")


def main(argv: list[str] | None = None) -> int:
    from benchmarks.train_routing import FOLDINGS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="train again and compare with the shipped words.json")
    parser.add_argument("--folds", choices=FOLDINGS, default=FOLDINGS[0], help="how tuning messages are held out (train_routing.folds_of)")
    args = parser.parse_args(argv)

    from benchmarks.routing_metrics import per_set
    from benchmarks.train_routing import tuning_problem
    from wits_tui.engine.routing.classifier import GENERAL_PRIOR
    from wits_tui.engine.routing.words import WORDS_FILE, word_features
    from wits_tui.settings import RoutingSettings

    problem = tuning_problem(args.folds)
    domains, classes, texts, by, tuning = problem.domains, problem.classes, problem.texts, problem.owners, problem.tuning
    ty, long, fold = problem.ty, problem.long, problem.fold
    bank = {shape: [word_features(e, *shape) for e in texts] for shape in SHAPES}
    ts = {shape: [word_features(r.text, *shape) for r in tuning] for shape in SHAPES}
    settings = RoutingSettings(use_embeddings=False)

    print(f"# {len(texts)} examples + {len(tuning)} tuning messages ({long.sum()} long); {len(np.unique(fold))}-fold cross-validation ({args.folds}), "
          f"softmax at routing.temperature {settings.temperature}")
    oof = {}
    for l2, floor, shape in itertools.product(L2, FLOOR, SHAPES):
        oof[l2, floor, shape] = out_of_fold(bank[shape], by, ts[shape], ty, fold, len(classes), l2, floor)
    from benchmarks.train_routing import NEAR_BEST

    mixes = Mixes(oof, keyword_scores(domains, tuning, GENERAL_PRIOR), ty, long, settings.temperature)
    rows = mixes.chosen()
    print(f"# out of fold, the lowest NLL among the {len(rows)} candidates within {NEAR_BEST:.0%} of the best accuracy (all + long)")
    for r in rows[:8]:
        print(f"  {mixes.figures(r)}")
    _, t, (l2, floor, shape), k, wt = rows[0]
    k, wt = round(float(k / t), 4), round(float(wt / t), 4)
    print(f"# chosen: {mixes.figures(rows[0])}")
    print(f"# chosen, out of fold by tuning set: {per_set(mixes.scored(rows[0])['right'].tolist(), [r.category for r in tuning])}")
    vocab, w, b = fit(bank[shape] + ts[shape], np.concatenate([by, ty]), len(classes), l2, floor)
    weights = {s: [round(float(v), 4) for v in w[:, i]] for s, i in vocab.items()}
    digest = hashlib.sha256("\n".join(f"{r.domain}\t{r.text}" for r in tuning).encode()).hexdigest()
    model = {"classes": classes, "bias": [round(float(v), 4) for v in b], "mix": {"keywords": k, "weight": wt, "floor": floor,
                                                                      **dict(zip(("lead", "opening", "function"), shape))},
             "trained_on": {"examples": len(texts), "tuning": len(tuning), "tuning_sha256": digest, "l2": l2, "min_count": MIN_COUNT,
                            "source": "wits_tui/engine/routing/data/domains.toml + tests/engine/routing/data/tuning*.jsonl"},
             "command": "python -m benchmarks.train_words", "weights": weights}
    from benchmarks.train_routing import ship

    return ship(WORDS_FILE, model, args.check, lambda shipped: (
        all(shipped[key] == model[key] for key in ("classes", "mix", "trained_on")) and shipped["weights"].keys() == weights.keys()
        and all(np.allclose(shipped["weights"][s], weights[s], atol=2e-4) for s in weights)
        and np.allclose(shipped["bias"], model["bias"], atol=2e-4)))


if __name__ == "__main__":
    raise SystemExit(main())
