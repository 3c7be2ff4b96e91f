"""Exploration (not shipped): do word-pair features help keyword-only routing's word model?

    .venv/bin/python -m benchmarks.explore_words [W0 W1 W2 W3]

What a request asks for is often in two adjacent words ("write a", "how does", "what if", "step by", "cover
letter", "explain why") that single stems miss. Each variant adds pair features to the shipped word features
(words.word_features with the shape in words.json: lead 2, opening 5, function words) of the examples and the
tuning messages alike, and goes through train_words' own selection unchanged (``out_of_fold``, ``Mixes``: the
L2 x FLOOR grid, the KEYWORDS x WEIGHT mix, the near-best rule, one factor fitted by NLL, one fold per tuning
file). A pair is a feature like any other: 1/sqrt(max(n, floor)) with n still the number of content stems, kept
when seen at least MIN_COUNT times. Nothing is written.

- W0: the shipped features (must choose what words.json ships, with train_words' figures)
- W1: + adjacent pairs of all the message's words (function words included, each stemmed), marked ``&``
- W2: + adjacent pairs of its content-word stems (domains.content_words), marked ``%``
- W3: W1 + W2

Pairs run over the whole message (across sentence ends). The rule, fixed before any run: a variant is adopted
only if its chosen candidate's out-of-fold accuracy (all messages) is at least 0.5 points above W0's and its NLL
is not higher than W0's; if several pass, the highest accuracy (all), a tie going to the lower NLL; if none
passes, nothing is built. Session 10's run: none passed (tests/engine/routing/data/README.md has the figures).

Only tuning data is read (tests/engine/routing/data/tuning*.jsonl), never the evaluation sets.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import itertools
import json
import sys
import time

from benchmarks.train_routing import tuning_problem
from benchmarks.train_words import FLOOR, L2, Mixes, keyword_scores, out_of_fold, vocabulary

#: variant -> (pairs of all words, pairs of content stems)
VARIANTS = {"W0": (False, False), "W1": (True, False), "W2": (False, True), "W3": (True, True)}
GAIN = 0.005  # the rule: at least this much above W0's accuracy (all), and no higher NLL


def pairs(text: str, words: bool, content: bool) -> set[str]:
    """The message's adjacent word pairs: of all its words (stemmed), marked ``&``; of its content stems, ``%``."""
    from wits_tui.engine.routing.domains import content_words, stem
    from wits_tui.engine.routing.words import tokens

    out = set()
    if words:
        w = [stem(t) for t in tokens(text)]
        out |= {f"&{a} {b}" for a, b in zip(w, w[1:])}
    if content:
        c = content_words(text)
        out |= {f"%{a} {b}" for a, b in zip(c, c[1:])}
    return out


def main(argv: list[str] | None = None) -> int:
    from benchmarks.routing_metrics import per_set
    from wits_tui.engine.routing.classifier import GENERAL_PRIOR
    from wits_tui.engine.routing.words import WORDS_FILE, load_words, word_features
    from wits_tui.settings import RoutingSettings

    variants = (argv if argv is not None else sys.argv[1:]) or list(VARIANTS)
    shipped = load_words()
    assert shipped is not None, f"{WORDS_FILE} is missing"
    shape = (shipped.lead, shipped.opening, shipped.function)
    p = tuning_problem()
    kw = keyword_scores(p.domains, p.tuning, GENERAL_PRIOR)
    temperature = RoutingSettings(use_embeddings=False).temperature
    sets = [r.category for r in p.tuning]
    print(f"# {len(p.texts)} examples + {len(p.tuning)} tuning messages ({p.long.sum()} long); {len(set(p.fold))}-fold "
          f"cross-validation (files); shape (lead, opening, function) {shape}; softmax at routing.temperature {temperature}")

    def featured(text: str, v: str) -> tuple[set[str], int]:
        f, n = word_features(text, *shape)
        return f | pairs(text, *VARIANTS[v]), n

    table = {}
    for v in variants:
        start = time.monotonic()
        bank = [featured(t, v) for t in p.texts]
        ts = [featured(r.text, v) for r in p.tuning]
        oof = {(l2, floor, shape): out_of_fold(bank, p.owners, ts, p.ty, p.fold, len(p.classes), l2, floor)
               for l2, floor in itertools.product(L2, FLOOR)}
        mixes = Mixes(oof, kw, p.ty, p.long, temperature)
        rows = mixes.chosen()
        f = mixes.scored(rows[0])
        nll, t, (l2, floor, _), k, wt = rows[0]
        table[v] = f, len(vocabulary(bank + ts)), time.monotonic() - start
        print(f"\n## {v}: {len(rows)} candidates near the best; the lowest NLL first")
        for r in rows[:4]:
            print(f"  {mixes.figures(r)}")
        print(f"# {v} chosen: {mixes.figures(rows[0])}")
        print(f"# {v} chosen, by tuning set: {per_set(f['right'].tolist(), sets)}")
        print(f"# {v}: vocabulary {table[v][1]} features; {table[v][2]:.0f} s", flush=True)
        if v == "W0":
            trained = json.loads(WORDS_FILE.read_text())["trained_on"]["l2"]
            same = (l2, floor, round(float(k / t), 4), round(float(wt / t), 4)) == (trained, shipped.floor, shipped.keywords, shipped.weight)
            print(f"# W0 {'chooses' if same else 'does NOT choose'} the shipped settings (words.json)")

    print("\n| variant | accuracy all | long | NLL | AUROC | vocabulary | time |\n|---|---|---|---|---|---|---|")
    for v, (f, size, seconds) in table.items():
        print(f"| {v} | {f['accuracy']:.1%} | {f['long']:.1%} | {f['nll']:.3f} | {f['auroc']:.3f} | {size} | {seconds:.0f} s |")
    if "W0" in table:
        base = table["W0"][0]
        passed = [v for v, (f, _, _) in table.items() if v != "W0" and f["accuracy"] >= base["accuracy"] + GAIN and f["nll"] <= base["nll"]]
        best = min(passed, key=lambda v: (-table[v][0]["accuracy"], table[v][0]["nll"]), default=None)
        print(f"# the rule (accuracy all >= W0's + {GAIN:.1%}, NLL <= W0's): passed {passed or 'none'}; adopted: {best or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
