"""/think /system /set /unset /compact /model on a real engine and the scripted server."""

from __future__ import annotations

import asyncio

import pytest

from tests.fakes.ollama_server import Reply, ScriptedOllama
from wits_tui.commands import CommandContext, Listing, Notice, SwitchSession, run_command
from wits_tui.settings import Settings

CHAT, THINKER, EMBED = "llama3.2:1b", "qwen3:0.6b", "nomic-embed-text"


class NoAsk:
    async def confirm(self, question: str) -> bool:  # pragma: no cover - these commands never ask
        raise AssertionError(question)


@pytest.fixture
def server():
    with ScriptedOllama() as s:
        s.add_model(CHAT, capabilities=["completion", "tools"], context_length=131072)
        s.add_model(THINKER, capabilities=["completion", "tools", "thinking"], family="qwen3", parameter_size="600M",
                    context_length=40960, vram_fraction=0.5)
        s.add_model(EMBED, capabilities=["embedding"])
        yield s


@pytest.fixture
def engine(paths, store, server):
    from wits_tui.engine.core import Engine

    settings = Settings.model_validate({"ollama": {"host": server.host}, "chat": {"default_model": CHAT},
                                        "routing": {"enabled": False}})
    return Engine(settings, paths, store=store)


def run(engine, session_id, *texts):
    async def go():
        ctx = CommandContext(engine, session_id, NoAsk())
        try:
            return [await run_command(t, ctx) for t in texts]
        finally:
            await engine.aclose()

    out = asyncio.run(go())
    return out[0] if len(out) == 1 else out


def test_think(engine, store):
    sid = store.sessions.create().id
    shown, low, bad, back = run(engine, sid, "/think", "/think low", "/think loudly", "/think default")
    assert "on (the default)" in shown.text
    assert low.text == "thinking: low for this session" and store.sessions.get(sid).think is None  # reset by the last
    assert bad.level == "error" and "on, off, low, medium or high" in bad.text and "loudly" in bad.text
    assert back.text == "thinking: back to the default (on)"


def test_system_add_replace_reset(engine, store):
    sid = store.sessions.create().id
    none, added, shown = run(engine, sid, "/system", "/system Answer in French.", "/system")
    assert "no system prompt" in none.text and "added after the module's" in added.text
    assert shown.text == "system prompt (added after the module's): Answer in French."
    replaced, empty = run(engine, sid, "/system --replace Only haiku.", "/system --replace")
    s = store.sessions.get(sid)
    assert (s.system_prompt, s.system_mode) == ("Only haiku.", "replace") and "replaces" in replaced.text
    assert empty.level == "error"
    run(engine, sid, "/system reset")
    assert store.sessions.get(sid).system_prompt is None


def test_set_show_unset_and_errors(engine, store):
    sid = store.sessions.create().id
    ok, ctx_ok, bad, unknown, no_value = run(
        engine, sid, "/set temperature 0.3", "/set num_ctx 16384", "/set top_p 7", "/set temprature 1", "/set seed")
    assert ok.text == "temperature = 0.3 for this session" and ctx_ok.level == "info"
    assert bad.level == "error" and "top_p '7'" in bad.text and "less than or equal to 1" in bad.text
    assert unknown.level == "error" and "did you mean temperature" in unknown.text
    assert no_value.level == "error" and "/set seed 42" in no_value.text
    assert store.sessions.get(sid).option_values() == {"temperature": 0.3, "num_ctx": 16384}
    listing = run(engine, sid, "/set")
    assert isinstance(listing, Listing)
    values = {r.cells[0]: r.cells[1] for r in listing.rows}
    assert values["temperature"] == "0.3" and values["top_k"] == "—"
    gone, again = run(engine, sid, "/unset temperature", "/unset temperature")
    assert gone.text == "temperature: back to the default" and "is not set" in again.text
    assert store.sessions.get(sid).option_values() == {"num_ctx": 16384}


def test_compact_command(engine, store, server):
    sid = store.sessions.create().id
    nothing = run(engine, sid, "/compact")
    assert isinstance(nothing, Notice) and "nothing older to compact" in nothing.text
    for i in range(3):
        store.messages.append(sid, "user", f"question {i}")
        store.messages.append(sid, "assistant", f"answer {i}")
    server.script(CHAT, Reply(text="- three questions were asked"))
    done = run(engine, sid, "/compact")
    assert isinstance(done, SwitchSession) and done.message_id is not None
    assert store.messages.get(done.message_id).content == "- three questions were asked"


def test_model_lists_chat_models_with_their_facts(engine, store, server):
    sid = store.sessions.create().id
    server.mark_loaded(server.find_model(THINKER), 600, {"num_ctx": 8192})
    listing = run(engine, sid, "/model")
    assert isinstance(listing, Listing) and f"this session: {CHAT}" in listing.title
    rows = {r.cells[0].strip("* ").strip(): r.cells for r in listing.rows}
    assert set(rows) == {CHAT, THINKER}  # the embedding-only model is left out
    thinker = rows[THINKER]
    assert thinker[2] == "qwen3" and thinker[3] == "Q4_K_M" and thinker[4] == "40k"
    assert thinker[5] == "tools, thinking"
    assert thinker[6].startswith("50% GPU / 50% CPU, 8k ctx, unloads in ")
    assert rows[CHAT][6] == "—" and rows[CHAT][4] == "128k" and listing.rows[0].cells[0].startswith("* ")


def test_model_refuses_what_is_not_installed(engine, store):
    sid = store.sessions.create().id
    refused, embed, ok = run(engine, sid, "/model qwen3:0.5b", f"/model {EMBED}", f"/model {THINKER}")
    assert refused.level == "error" and "/pull qwen3:0.5b" in refused.text and THINKER in refused.text
    assert embed.level == "error"  # installed, but it cannot chat
    assert ok.level == "info" and store.sessions.get(sid).model == THINKER
