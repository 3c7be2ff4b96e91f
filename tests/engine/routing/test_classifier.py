"""The classifier, measured on a labelled set it was not built from."""

from __future__ import annotations

import asyncio

import pytest

from tests.engine.routing.conftest import EMBED, labelled
from tests.fakes.ollama_server import Reply
from wits_tui.engine.routing.classifier import EMBED_BATCH, Classifier
from wits_tui.engine.routing.domains import build_domains, builtin_domains, content_stems
from wits_tui.engine.routing.head import bank_of
from wits_tui.engine.routing.modules import BUILTIN_MODULES
from wits_tui.engine.routing.registry import ModuleRegistry
from wits_tui.settings import RoutingSettings

DOMAINS = {"code", "math", "creative", "reasoning", "planning", "general"}


def make(settings=None, backend=None, cache=None):
    settings = settings or RoutingSettings()
    reg = ModuleRegistry({m.name: m for m in BUILTIN_MODULES}, "llama3.2:1b")
    return Classifier(build_domains(settings), reg, settings, backend=backend, cache=cache)


def accuracy(classify, rows):
    return sum(classify(r["text"]) == r["domain"] for r in rows) / len(rows)


def test_labelled_set_is_big_enough_and_not_the_classifiers_examples():
    rows = labelled()
    assert len(rows) >= 120
    assert all(sum(r["domain"] == d for r in rows) >= 20 for d in DOMAINS)
    examples = {e.lower().strip() for d in builtin_domains() for e in d.examples}
    assert not {r["text"].lower().strip() for r in rows} & examples
    # and no evaluation message is a near copy of an example (shares 80% of its content words)
    ex_stems = [content_stems(e) for e in examples]
    for r in rows:
        words = content_stems(r["text"])
        assert len(words) < 3 or not any(len(words & e) / len(words) >= 0.8 for e in ex_stems), r["text"]


def test_keyword_only_accuracy_on_the_labelled_set():
    c = make(RoutingSettings(use_embeddings=False))
    acc = accuracy(lambda t: c.decide(t).domain, labelled())
    assert acc >= 0.75, acc


def test_decision_carries_domain_confidence_scores_and_candidates():
    d = make().decide("Fix this Python traceback: KeyError in my dict loop")
    assert d.domain == "code" and d.candidates == ["code_expert"]
    assert set(d.scores) == DOMAINS and abs(sum(d.scores.values()) - 1) < 1e-9
    assert d.confidence == d.scores["code"] and d.method == "keywords" and "code" in d.reason
    assert d.to_dict()["reason"] == d.reason


def test_low_confidence_falls_back_to_general():
    c = make(RoutingSettings(thresholds={d: 0.999 for d in DOMAINS - {"general"}}))
    d = c.decide("a function of the story")  # weak, split signals
    assert d.domain == "general" and d.fell_back and d.top_domain != "general"
    assert "below its threshold" in d.reason and d.candidates == ["base_module"]


def test_the_fallback_reason_never_shows_a_figure_at_the_threshold_it_is_below():
    from dataclasses import replace

    d = make(RoutingSettings(thresholds={d: 0.999 for d in DOMAINS - {"general"}})).decide("a function of the story")
    near = replace(d, scores={**d.scores, d.top_domain: 0.398})  # below a 0.40 threshold
    assert f"best guess {d.top_domain} at 0.39 is below its threshold" in near.reason


def test_custom_domain_from_settings():
    settings = RoutingSettings.model_validate(
        {"domains": {"legal": {"keywords": ["contract", "lawsuit", "tenant rights"], "examples": ["Can my landlord keep the deposit?"]}}}
    )
    c = make(settings)
    d = c.decide("Is this contract clause enforceable in a lawsuit?")
    assert d.domain == "legal" and d.candidates == ["base_module"]


def test_embeddings_through_the_backend_are_cached_once(engine, embed_server):
    rows = labelled()
    c = make(backend=engine.backend, cache=engine.store.embeddings)

    async def go(clf, texts):
        out = [await clf.classify(t) for t in texts]
        await engine.backend.close()
        return out

    decisions = asyncio.run(go(c, [r["text"] for r in rows]))
    assert all(d.method == "keywords+embeddings" and d.semantic_scores is not None for d in decisions)
    acc = sum(d.domain == r["domain"] for d, r in zip(decisions, rows)) / len(rows)
    # hashed (word-overlap) embeddings of the scripted server, not a real model: a lower floor
    assert acc >= 0.75, acc
    n_examples = len({t for bank in bank_of(builtin_domains()) for t in bank})  # the examples and the shipped neighbours
    assert engine.store.embeddings.count(EMBED) == n_examples
    first = [r.body for r in embed_server.requests_to("/api/embed")]
    # the examples in batches of EMBED_BATCH (one request each), then one message per request
    batches = -(-n_examples // EMBED_BATCH)
    assert [len(b["input"]) for b in first[:batches]] == [EMBED_BATCH] * (batches - 1) + [n_examples - EMBED_BATCH * (batches - 1)]
    assert all(len(b["input"]) == 1 for b in first[batches:])
    # a new classifier (a new run) takes the examples from the cache: only the message is embedded
    before = len(first)
    asyncio.run(go(make(backend=engine.backend, cache=engine.store.embeddings), ["hello"]))
    assert [len(r.body["input"]) for r in embed_server.requests_to("/api/embed")[before:]] == [1]


def test_without_an_embedding_model_it_works_on_keywords_and_says_so(engine, server):
    c = make(backend=engine.backend, cache=engine.store.embeddings)

    async def go():
        d = await c.classify("solve 2x + 3 = 9")
        await engine.backend.close()
        return d

    d = asyncio.run(go())
    assert d.domain == "math" and d.method == "keywords"
    assert "embeddings unavailable" in d.note and "using keywords only" in d.note and EMBED in d.note


def test_llm_tiebreak_only_when_unsure_and_bounded(engine, embed_server):
    from tests.engine.conftest import CHAT

    settings = RoutingSettings(llm_tiebreak=True, tiebreak_below=1.0, use_embeddings=False, tiebreak_model=CHAT)
    embed_server.script(CHAT, Reply(text="planning"))
    c = make(settings, backend=engine.backend)

    async def go(text):
        d = await c.classify(text)
        await engine.backend.close()
        return d

    d = asyncio.run(go("compare two approaches to the schedule"))
    assert d.domain == "planning" and d.method.endswith("+llm") and "chosen by" in d.note
    embed_server.script(CHAT, Reply(text="code", first_token_delay=2.0))
    slow = make(settings.model_copy(update={"tiebreak_timeout": 0.2}), backend=engine.backend)
    c = slow
    d = asyncio.run(go("compare two approaches to the schedule"))
    assert not d.method.endswith("+llm") and "no answer in time" in d.note
    # confident decisions never ask
    asked = len(embed_server.requests_to("/api/chat"))
    c = make(settings.model_copy(update={"tiebreak_below": 0.5}), backend=engine.backend)
    d = asyncio.run(go("write a python function that sorts a list of dicts by key"))
    assert d.domain == "code" and len(embed_server.requests_to("/api/chat")) == asked


def test_keyword_only_uses_the_trained_word_model_for_the_built_in_domains_only(monkeypatch):
    import wits_tui.engine.routing.classifier as C
    from wits_tui.engine.routing.words import load_words

    text = "My grandmother turns ninety next month. Could you help me put a few warm sentences together for her card?"
    c = make(RoutingSettings(use_embeddings=False))
    with_words = c.decide(text)
    monkeypatch.setattr(C, "load_words", lambda: None)
    without = c.decide(text)
    assert with_words.keyword_scores == without.keyword_scores  # the keyword scores are the same input
    assert with_words.scores != without.scores and with_words.domain == "creative"
    words = load_words()
    assert words is not None and words.logits(text)["creative"] == max(words.logits(text).values())
    # a user's own domain changes the classes: keywords alone, as before the word model
    monkeypatch.setattr(C, "load_words", load_words)
    custom = make(RoutingSettings.model_validate({"use_embeddings": False, "domains": {"legal": {"keywords": ["contract"]}}}))
    assert not words.fits([d.name for d in custom.domains])
    d = custom.decide(text)
    monkeypatch.setattr(C, "load_words", lambda: None)
    assert custom.decide(text).scores == d.scores


def test_the_embedding_mix_adds_the_word_models_logits_with_its_weight(monkeypatch):
    import numpy as np

    import wits_tui.engine.routing.classifier as C
    from wits_tui.engine.routing.head import Head, Mix
    from wits_tui.engine.routing.words import load_words

    c = make(RoutingSettings(use_embeddings=False))
    names = [d.name for d in c.domains]
    head = Head("all-minilm", tuple(names), np.zeros((len(names), 4), np.float32), np.zeros(len(names), np.float32),
                Mix(1.0, 2.0, 3.0, 0.5, 3, words=0.6), "x")
    c._index = C._ExampleIndex(np.zeros((1, 4), np.float32), [0], [], head)
    text = "Write a short speech for my brother's graduation. He studied chemistry and loves climbing."
    kw = c.keyword_scores(text)
    sem = {n: 0.1 * i for i, n in enumerate(names)}
    logits = {n: 0.3 * (i % 3) for i, n in enumerate(names)}
    words = load_words()
    assert words is not None and words.fits(names)
    wl = words.logits(text)
    scores, method = c._combine(kw, sem, logits, text)
    expected = C._softmax({n: logits[n] + 2.0 * sem[n] + 3.0 * kw[n] + 0.6 * wl[n] for n in names}, 0.5)
    assert method == C.EMBEDDINGS and scores == pytest.approx(expected)
    assert scores != pytest.approx(C._softmax({n: logits[n] + 2.0 * sem[n] + 3.0 * kw[n] for n in names}, 0.5))
    monkeypatch.setattr(C, "load_words", lambda: None)  # no word model: the three scores alone
    assert c._combine(kw, sem, logits, text)[0] == pytest.approx(C._softmax({n: logits[n] + 2.0 * sem[n] + 3.0 * kw[n] for n in names}, 0.5))


def test_the_word_models_lead_features_are_the_first_sentences_stems_marked():
    from wits_tui.engine.routing.domains import content_stems
    from wits_tui.engine.routing.words import word_features

    text = "Write a blog post about our trip. We planned every day of the itinerary!\nThanks for the help."
    stems = content_stems(text)
    assert word_features(text) == (stems, len(stems))
    first, n = word_features(text, 1)
    assert n == len(stems) and first == stems | {"^" + s for s in content_stems("Write a blog post about our trip.")}
    ends, _ = word_features(text, 2)
    assert ends == first | {"^" + s for s in content_stems("Thanks for the help.")}
    assert word_features("Just one sentence here", 2)[0] == word_features("Just one sentence here", 1)[0]


def test_the_word_models_opening_and_function_word_features_see_what_content_stems_leave_out():
    from wits_tui.engine.routing.domains import content_stems
    from wits_tui.engine.routing.words import word_features

    text = "Why would anyone write poems? Explain it, if you can."
    stems = content_stems(text)
    assert "write" not in stems and "why" not in stems  # function words: left out of the content stems
    opening, n = word_features(text, opening=3)
    assert n == len(stems) and opening == stems | {"@why", "@would", "@anyone"}
    function, n = word_features(text, function=True)
    assert n == len(stems) and function == stems | {"~why", "~would", "~write", "~it", "~if", "~you", "~can"}
    both, _ = word_features(text, 1, 2, True)
    assert both == word_features(text, 1)[0] | {"@why", "@would"} | function


def test_content_words_and_tokens_keep_the_order_the_word_pair_features_need():
    from wits_tui.engine.routing.domains import content_stems, content_words
    from wits_tui.engine.routing.words import tokens

    text = "Write a cover letter, then explain why, step by step."
    assert content_words(text) == ["cover", "letter", "explain", "step", "step"]  # in order, repeats kept
    assert set(content_words(text)) == content_stems(text)
    assert tokens(text) == ["write", "a", "cover", "letter", "then", "explain", "why", "step", "by", "step"]


def test_a_word_model_with_function_word_features_reads_its_settings_from_the_file(tmp_path):
    import json

    from wits_tui.engine.routing.words import load_words

    path = tmp_path / "words.json"
    raw = {"classes": ["creative", "general"], "bias": [0.0, 0.0], "weights": {"~write": [1.0, -1.0], "@why": [-1.0, 1.0]},
           "mix": {"keywords": 0.3, "weight": 0.1, "floor": 1, "lead": 0, "opening": 1, "function": True}}
    path.write_text(json.dumps(raw))
    model = load_words(path)
    assert model is not None and (model.opening, model.function) == (1, True)
    assert model.logits("write me a poem")["creative"] > model.logits("write me a poem")["general"]  # "~write" counts
    assert model.logits("why is the sky blue")["general"] > model.logits("why is the sky blue")["creative"]  # "@why" counts
