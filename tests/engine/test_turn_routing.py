"""Routing inside the turn loop: the module's prompt and options reach the model,
the answer is labelled, statistics and the profile are updated."""

from __future__ import annotations

from tests.engine.conftest import CHAT, make_engine
from tests.engine.test_turn import collect
from tests.fakes.ollama_server import Reply
from wits_tui.engine.events import Routed, TurnDone, TurnStarted


def test_a_code_question_goes_to_the_code_module(paths, server):
    server.script(CHAT, Reply(text="def f(): pass", eval_count=3))
    engine = make_engine(paths, server.host, routing=True)
    s = engine.store.sessions.create()
    looked_up: list[int] = []
    engine.router.previous_module = lambda session_id, before_id: looked_up.append(before_id)  # type: ignore[method-assign, func-returns-value]
    events = collect(engine, s.id, "Write a Python function that parses a CSV file and fix the bug in my loop")
    routed = events[0]
    assert isinstance(routed, Routed) and routed.module == "code_expert" and routed.domain == "code"
    assert routed.confidence is not None and routed.reason
    started = next(e for e in events if isinstance(e, TurnStarted))
    done = events[-1]
    assert started.module == done.module == "code_expert" and isinstance(done, TurnDone)
    assert looked_up == []  # the classifier placed it: the previous answer's module is never queried
    body = server.requests_to("/api/chat")[-1].body
    module = engine.router.registry.get("code_expert")
    assert body["messages"][0] == {"role": "system", "content": module.system}
    assert body["messages"][-1]["content"].startswith("Write a Python function")
    for key, value in module.options.items():
        assert body["options"][key] == value
    answer = engine.store.messages.list(s.id)[-1]
    assert answer.module == "code_expert"
    assert engine.store.metrics.for_session(s.id)[-1]["module"] == "code_expert"
    assert engine.store.module_stats.all()["code_expert"].uses == 1
    assert engine.router.profile().interactions == 1
    assert [r.kind for r in engine.store.recordings.for_session(s.id)][:2] == ["user", "routed"]


def test_a_pinned_module_is_used_whatever_the_message(paths, server):
    engine = make_engine(paths, server.host, routing=True)
    s = engine.store.sessions.create()
    engine.store.sessions.pin_module(s.id, "creative_expert")
    looked_up: list[int] = []
    engine.router.previous_module = lambda session_id, before_id: looked_up.append(before_id)  # type: ignore[method-assign, func-returns-value]
    routed = collect(engine, s.id, "Write a Python function that parses a CSV file")[0]
    assert isinstance(routed, Routed) and routed.module == "creative_expert" and routed.pinned
    assert looked_up == []  # the pin decides: no query for the previous answer's module


def test_an_explicit_model_skips_routing(paths, server):
    engine = make_engine(paths, server.host, routing=True)
    s = engine.store.sessions.create()
    events = collect(engine, s.id, "Write a Python function", model=CHAT)
    assert not any(isinstance(e, Routed) for e in events)
    assert server.requests_to("/api/chat")[-1].body["messages"] == [{"role": "user", "content": "Write a Python function"}]


def test_a_follow_up_the_classifier_cannot_place_stays_with_the_previous_module(paths, server):
    server.script(CHAT, Reply(text="Day 1: the Colosseum", eval_count=3), Reply(text="Day 1, for ten", eval_count=3))
    engine = make_engine(paths, server.host, routing=True)
    follow_up = "again but for ten people"
    unsure = engine.router.classifier.decide(follow_up)
    assert unsure.unsure, f"pick another follow-up: the classifier now places this one ({unsure.reason})"
    s = engine.store.sessions.create()
    first = collect(engine, s.id, "Plan a three-day itinerary for Rome with museums in the mornings")[0]
    assert isinstance(first, Routed) and first.module == "planning_expert"
    second = collect(engine, s.id, follow_up)[0]
    assert isinstance(second, Routed) and second.module == "planning_expert" and second.domain == "planning"
    assert "as the previous answer (planning_expert)" in second.reason
    assert server.requests_to("/api/chat")[-1].body["messages"][0]["content"] == engine.router.registry.get("planning_expert").system
