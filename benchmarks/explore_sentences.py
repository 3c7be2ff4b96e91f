"""Exploration (not shipped): does a sentence-level message representation help the head and kNN?

    HF_HUB_OFFLINE=1 python -m benchmarks.explore_sentences [B V1 V2 V3 V4]

Real requests are paragraphs where the topic dominates a whole-text mean-pooled embedding while the task
sits in one sentence. Each variant replaces the representation the head and kNN see (the examples in the
bank and the tuning messages alike), and goes through train_routing's selection unchanged (``select``:
the same grid, the same near-best rule, the same files folds); the keywords and the word model are as
shipped. Nothing is written but the embedding cache.

- B: the whole text's embedding (what ships: must reproduce train_routing's figures)
- V1: the mean of the sentences' unit embeddings, renormalised (one sentence: the whole text's)
- V2: [whole text, mean of sentences] / sqrt(2)
- V3: [whole text, last sentence] / sqrt(2)
- V4: [whole text, first sentence] / sqrt(2)

Only tuning data is read (tests/engine/routing/data/tuning*.jsonl), never the evaluation sets.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import re
import sys
import time

import numpy as np

from benchmarks.train_routing import embed, select, tuning_problem

MAX_SENTENCES = 8
VARIANTS = ("B", "V1", "V2", "V3", "V4")


def sentences(text: str) -> list[str]:
    """Split on newlines and on . ! ? followed by whitespace; empty pieces dropped; more than
    MAX_SENTENCES: the first MAX_SENTENCES - 1 and the last."""
    out = [s.strip() for line in text.splitlines() for s in re.split(r"(?<=[.!?])\s+", line)]
    out = [s for s in out if s]
    if len(out) > MAX_SENTENCES:
        out = out[: MAX_SENTENCES - 1] + out[-1:]
    return out or [text]


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def representations(texts: list[str], vec: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each variant's rows for ``texts`` (``vec``: text -> unit embedding, sentences included)."""
    whole = np.stack([vec[t] for t in texts])
    split = [sentences(t) for t in texts]
    mean = unit(np.stack([vec[t] if len(s) == 1 else np.mean([vec[x] for x in s], axis=0) for t, s in zip(texts, split)]))
    first = np.stack([vec[t] if len(s) == 1 else vec[s[0]] for t, s in zip(texts, split)])
    last = np.stack([vec[t] if len(s) == 1 else vec[s[-1]] for t, s in zip(texts, split)])
    pair = lambda other: np.hstack([whole, other]) / np.sqrt(2)  # noqa: E731
    return {"B": whole, "V1": mean, "V2": pair(mean), "V3": pair(last), "V4": pair(first)}


def main(argv: list[str] | None = None) -> int:
    variants = (argv if argv is not None else sys.argv[1:]) or list(VARIANTS)
    problem = tuning_problem()
    texts, tuning = problem.texts, problem.tuning
    lexical = problem.lexical()

    everything = texts + [r.text for r in tuning]
    pieces = list(dict.fromkeys(everything + [s for t in everything for s in sentences(t)]))
    vec = dict(zip(pieces, embed(pieces)))
    multi = [len(sentences(t)) for t in everything]
    print(f"# {len(texts)} examples, {len(tuning)} tuning messages; sentences per text: "
          f"examples mean {np.mean(multi[:len(texts)]):.2f}, tuning mean {np.mean(multi[len(texts):]):.2f}, "
          f"tuning with more than one {np.mean(np.asarray(multi[len(texts):]) > 1):.1%}")
    bank, tq = representations(texts, vec), representations([r.text for r in tuning], vec)
    table = []
    for v in variants:
        start = time.monotonic()
        print(f"\n## {v} (dimension {bank[v].shape[1]})", flush=True)
        row, f = select(bank[v], problem.owners, tq[v], problem.ty, problem.fold, problem.long, lexical, problem.classes,
                        [r.category for r in tuning])
        nll, t, l2, data, k, nb, a, b, c, e = row
        table.append((v, f, f"head={a} knn={b} kw={c} words={e}xkw t={t}; l2={l2} on {data}; k={k} over {nb}"))
        print(f"# {v}: {time.monotonic() - start:.0f} s", flush=True)
    print("\n| variant | accuracy all | long | NLL | AUROC | fallback | chosen mix |\n|---|---|---|---|---|---|---|")
    for v, f, mix in table:
        print(f"| {v} | {f['accuracy']:.1%} | {f['long']:.1%} | {f['nll']:.3f} | {f['auroc']:.3f} | {f['fallback']:.1%} | {mix} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
