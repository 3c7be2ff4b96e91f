"""The training scripts' selection rule: the temperature fit, near-best candidates compared by NLL,
and the fallback the out-of-fold figures apply (benchmarks/train_routing.py)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.train_routing import NEAR_BEST, TEMPERATURES, decided, fit_temperature, near_best, softmax


def _nll(z: np.ndarray, y: np.ndarray, t: float) -> float:
    p = softmax(z / t)
    return float(-np.log(p[np.arange(len(y)), y]).mean())


def test_the_temperature_fit_finds_the_lowest_nll_on_its_grid():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 4, 200)
    z = rng.normal(size=(200, 4)) + 3.0 * np.eye(4)[y]  # informative, but not perfectly
    t, nll = fit_temperature(z, y)
    brute = min(TEMPERATURES, key=lambda tt: _nll(z, y, tt))
    assert t == round(float(brute), 4) and nll == pytest.approx(_nll(z, y, brute), abs=1e-9)
    assert 0.01 < t < 10


def test_near_best_keeps_accurate_candidates_and_prefers_the_better_calibrated_one():
    y = np.array([0, 0, 0, 1, 1, 1, 0, 1])
    sharp = np.where(np.eye(2)[y] == 1, 5.0, 0.0)
    sharp[6] = [0.0, 5.0]  # wrong and very sure
    soft = sharp.copy()
    soft[6] = [0.0, 0.3]  # the same wrong answer, unsure: the same accuracy, a better NLL
    worse = np.zeros_like(sharp)  # always class 0: far less accurate
    scores = {"sharp": sharp, "soft": soft, "worse": worse}

    def accuracy(z: np.ndarray) -> float:
        return 2 * float((z.argmax(axis=1) == y).mean())  # "all + long": the same rows twice here

    rows = near_best([(accuracy(z), name) for name, z in scores.items()], lambda name: scores[name], y)
    assert [r[2] for r in rows] == ["soft", "sharp"]  # "worse" is more than NEAR_BEST below the best
    assert rows[0][0] < rows[1][0] and NEAR_BEST < 2 * 1 / len(y)


def test_the_out_of_fold_figures_fall_back_to_general_below_the_threshold():
    general = 2
    p = np.array([[0.35, 0.33, 0.32], [0.9, 0.05, 0.05], [0.2, 0.2, 0.6]])
    right, fell_back = decided(p, general, np.array([2, 0, 2]))
    assert fell_back.tolist() == [True, False, False] and right.tolist() == [True, True, True]


def test_the_word_models_sparse_rows_give_the_dense_products():
    from benchmarks.train_words import features

    stems = [({"poem", "~write", "@write"}, 3), ({"why", "sky"}, 2), (set(), 0), ({"sky", "poem", "unseen"}, 8)]
    vocab = {"poem": 0, "sky": 1, "why": 2, "~write": 3, "@write": 4}
    rows = features(stems, vocab, floor=4)
    dense = np.zeros((4, 5))
    for i, (ss, n) in enumerate(stems):
        for s in ss & vocab.keys():
            dense[i, vocab[s]] = 1 / np.sqrt(max(n, 4))
    m = np.arange(15, dtype=float).reshape(5, 3)
    g = np.arange(8, dtype=float).reshape(2, 4) - 3
    assert rows.shape == (4, 5)
    assert np.allclose(rows @ m, dense @ m) and np.allclose(g @ rows, g @ dense)


def test_leaving_one_file_out_keeps_each_tuning_file_in_one_fold():
    from benchmarks.train_routing import folds_of
    from tests.engine.routing import evalsets

    rows = evalsets.tuning()
    domains = sorted({r.domain for r in rows})
    y = np.asarray([domains.index(r.domain) for r in rows])
    fold = folds_of(rows, y, "files")
    files = {r.category for r in rows}
    assert len(np.unique(fold)) == len(files) > 1
    for f in np.unique(fold):
        assert len({r.category for r, g in zip(rows, fold) if g == f}) == 1  # a whole file, and only it
    stratified = folds_of(rows, y, "stratified")
    assert len(np.unique(stratified)) == 5
    assert all(len({r.category for r, g in zip(rows, stratified) if g == f}) > 1 for f in range(5))


def test_the_word_pair_exploration_pairs_adjacent_words_and_adjacent_content_stems():
    from benchmarks.explore_words import pairs

    text = "Explain why planes fly. What if wings flapped?"
    words = {"&explain why", "&why plan", "&plan fly", "&fly what", "&what if", "&if wing", "&wing flapp"}
    content = {"%explain plan", "%plan fly", "%fly wing", "%wing flapp"}
    assert pairs(text, True, False) == words and pairs(text, False, True) == content
    assert pairs(text, True, True) == words | content and pairs(text, False, False) == set()
