"""Settling low-confidence decisions: a decision model (/v1/systemone) when configured,
otherwise a chat model answering in a JSON schema."""

from __future__ import annotations

import asyncio
import json

import ollama
import pytest

from tests.engine.conftest import CHAT
from tests.engine.routing.test_classifier import DOMAINS, make
from tests.fakes.ollama_server import Reply
from wits_tui.settings import RoutingSettings

DECIDER = "decider:1b"


@pytest.fixture
def decider(server):
    server.add_model(DECIDER)
    return server


def classify(engine, clf, text):
    async def go():
        try:
            return await clf.classify(text)
        finally:
            await engine.backend.close()

    return asyncio.run(go())


def settings(**kw: object) -> RoutingSettings:
    return RoutingSettings.model_validate({"use_embeddings": False, "decision_model": DECIDER, "tiebreak_below": 1.0, **kw})


def test_a_low_confidence_message_is_settled_by_a_choice_question_over_every_domain(engine, decider):
    decider.script_choice(DECIDER, {"general": 0.7, "reasoning": 0.2, "creative": 0.1})
    d = classify(engine, make(settings(), backend=engine.backend), "what do you make of the stages of life?")
    assert d.domain == "general" and d.method == "keywords+decision" and d.confidence == pytest.approx(0.7)
    assert d.scores["general"] == pytest.approx(0.7) and d.candidates == ["base_module"]
    assert f"decision model {DECIDER}" in d.note and not d.fell_back
    [req] = decider.requests_to("/v1/systemone")
    question = req.body["questions"]["choice"]
    assert req.body["model"] == DECIDER and "stages of life" in req.body["state"]
    assert question["type"] == "choice" and set(question["criteria"]) == DOMAINS
    assert all(desc for desc in question["criteria"].values())  # the domains' descriptions


def test_a_settled_message_counts_as_placed_even_at_a_low_probability(engine, decider):
    # Settled means placed: a follow-up the decision model answered does not stay with the previous module.
    decider.script_choice(DECIDER, {"general": 0.3, "reasoning": 0.25, "creative": 0.2, "code": 0.1, "math": 0.1, "planning": 0.05})
    d = classify(engine, make(settings(), backend=engine.backend), "again but for ten people")
    assert d.domain == "general" and d.confidence == pytest.approx(0.3) and d.method == "keywords+decision"
    assert not d.fell_back and not d.unsure


def test_confident_messages_never_ask_and_a_silent_decision_model_is_bounded(engine, decider):
    clf = make(settings(tiebreak_below=0.5), backend=engine.backend)
    d = classify(engine, clf, "write a python function that sorts a list of dicts by key")
    assert d.domain == "code" and not decider.requests_to("/v1/systemone")
    decider.hang_paths.add("/v1/systemone")
    clf = make(settings(tiebreak_timeout=0.3), backend=engine.backend)
    d = classify(engine, clf, "hmm, what about that")
    assert "+decision" not in d.method and f"decision model {DECIDER} gave no answer in time" in d.note
    assert len(decider.requests_to("/v1/systemone")) == 1


def test_an_unknown_decision_model_leaves_the_decision_with_a_note(engine, server):
    d = classify(engine, make(settings(), backend=engine.backend), "tell me something")
    assert "+decision" not in d.method and "gave no answer" in d.note


def test_chat_tiebreak_asks_for_a_json_schema_answer(engine, server):
    server.script(CHAT, Reply(text=json.dumps({"domain": "reasoning"})))
    s = RoutingSettings(use_embeddings=False, llm_tiebreak=True, tiebreak_below=1.0, tiebreak_model=CHAT)
    d = classify(engine, make(s, backend=engine.backend), "compare two approaches to the schedule")
    assert d.domain == "reasoning" and d.method.endswith("+llm")
    [req] = server.requests_to("/api/chat")
    schema = req.body["format"]
    assert schema["required"] == ["domain"] and len(schema["properties"]["domain"]["enum"]) == 3
    assert "reasoning" in schema["properties"]["domain"]["enum"]


def test_the_scripted_server_speaks_systemone_like_the_client_expects(decider):
    client = ollama.Client(host=decider.host)
    criteria = {"yes": "it is", "no": "it is not"}
    r = client.systemone(DECIDER, "state", {"q": {"type": "choice", "instructions": "pick", "criteria": criteria}})
    assert r.answers["q"].choice in criteria and r.answers["q"].probabilities == {"yes": 0.5, "no": 0.5}
    decider.script_choice(DECIDER, {"no": 3.0, "yes": 1.0})
    r = client.systemone(DECIDER, "state", {"q": {"type": "choice", "instructions": "pick", "criteria": criteria}})
    assert r.answers["q"].choice == "no" and r.answers["q"].confidence == pytest.approx(0.75)
    with pytest.raises(ollama.ResponseError) as err:
        client.systemone("nope", "state", {"q": {"type": "choice", "instructions": "pick", "criteria": criteria}})
    assert err.value.status_code == 404
