from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tests.engine.conftest import CHAT
from wits_tui.engine.events import TurnStats
from wits_tui.engine.routing.registry import UnknownModule


def run(router, coro):
    async def go():
        try:
            return await coro
        finally:
            await router.backend.close()

    return asyncio.run(go())


def test_route_classifies_ranks_and_explains(router):
    route = run(router, router.route("Write a Python function that merges two dicts"))
    assert route.module.name == "code_expert" and route.domain == "code" and not route.pinned
    assert route.model == CHAT and route.reason.startswith("code ") and "keywords+embeddings" in route.reason
    assert route.prompt_messages()[0]["role"] == "system" and route.options == {"temperature": 0.2}
    assert route.ranking[0].module == "code_expert" and route.decision.candidates == ["code_expert"]


def test_a_pinned_module_answers_without_classification_calls(router, embed_server):
    s = router.store.sessions.create()
    session = router.pin(s.id, "3")  # by key
    assert session.pinned_module == "creative_expert"
    before = len(embed_server.requests_to("/api/embed"))
    route = run(router, router.route("what is 2+2", pinned=session.pinned_module))
    assert route.pinned and route.module.name == "creative_expert" and route.reason == "pinned" and route.domain == "math"
    assert len(embed_server.requests_to("/api/embed")) == before
    assert router.pin(s.id, "auto").pinned_module is None
    with pytest.raises(UnknownModule):
        router.pin(s.id, "nope")


def test_session_model_is_used_by_modules_without_their_own(router):
    route = run(router, router.route("hello there", session_model="qwen2.5:3b"))
    assert route.module.name == "base_module" and route.model == "qwen2.5:3b"


def test_switch_pins_and_prewarms(router, embed_server):
    embed_server.add_model("mathy:7b", load_ms=300)
    from wits_tui.engine.routing.modules import BUILTIN_MODULES
    from wits_tui.engine.routing.registry import ModuleRegistry

    mods = {m.name: m for m in BUILTIN_MODULES}
    mods["math_expert"] = dataclasses.replace(mods["math_expert"], model="mathy:7b")
    router.registry = ModuleRegistry(mods, CHAT)
    s = router.store.sessions.create()
    session, warm = run(router, router.switch(s.id, "math_expert"))
    assert session.pinned_module == "math_expert" and warm.model == "mathy:7b" and not warm.already_loaded
    assert "mathy:7b" in embed_server.loaded
    entries = run(router, router.modules(with_loaded=True))
    assert next(e for e in entries if e.name == "math_expert").loaded is True
    assert [e.key for e in entries][:6] == list("123456")


def test_record_turn_updates_stats_and_profile_and_feedback(router):
    route = run(router, router.route("Plan a weekend of hiking with my kids"))
    stats = TurnStats(ttft_ms=50, total_ms=1500, eval_tokens=30, load_duration_ms=900, eval_duration_ms=400)
    router.record_turn(route, "Plan a weekend of hiking with my kids", model=route.model, stats=stats)
    router.record_turn(route, "Plan a weekend of hiking", model=route.model, stats=stats, status="interrupted")
    st = router.store.module_stats.get("planning_expert")
    assert st.uses == 1 and st.load_count == 1 and st.eval_tokens == 30
    p = router.profile()
    assert p.interactions == 2 and p.domain_prefs == {"planning": 2} and p.topics["hiking"] == 2 and "kids" in p.topics
    p = router.feedback("good", module="planning_expert")
    p = router.feedback("-", module="planning_expert")
    p = router.feedback("bad", module="planning_expert")
    assert (p.feedback_positive, p.feedback_negative) == (1, 2) and p.module_prefs["planning_expert"] == -1
    with pytest.raises(ValueError, match="use good, bad or neutral"):
        router.feedback("great", module=None)
    assert router.reset_profile() and router.profile().interactions == 0


def _unsure_about_code(router):
    """Code's threshold above any confidence: a code question falls back to general."""
    router.classifier.settings = router.classifier.settings.model_copy(update={"thresholds": {"code": 1.01}})


def test_a_message_the_classifier_cannot_place_stays_with_the_previous_answers_module(router):
    _unsure_about_code(router)
    text = "Write a Python function that merges two dicts"
    alone = run(router, router.route(text))
    assert alone.module.name == "base_module" and alone.decision.fell_back and alone.decision.top_domain == "code"
    route = run(router, router.route(text, previous=lambda: "code_expert"))
    assert route.module.name == "code_expert" and route.domain == "code" and not route.pinned
    assert route.reason.startswith("code, as the previous answer (code_expert): best guess code at ")
    assert route.confidence == route.decision.scores["code"] and route.model == CHAT
    assert route.prompt_messages() == router.registry.get("code_expert").prompt_messages()


def test_a_message_general_wins_below_its_threshold_stays_with_the_previous_answers_module(router):
    text = "Why is the sky blue?"
    sure = run(router, router.route(text, previous=lambda: "code_expert"))
    assert sure.domain == "general" and not sure.decision.fell_back  # general, above its threshold: routed as usual
    router.classifier.settings = router.classifier.settings.model_copy(update={"thresholds": {"general": 1.01}})
    route = run(router, router.route(text, previous=lambda: "code_expert"))
    assert route.module.name == "code_expert" and route.domain == "code" and not route.decision.fell_back
    assert route.reason.startswith("code, as the previous answer (code_expert): best guess general at ")
    assert run(router, router.route(text)).module.name == "base_module"  # a first question: nothing to stay with


def test_a_confident_message_or_a_gone_module_is_routed_as_usual(router):
    confident = run(router, router.route("Write a Python function that merges two dicts", previous=lambda: "creative_expert"))
    assert confident.module.name == "code_expert" and not confident.decision.fell_back
    _unsure_about_code(router)
    for previous in ("no_such_module", "base_module", None):
        route = run(router, router.route("Write a Python function that merges two dicts", previous=lambda name=previous: name))
        assert route.module.name == "base_module" and route.domain == "general", previous


def test_the_previous_module_is_the_last_answer_before_the_question(router):
    store = router.store
    s = store.sessions.create()
    first = store.messages.append(s.id, "user", "plan a trip")
    assert router.previous_module(s.id, first.id) is None
    store.messages.append(s.id, "assistant", "Day 1...", module="planning_expert")
    store.messages.append(s.id, "user", "again")
    store.messages.append(s.id, "assistant", "", status="interrupted")  # stopped before it began: no module
    question = store.messages.append(s.id, "user", "again but for ten people")
    assert router.previous_module(s.id, question.id) == "planning_expert"
