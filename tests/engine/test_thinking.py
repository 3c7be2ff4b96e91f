"""Thinking models: the think parameter, Thinking events, storage apart from the answer,
inline <think> output, tools, export/import and replay."""

from __future__ import annotations

import json

import pytest

from tests.engine.conftest import make_engine
from tests.engine.test_turn import collect
from tests.fakes.ollama_server import Reply
from wits_tui.engine import transfer
from wits_tui.engine.events import EVENT_TYPES, Thinking, Token, ToolCalled, TurnDone, event_from_dict, event_to_dict
from wits_tui.engine.replay import to_turns
from wits_tui.engine.thinking import InlineThinkSplitter, split_inline, think_param

THINKER = "qwen3:0.6b"


@pytest.fixture
def thinker(paths, server):
    server.add_model(THINKER, capabilities=["completion", "tools", "thinking"], family="qwen3", context_length=40960)
    return make_engine(paths, server.host, default_model=THINKER)


def test_think_param_only_for_models_that_think() -> None:
    assert think_param("on", ["completion", "thinking"]) is True
    assert think_param("off", ["thinking"]) is False
    assert think_param("high", ["thinking"]) == "high"
    assert think_param("on", ["completion"]) is None and think_param("on", None) is None
    with pytest.raises(ValueError):
        think_param("loud", ["thinking"])


@pytest.mark.parametrize("cut", [1, 3, 5, 7, 9, 11])
def test_inline_splitter_survives_tags_cut_anywhere(cut: int) -> None:
    text = "<think>weigh it</think>\n\nThe answer."
    splitter = InlineThinkSplitter()
    pieces = [splitter.feed(text[i : i + cut]) for i in range(0, len(text), cut)] + [splitter.flush()]
    assert ("".join(p[0] for p in pieces), "".join(p[1] for p in pieces)) == ("weigh it", "The answer.")


def test_inline_think_only_at_the_start() -> None:
    assert split_inline("Use <think> tags like this.") == ("", "Use <think> tags like this.")
    assert split_inline("  <think>a</think>b") == ("a", "b")


def test_a_thinking_turn_streams_thoughts_first_and_stores_them_apart(thinker, server) -> None:
    server.script(THINKER, Reply(thinking="Seven has no divisors but 1 and 7.", text="Yes, 7 is prime."))
    s = thinker.store.sessions.create()
    events = collect(thinker, s.id, "Is 7 prime?")
    streamed = [e for e in events if isinstance(e, (Thinking, Token))]
    first_token = next(i for i, e in enumerate(streamed) if isinstance(e, Token))
    assert all(isinstance(e, Thinking) for e in streamed[:first_token])
    assert not any(isinstance(e, Thinking) for e in streamed[first_token:])
    done = events[-1]
    assert isinstance(done, TurnDone)
    assert (done.thinking, done.text) == ("Seven has no divisors but 1 and 7.", "Yes, 7 is prime.")
    assert server.requests_to("/api/chat")[-1].body["think"] is True
    answer = thinker.store.messages.list(s.id)[-1]
    assert (answer.thinking, answer.content) == (done.thinking, done.text)
    # the next request carries the answer, never the thoughts
    collect(thinker, s.id, "And 9?")
    sent = server.requests_to("/api/chat")[-1].body["messages"]
    assert sent[1] == {"role": "assistant", "content": "Yes, 7 is prime."}
    assert "divisors" not in json.dumps(sent)


def test_think_off_and_levels_per_session(thinker, server) -> None:
    s = thinker.store.sessions.create()
    thinker.store.sessions.set_think(s.id, "off")
    collect(thinker, s.id, "quick")
    thinker.store.sessions.set_think(s.id, "low")
    collect(thinker, s.id, "quick again")
    assert [r.body["think"] for r in server.requests_to("/api/chat")] == [False, "low"]


def test_a_model_that_cannot_think_gets_no_think_param(engine, server) -> None:
    s = engine.store.sessions.create()
    collect(engine, s.id, "hi")
    assert "think" not in server.requests_to("/api/chat")[-1].body


def test_inline_think_output_is_split_the_same_way(paths, server) -> None:
    # an older server: no think parameter support, thoughts inline in the content
    server.add_model("r1:1.5b", capabilities=["completion"], family="qwen2")
    server.script("r1:1.5b", Reply(tokens=["<th", "ink>", "Let me", " see.", "</think>", "\n\n", "It is", " 42."]))
    eng = make_engine(paths, server.host, default_model="r1:1.5b")
    s = eng.store.sessions.create()
    events = collect(eng, s.id, "the answer?")
    assert "".join(e.text for e in events if isinstance(e, Thinking)) == "Let me see."
    assert "".join(e.text for e in events if isinstance(e, Token)) == "It is 42."
    stored = eng.store.messages.list(s.id)[-1]
    assert (stored.thinking, stored.content) == ("Let me see.", "It is 42.")


def test_old_inline_answers_are_not_sent_back_with_their_thoughts(engine, server) -> None:
    s = engine.store.sessions.create()
    engine.store.messages.append(s.id, "user", "q1")
    engine.store.messages.append(s.id, "assistant", "<think>private musing</think>\n\nA1")
    collect(engine, s.id, "q2")
    sent = server.requests_to("/api/chat")[-1].body["messages"]
    assert sent[:2] == [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "A1"}]


def test_with_tools_thinking_content_and_calls_go_back_together(thinker, server) -> None:
    call = {"function": {"name": "calculator", "arguments": {"expression": "6*7"}}}
    server.script(THINKER, Reply(thinking="I should compute.", text="Let me compute.", tool_calls=[call]),
                  Reply(thinking="Got 42.", text="It is 42."))
    s = thinker.store.sessions.create()
    events = collect(thinker, s.id, "6 times 7?")
    assert any(isinstance(e, ToolCalled) for e in events)
    second = server.requests_to("/api/chat")[-1].body["messages"]
    turn = second[-2]
    assert (turn["role"], turn["thinking"], turn["content"]) == ("assistant", "I should compute.", "Let me compute.")
    assert turn["tool_calls"][0]["function"]["name"] == "calculator"
    assert events[-1].thinking == "I should compute.Got 42."


def test_thinking_is_exported_imported_and_replayed(thinker, server) -> None:
    server.script(THINKER, Reply(thinking="Line one.\nLine two.", text="**Done.**"))
    s = thinker.store.sessions.create()
    collect(thinker, s.id, "go")
    md = transfer.export_markdown(thinker.store, s.id)
    assert "> **Thinking**" in md and "> Line one.\n> Line two." in md and "**Done.**" in md
    page = transfer.export_html(thinker.store, s.id)
    assert '<details class="thinking"><summary>Thinking</summary><p>Line one.<br>Line two.</p></details>' in page
    text = transfer.export_json(thinker.store, s.id)
    assert json.loads(text)["messages"][-1]["thinking"] == "Line one.\nLine two."
    copy = transfer.import_session(thinker.store, text)
    assert thinker.store.messages.list(copy)[-1].thinking == "Line one.\nLine two."
    kinds = {r.kind for r in thinker.store.recordings.for_session(copy)}
    assert "thinking_tokens" in kinds
    items = [i for _, i in to_turns(thinker.store.recordings.for_session(copy))[0].items]
    assert "".join(i.text for i in items if isinstance(i, Thinking)) == "Line one.\nLine two."


def test_new_event_kinds_round_trip_as_json() -> None:
    assert {"thinking", "context"} <= set(EVENT_TYPES)
    for event in (Thinking("hm"),):
        assert event_from_dict(json.loads(json.dumps(event_to_dict(event)))) == event
