from __future__ import annotations

import asyncio

from wits_tui.engine.routing.modules import Module
from wits_tui.engine.routing.optimizer import prewarm, query_complexity, rank
from wits_tui.engine.store.module_stats import ModuleStat

FAST = Module(name="code_fast", domains=["code"], model="small:1b", strength=0.3)
STRONG = Module(name="code_strong", domains=["code"], model="big:70b", strength=0.95)


def ranked(text, loaded=(), stats=None, prefs=None):
    return [r.module for r in rank([FAST, STRONG], complexity=query_complexity(text), model_of=lambda m: m.model,
                                   stats=stats or {}, loaded=set(loaded), preferences=prefs)]


def test_complexity_grows_with_length_parts_code_and_signals():
    short = query_complexity("what is a tuple?")
    long = query_complexity("Explain why this design is slow and compare three alternatives step by step.\n"
                            "```python\nfor x in xs:\n    ys.append(f(x))\n```\n" + "Consider memory and latency. " * 20)
    assert 0 <= short < 0.3 < 0.7 < long <= 1


def test_short_questions_favour_fast_loaded_models_and_long_ones_strong_modules():
    stats = {"code_fast": ModuleStat("code_fast", "small:1b", uses=5, total_ms=5 * 800.0),
             "code_strong": ModuleStat("code_strong", "big:70b", uses=5, load_count=2, total_load_ms=2 * 9000.0,
                                       total_ms=5 * 9000.0 + 18000.0)}
    assert ranked("what is a tuple?", loaded={"small:1b"}, stats=stats)[0] == "code_fast"
    hard = "Design and implement a lock-free queue in C++, explain why it is correct, analyse the trade-offs in detail. " * 6
    assert ranked(hard, loaded={"small:1b"}, stats=stats)[0] == "code_strong"


def test_a_loaded_model_wins_when_scores_are_close_and_preferences_count():
    twin = Module(name="code_twin", domains=["code"], model="twin:1b", strength=0.3)
    order = rank([FAST, twin], complexity=0.1, model_of=lambda m: m.model, stats={}, loaded={"twin:1b"})
    assert order[0].module == "code_twin" and order[0].loaded
    assert ranked("what is a tuple?", prefs={"code_strong": 6.0})[0] == "code_strong"


def test_stats_are_recorded_per_module(store):
    store.module_stats.record("code_expert", "m", load_ms=2500, eval_ms=400, total_ms=3100, eval_tokens=40)
    st = store.module_stats.record("code_expert", "m", load_ms=3, eval_ms=500, total_ms=700, eval_tokens=50)
    assert st.uses == 2 and st.load_count == 1 and st.avg_load_ms == 2500
    assert st.avg_total_ms == (3800 - 2500) / 2 and st.tokens_per_s == 90 / 0.9
    assert store.module_stats.all().keys() == {"code_expert"}


def test_prewarm_loads_a_cold_model_so_the_next_answer_does_not_wait(engine, server):
    server.add_model("cold:7b", load_ms=400)

    async def go():
        warm = await prewarm(engine.backend, "cold:7b")
        again = await prewarm(engine.backend, "cold:7b")
        async for chunk in engine.backend.chat("cold:7b", [{"role": "user", "content": "hi"}]):
            if chunk.done:
                stats = chunk.stats
        await engine.backend.close()
        return warm, again, stats

    warm, again, stats = asyncio.run(go())
    assert not warm.already_loaded and warm.error is None
    assert again.already_loaded
    # no load paid on the answer: a cold load reports at least its 400 ms (the fake reports 1 µs when warm)
    assert stats["load_duration"] / 1e6 < 400
    assert any(r.body.get("keep_alive") for r in server.requests_to("/api/chat") if not r.body.get("messages"))


def test_prewarm_reports_a_missing_model(engine, server):
    async def go():
        r = await prewarm(engine.backend, "missing:1b")
        await engine.backend.close()
        return r

    r = asyncio.run(go())
    assert r.error and "missing:1b" in r.error
