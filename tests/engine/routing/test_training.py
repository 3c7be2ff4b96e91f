from __future__ import annotations

import asyncio
import json

import pytest

from tests.engine.conftest import CHAT
from tests.fakes.ollama_server import Reply
from tests.test_cli import run as run_cli
from wits_tui.engine.routing.registry import ModuleRegistry
from wits_tui.engine.routing.training import TrainingDataError, read_pairs, similarity, train_module

PAIRS = [{"prompt": f"capital of country {i}?", "completion": f"City {i}"} for i in range(4)]


def jsonl(path, items):
    path.write_text("\n".join(json.dumps(i) if not isinstance(i, str) else i for i in items) + "\n")
    return path


def test_bad_data_is_reported_with_line_numbers(tmp_path):
    path = jsonl(tmp_path / "t.jsonl", [PAIRS[0], "{not json", '["a"]', {"prompt": "x"}, {"prompt": "x", "answer": "y"}, "", PAIRS[1]])
    with pytest.raises(TrainingDataError) as info:
        read_pairs(path)
    text = str(info.value)
    assert str(path) in text
    for expected in ("line 2: not valid JSON", "line 3: expected an object", "line 4: 'completion' must be non-empty",
                     "line 5: unknown key(s) 'answer'"):
        assert expected in text
    with pytest.raises(TrainingDataError, match="no examples"):
        read_pairs(jsonl(tmp_path / "e.jsonl", [""]))
    assert read_pairs(jsonl(tmp_path / "ok.jsonl", PAIRS)) == PAIRS


def test_similarity_is_normalised():
    assert similarity("  City 1. ", "city 1") == 1.0
    assert 0.5 < similarity("City 12", "City 1") < 1.0 and similarity("abc", "xyz") == 0.0


def test_training_creates_a_derived_model_and_scores_validation(engine, server, tmp_path):
    data, val = jsonl(tmp_path / "d.jsonl", PAIRS), jsonl(tmp_path / "v.jsonl", PAIRS[:2] + [{"prompt": "capital of x?", "completion": "Xville"}])
    answers = {"capital of country 0?": "City 0", "capital of country 1?": "city 1.", "capital of x?": "Yburg"}
    server.default_reply(CHAT, lambda req: Reply(text=answers[req["messages"][-1]["content"]]))
    registry = ModuleRegistry.load(engine.settings, engine.paths, engine.store)
    seen = []

    async def go():
        rec = await train_module("base_module", registry=registry, store=engine.store, backend=engine.backend,
                                 data=data, validation=val, on_progress=seen.append)
        await engine.backend.close()
        return rec

    record = asyncio.run(go())
    derived = server.find_model("wits-base-module")
    assert record.derived_model == "wits-base-module:latest" and derived is not None
    assert derived.parent_model.startswith(CHAT) and derived.system.startswith("You are a helpful")
    assert [m["content"] for m in derived.messages][:2] == ["capital of country 0?", "City 0"]
    assert derived.parameters == {"temperature": 0.7}
    v = record.report["validation"]
    assert v["n"] == 3 and v["exact_match"] == round(2 / 3, 4) and v["failures"] == 0
    assert v["mean_similarity"] < 1 and v["items"][2]["answer"] == "Yburg" and v["p50_ms"] is not None
    # validation ran against the derived model, without repeating the baked-in examples
    last = server.requests_to("/api/chat")[-1].body
    assert last["model"] == "wits-base-module:latest" and len(last["messages"]) == 2
    assert {p.stage for p in seen} >= {"validating", "storing", "creating", "evaluating", "done"}
    stored = engine.store.training.get("base_module")
    assert stored.examples == PAIRS and stored.report["validation"]["exact_match"] == v["exact_match"]
    trained = ModuleRegistry.load(engine.settings, engine.paths, engine.store)
    assert trained.model_of("base_module") == "wits-base-module:latest" and "base_module" in trained.training


def test_without_model_creation_the_examples_become_few_shot(engine, server, tmp_path):
    server.remove_model(CHAT)  # create from a missing base fails: reported, few-shot used instead
    registry = ModuleRegistry.load(engine.settings, engine.paths, engine.store)

    async def go():
        rec = await train_module("math_expert", registry=registry, store=engine.store, backend=engine.backend,
                                 data=jsonl(tmp_path / "d.jsonl", PAIRS))
        await engine.backend.close()
        return rec

    record = asyncio.run(go())
    assert record.derived_model is None and record.report["derived_model"].startswith("not created")
    module = ModuleRegistry.load(engine.settings, engine.paths, engine.store).get("math_expert")
    assert [m["content"] for m in module.prompt_messages()[1:3]] == ["capital of country 0?", "City 0"]


def test_cli_train_and_profile(capsys, tmp_path, server, monkeypatch):
    monkeypatch.setenv("WITS_OLLAMA__HOST", server.host)
    monkeypatch.setenv("WITS_CHAT__DEFAULT_MODEL", CHAT)
    bad = jsonl(tmp_path / "bad.jsonl", ['{"prompt": 1, "completion": "x"}'])
    code, _, err = run_cli(capsys, "module", "train", "code_expert", "--data", str(bad))
    assert code == 2 and "line 1: 'prompt' must be non-empty text" in err
    code, out, err = run_cli(capsys, "module", "train", "code_expert", "--data", str(jsonl(tmp_path / "d.jsonl", PAIRS)),
                             "--validation", str(jsonl(tmp_path / "v.jsonl", PAIRS[:1])))
    assert code == 0 and "wits-code-expert:latest" in out and "validation on 1: exact match" in out and "creating" in err
    code, out, _ = run_cli(capsys, "modules", "list")
    assert "wits-code-expert" in out
    code, out, _ = run_cli(capsys, "profile", "show", "--user", "ann")
    assert code == 0 and "no profile for ann" in out
    code, out, _ = run_cli(capsys, "profile", "reset", "--user", "ann", "--yes")
    assert code == 0 and "no profile for ann" in out


def test_a_server_without_create_is_not_reported_as_a_missing_model(engine, server, tmp_path):
    server.missing_paths.add("/api/create")  # an Ollama too old to create models
    server.default_reply(CHAT, lambda req: Reply(text="City 0"))
    registry = ModuleRegistry.load(engine.settings, engine.paths, engine.store)

    async def go():
        rec = await train_module("base_module", registry=registry, store=engine.store, backend=engine.backend,
                                 data=jsonl(tmp_path / "d.jsonl", PAIRS), validation=None, on_progress=lambda p: None)
        await engine.backend.close()
        return rec

    why = asyncio.run(go()).report["derived_model"]
    assert "not installed" not in why and "does not offer this (it answered 404 page not found)" in why
