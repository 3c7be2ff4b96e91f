"""Context-window awareness: the window in use, prompt tokens, trimming, /compact,
and the per-session system prompt and options."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.engine.conftest import CHAT, make_engine
from tests.engine.test_turn import collect
from tests.fakes.ollama_server import Reply
from wits_tui.engine import transfer
from wits_tui.engine.catalog import short_tokens, trimmed_notice, window_warning
from wits_tui.engine.compact import NothingToCompact
from wits_tui.engine.events import ContextInfo, TurnDone
from wits_tui.engine.session_params import parse_option, request_params

BIG = "llama3.1:8b"


@pytest.fixture
def big(paths, server):
    server.add_model(BIG, context_length=131072, parameter_size="8B")
    return make_engine(paths, server.host, default_model=BIG)


def contexts(events):
    return [e for e in events if isinstance(e, ContextInfo)]


def test_short_token_figures() -> None:
    assert [short_tokens(n) for n in (950, 3100, 8192, 131072, 12_345)] == ["950", "3.1k", "8k", "128k", "12k"]


def test_estimated_before_and_counted_after(big, server) -> None:
    server.script(BIG, Reply(text="An answer of six words here.", prompt_eval_count=321, eval_count=6))
    s = big.store.sessions.create()
    events = collect(big, s.id, "A question of some length, to be counted.")
    before, after = contexts(events)
    assert before.estimated and 10 < before.used_tokens < 40
    assert (before.window, before.window_source, before.trained) == (4096, "default", 131072)
    assert not after.estimated and after.used_tokens == 321 + 6
    assert events.index(after) < events.index(next(e for e in events if isinstance(e, TurnDone)))


def test_the_window_comes_from_ps_once_the_cache_is_refreshed(big, server) -> None:
    s = big.store.sessions.create()
    collect(big, s.id, "load it")
    asyncio.run(big.catalog.refresh([BIG]))
    window = big.catalog.window(BIG)
    assert (window.tokens, window.source, window.trained) == (4096, "ollama", 131072)
    assert "trained for 128k tokens" in (window_warning(BIG, window) or "")
    assert "/set num_ctx 16384" in (window_warning(BIG, window) or "")
    big.store.sessions.set_options(s.id, {"num_ctx": 32768})
    events = collect(big, s.id, "again")
    assert (contexts(events)[0].window, contexts(events)[0].window_source) == (32768, "num_ctx")
    assert server.requests_to("/api/chat")[-1].body["options"]["num_ctx"] == 32768
    assert window_warning(BIG, big.catalog.window(BIG, 32768)) is None


def test_no_request_before_the_chat_once_the_cache_is_warm(big, server) -> None:
    asyncio.run(big.catalog.refresh([BIG]))
    server.clear_requests()
    s = big.store.sessions.create()
    collect(big, s.id, "hello")
    assert [r.path for r in server.requests][0] == "/api/chat"


def test_older_messages_that_do_not_fit_are_counted(paths, server) -> None:
    eng = make_engine(paths, server.host, answer_reserve_tokens=16)
    eng.settings.ollama.default_num_ctx = 256  # a tiny window: a few messages fit
    eng.catalog.default_num_ctx = 256
    s = eng.store.sessions.create()
    for i in range(12):
        eng.store.messages.append(s.id, "user" if i % 2 == 0 else "assistant", f"message {i} " + "words " * 30)
    events = collect(eng, s.id, "the newest question")
    info = contexts(events)[0]
    assert info.trimmed > 0 and info.window == 256
    sent = server.requests_to("/api/chat")[-1].body["messages"]
    assert len(sent) == 12 + 1 - info.trimmed
    assert trimmed_notice(info.trimmed, 256) == f"{info.trimmed} older messages no longer fit the 256 window: /set num_ctx 1024 or /compact"


def test_compact_replaces_older_turns_with_a_stored_summary(engine, server) -> None:
    s = engine.store.sessions.create()
    with pytest.raises(NothingToCompact):
        asyncio.run(engine.compact(s.id))
    for q in ("my cat is Miso", "she is 3", "she likes tuna"):
        collect(engine, s.id, q)
    server.script(CHAT, Reply(text="- The cat is Miso, 3 years old."))
    summary = asyncio.run(engine.compact(s.id))
    assert summary.role == "summary" and summary.content == "- The cat is Miso, 3 years old."
    asked = server.requests_to("/api/chat")[-1].body["messages"]
    assert "my cat is Miso" in asked[1]["content"] and "she likes tuna" not in asked[1]["content"]
    collect(engine, s.id, "what do you know?")
    sent = server.requests_to("/api/chat")[-1].body["messages"]
    assert sent[0]["role"] == "system" and "The cat is Miso" in sent[0]["content"]
    assert [m["content"] for m in sent[1:]] == ["she likes tuna", "You said: she likes tuna", "what do you know?"]
    # the originals stay, and exports show both
    assert len(engine.store.messages.list(s.id)) == 3 * 2 + 1 + 2
    md = transfer.export_markdown(engine.store, s.id)
    assert "my cat is Miso" in md and "## Summary of the earlier conversation (/compact)" in md
    copy = transfer.import_session(engine.store, transfer.export_json(engine.store, s.id))
    [copied] = [m for m in engine.store.messages.list(copy) if m.role == "summary"]
    assert copied.summary_of in {m.id for m in engine.store.messages.list(copy)}


def test_session_system_prompt_adds_or_replaces(paths, server) -> None:
    eng = make_engine(paths, server.host, routing=True)
    s = eng.store.sessions.create()
    eng.store.sessions.set_system(s.id, "Answer in French.")
    collect(eng, s.id, "hello")
    system = server.requests_to("/api/chat")[-1].body["messages"][0]
    assert system["role"] == "system" and system["content"].endswith("\n\nAnswer in French.") and len(system["content"]) > 40
    eng.store.sessions.set_system(s.id, "Only haiku.", "replace")
    collect(eng, s.id, "hello again")
    assert server.requests_to("/api/chat")[-1].body["messages"][0] == {"role": "system", "content": "Only haiku."}


def test_session_options_and_keep_alive_reach_the_request(engine, server) -> None:
    s = engine.store.sessions.create()
    engine.store.sessions.set_options(s.id, {"temperature": 0.2, "seed": 7, "keep_alive": "30m"})
    collect(engine, s.id, "hi")
    body = server.requests_to("/api/chat")[-1].body
    assert body["options"] == {"temperature": 0.2, "seed": 7} and body["keep_alive"] == "30m"
    copy = transfer.import_session(engine.store, transfer.export_json(engine.store, s.id))
    assert engine.store.sessions.get(copy).option_values() == {"temperature": 0.2, "seed": 7, "keep_alive": "30m"}


def test_session_options_win_over_the_module() -> None:
    class S:
        system_prompt, system_mode = None, None

        def option_values(self):
            return {"temperature": 1.0, "keep_alive": "1h"}

    params = request_params([], {"temperature": 0.1, "top_k": 20}, S())
    assert params.options == {"temperature": 1.0, "top_k": 20} and params.keep_alive == "1h"


@pytest.mark.parametrize(("name", "raw", "fragment"), [
    ("temperature", "hot", "valid number"), ("top_p", "0", "greater than 0"), ("num_ctx", "12", "greater than or equal to 256"),
    ("keep_alive", "forever", "duration"), ("temprature", "1", "did you mean temperature"),
])
def test_bad_option_values_are_explained(name, raw, fragment) -> None:
    with pytest.raises(ValueError) as info:
        parse_option(name, raw)
    assert fragment in str(info.value) and ("/set" in str(info.value) or "options are" in str(info.value))


def test_migration_adds_the_new_columns(store) -> None:
    assert {"thinking", "summary_of"} <= set(store.db["messages"].columns_dict)
    assert {"system_prompt", "system_mode", "think", "options"} <= set(store.db["sessions"].columns_dict)
    s = store.sessions.create()
    store.sessions.set_options(s.id, {"num_ctx": 8192})
    assert json.loads(store.db["sessions"].get(s.id)["options"]) == {"num_ctx": 8192}


def test_no_rate_from_a_zero_duration_and_thinking_counts_as_the_first_token(engine, server) -> None:
    from wits_tui.engine.turn import stats_from

    assert stats_from({"eval_count": 1, "eval_duration": 1000}, 5.0, 10.0).tokens_per_s is None
    assert stats_from({"eval_count": 40, "eval_duration": 2000}, 5.0, 10.0).tokens_per_s is None
    assert stats_from({"eval_count": 40, "eval_duration": 1_000_000_000}, 5.0, 10.0).tokens_per_s == 40
    server.script(CHAT, Reply(text="hi", first_token_delay=0.2))
    s = engine.store.sessions.create()
    done = [e for e in collect(engine, s.id, "q") if isinstance(e, TurnDone)][0]
    assert done.stats.ttft_ms is not None and done.stats.ttft_ms >= 200
