"""The fake server's thinking models, capabilities and /api/ps, through the real client."""

from __future__ import annotations

import ollama
import pytest

from tests.fakes.ollama_server import Reply, ScriptedOllama

THINKER = "qwen3:0.6b"
MSGS = [{"role": "user", "content": "Is 7 prime?"}]


@pytest.fixture
def thinker(fake_ollama: ScriptedOllama) -> ScriptedOllama:
    fake_ollama.add_model(THINKER, capabilities=["completion", "tools", "thinking"], family="qwen3", context_length=40960)
    return fake_ollama


def test_think_true_streams_thinking_before_content(thinker: ScriptedOllama, client: ollama.Client) -> None:
    thinker.script(THINKER, Reply(thinking="Seven has no divisors.", text="Yes, 7 is prime."))
    chunks = list(client.chat(THINKER, messages=MSGS, stream=True, think=True))
    kinds = ["thinking" if c.message.thinking else "content" if c.message.content else "-" for c in chunks]
    assert kinds == ["thinking"] * 4 + ["content"] * 4 + ["-"]
    assert "".join(c.message.thinking or "" for c in chunks) == "Seven has no divisors."
    assert "".join(c.message.content for c in chunks) == "Yes, 7 is prime."
    assert chunks[-1].eval_count == 8 and chunks[-1].prompt_eval_count
    assert thinker.requests_to("/api/chat")[-1].body["think"] is True


def test_think_levels_and_non_streaming(thinker: ScriptedOllama, client: ollama.Client) -> None:
    thinker.script(THINKER, Reply(thinking="Hmm.", text="Yes."))
    r = client.chat(THINKER, messages=MSGS, think="high")
    assert (r.message.thinking, r.message.content) == ("Hmm.", "Yes.")
    with pytest.raises(ollama.ResponseError) as info:
        client.chat(THINKER, messages=MSGS, think="extreme")  # type: ignore[arg-type]
    assert info.value.status_code == 400 and "invalid think value" in info.value.error


def test_think_absent_is_inline_and_false_is_none(thinker: ScriptedOllama, client: ollama.Client) -> None:
    thinker.script(THINKER, Reply(thinking="Hmm.", text="Yes."), Reply(thinking="Hmm.", text="Yes."))
    inline = client.chat(THINKER, messages=MSGS)
    assert inline.message.content == "<think>Hmm.</think>\n\nYes." and not inline.message.thinking
    off = client.chat(THINKER, messages=MSGS, think=False)
    assert off.message.content == "Yes." and not off.message.thinking


def test_capabilities_context_and_ps(thinker: ScriptedOllama, client: ollama.Client) -> None:
    thinker.add_model("big:70b", parameter_size="70B", context_length=131072, vram_fraction=0.25)
    show = client.show(THINKER)
    assert "thinking" in (show.capabilities or []) and show.modelinfo["qwen3.context_length"] == 40960
    client.chat("big:70b", messages=MSGS, options={"num_ctx": 16384}, keep_alive="10m")
    client.chat(THINKER, messages=MSGS)
    ps = {m.model: m for m in client.ps().models}
    big, small = ps["big:70b"], ps[THINKER]
    assert big.context_length == 16384 and small.context_length == 4096  # the server's default window
    assert big.size_vram == int(big.size * 0.25) and small.size_vram == small.size
    assert big.expires_at is not None and small.expires_at is not None
