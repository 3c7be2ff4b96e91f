"""The classifier's data: built-in domains as data, the trained head in sync with them, the
evaluation sets kept apart from the examples."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.engine.routing import evalsets
from tests.engine.routing.conftest import EMBED
from wits_tui.engine.routing.classifier import Classifier
from wits_tui.engine.routing.domains import DATA_FILE, builtin_domains, check_builtin_file, content_stems
from wits_tui.engine.routing.head import HEAD_FILE, NEIGHBOURS_FILE, bank_of, examples_digest, load_head, load_neighbours
from wits_tui.engine.routing.modules import BUILTIN_MODULES
from wits_tui.engine.routing.registry import ModuleRegistry
from wits_tui.settings import RoutingSettings


def test_builtin_domains_come_from_the_data_file_with_the_user_domain_schema(tmp_path):
    """builtin_domains() reads data/domains.toml without validating it (no pydantic on keyword-only
    routing's path): it is validated here."""
    check_builtin_file()
    names = [d.name for d in builtin_domains()]
    assert names == ["code", "math", "creative", "reasoning", "planning", "general"]
    assert all(d.description and d.keywords and len(d.examples) >= 60 for d in builtin_domains())
    bad = tmp_path / "domains.toml"
    bad.write_text('[domains.code]\ndescription = "x"\nkeywords = "not a list"\n')
    with pytest.raises(ValueError, match="keywords"):
        check_builtin_file(bad)
    bad.write_text('[domains.code]\ndescription = "x"\nexamplez = []\n')
    with pytest.raises(ValueError, match="examplez"):
        check_builtin_file(bad)


def test_the_shipped_head_was_trained_on_the_shipped_examples():
    head = load_head()
    assert head is not None, f"{HEAD_FILE} is missing: run benchmarks/train_routing.py"
    assert head.examples_sha256 == examples_digest(builtin_domains()), (
        "domains.toml changed since head.json was trained: run `HF_HUB_OFFLINE=1 .venv-bench/bin/python -m benchmarks.train_routing`"
    )
    raw = json.loads(HEAD_FILE.read_text())
    assert raw["model"] == "all-minilm" and head.classes == tuple(d.name for d in builtin_domains())
    assert "tuning" in raw["trained_on"]["selected_on"] and "heldout" not in raw["trained_on"]["selected_on"]


def test_tuning_sets_are_not_the_classifiers_examples():
    examples = {e.lower().strip() for d in builtin_domains() for e in d.examples}
    long = [r for r in evalsets.tuning() if r.category == "long"]
    assert len(long) >= 100 and not {r.text.lower().strip() for r in long} & examples


def test_real_world_set_is_mapped_and_not_copied_into_the_examples():
    rows = evalsets.realworld()
    if rows is None:
        pytest.skip(evalsets.REALWORLD_MISSING)
    assert len(rows) == 218 and {r.domain for r in rows} <= {d.name for d in builtin_domains()}
    ex_stems = [content_stems(e) for d in builtin_domains() for e in d.examples]
    for r in rows:
        words = content_stems(r.text)
        assert len(words) < 3 or not any(len(words & e) / len(words) >= 0.8 for e in ex_stems), r.text[:80]
    shipped = DATA_FILE.read_text() + HEAD_FILE.read_text()
    assert not any(r.text[:60] in shipped for r in rows)


def test_examples_are_embedded_in_batches_with_progress_and_the_head_checks_its_vectors(engine, embed_server):
    reg = ModuleRegistry({m.name: m for m in BUILTIN_MODULES}, "llama3.2:1b")
    clf = Classifier(list(builtin_domains()), reg, RoutingSettings(embedding_model=EMBED), backend=engine.backend, cache=engine.store.embeddings)
    seen: list[tuple[int, int]] = []

    async def go() -> bool:
        ok = await clf.prepare(progress=lambda done, total: seen.append((done, total)))
        await engine.backend.close()
        return ok

    assert asyncio.run(go())
    total = len({e for d in builtin_domains() for e in d.examples} | {t for texts in load_neighbours().values() for t in texts})
    assert total > len({e for d in builtin_domains() for e in d.examples})  # the shipped neighbours are embedded too
    assert seen[0] == (0, total) and seen[-1] == (total, total) and len(seen) >= 3
    assert [a for a, _ in seen] == sorted(a for a, _ in seen)
    # the scripted server's hashed vectors are not MiniLM's: the head notices and stays out
    d = clf.decide("write a haiku about rain", [0.0] * 383 + [1.0])
    assert d.method == "keywords+embeddings" and clf._index is not None and clf._index.head is None


def _tuning_digest() -> str:
    import hashlib

    return hashlib.sha256("\n".join(f"{r.domain}\t{r.text}" for r in evalsets.tuning()).encode()).hexdigest()


def test_the_shipped_word_model_and_head_were_trained_on_the_current_tuning_sets():
    from wits_tui.engine.routing.words import WORDS_FILE, load_words

    words = load_words()
    assert words is not None and words.classes == tuple(d.name for d in builtin_domains())
    for path, command in ((WORDS_FILE, "python -m benchmarks.train_words"), (HEAD_FILE, "python -m benchmarks.train_routing"),
                          (NEIGHBOURS_FILE, "python -m benchmarks.train_routing")):
        raw = json.loads(path.read_text())
        trained_on = raw.get("trained_on", raw)  # neighbours.json: at the top
        assert trained_on.get("tuning_sha256", _tuning_digest()) == _tuning_digest(), (
            f"the tuning sets changed since {path.name} was trained: run `{command}`")


def test_the_tuning_sets_the_models_learn_from_are_no_near_copies_of_an_evaluation_message():
    """The head and the word model train on the tuning sets: an evaluation message that is a near copy
    (80% of its content words) of a tuning message would be measured on what was learnt."""
    tuning = [content_stems(r.text) for r in evalsets.tuning()]
    sets = {"held-out": evalsets.heldout(), "real-world": evalsets.realworld() or []}
    for name, rows in sets.items():
        close = [i for i, r in enumerate(rows)
                 if len(w := content_stems(r.text)) >= 3 and any(len(w & t) / len(w) >= 0.8 for t in tuning)]
        assert not close, f"{len(close)} {name} messages are near copies of tuning messages (indexes {close})"



def test_the_shipped_neighbours_are_the_tuning_messages_and_join_only_unchanged_builtin_domains():
    """neighbours.json (written by train_routing when cross-validation prefers the tuning messages as kNN
    neighbours) holds exactly the tuning sets, by domain; a user's domain named like a built-in one keeps
    only its own examples."""
    neighbours = load_neighbours()
    tuning = evalsets.tuning()
    assert {n: sorted(t) for n, t in neighbours.items() if t} == {
        n: sorted(r.text for r in tuning if r.domain == n) for n in {r.domain for r in tuning}}
    builtin = list(builtin_domains())
    banks = bank_of(builtin)
    assert [len(b) for b in banks] == [len(d.examples) + len(neighbours.get(d.name, ())) for d in builtin]
    from wits_tui.engine.routing.domains import Domain

    mine = Domain("code", "my code", keywords=("rust",), examples=("write a borrow checker",))
    assert bank_of([mine, builtin[1]]) == [("write a borrow checker",), banks[1]]
