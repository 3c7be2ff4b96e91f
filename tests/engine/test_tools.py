from __future__ import annotations

import asyncio
import json
import logging
import os
from fractions import Fraction

import pytest

from tests.engine.conftest import make_engine
from tests.engine.test_turn import collect
from tests.fakes.ollama_server import Reply
from wits_tui.engine.events import ToolCalled, ToolResult, TurnDone, TurnError
from wits_tui.engine.tools import BUILTINS, Args, Tool, ToolContext, ToolRegistry
from wits_tui.engine.tools.calculator import evaluate

TOOLS_MODEL = "qwen2.5:7b"


def call(name, arguments, ctx=None, registry=None):
    registry = registry or ToolRegistry(BUILTINS)
    return asyncio.run(registry.call(name, arguments, ctx or ToolContext()))


def content(outcome):
    return json.loads(outcome.content)


# -- calculator -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "value"),
    [("0.1 + 0.2", Fraction(3, 10)), ("(1/3 + 2.5) * 12", Fraction(34)), ("2 ** 10", Fraction(1024)),
     ("2^-2", Fraction(1, 4)), ("-7 // 2", Fraction(-4)), ("7 % 3", Fraction(1)), ("1e3 / 8", Fraction(125))],
)
def test_calculator_is_exact(expression, value):
    assert evaluate(expression) == value


def test_calculator_result_shape():
    assert content(call("calculator", {"expression": "1/3"})) == {"expression": "1/3", "result": "1/3", "decimal": "0.333333333333333"}
    assert content(call("calculator", {"expression": "6*7"}))["result"] == "42"


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [("__import__('os').system('echo hi')", "not arithmetic"), ("abs(-1)", "not arithmetic"), ("x + 1", "not arithmetic"),
     ("(1).__class__", "not arithmetic"), ("1/0", "division by zero"), ("2 ** 100000", "exponent"), ("2 ** 0.5", "whole numbers"),
     ("1 +", "cannot read"), ("'a' * 3", "only numbers"), ("True + 1", "only numbers")],
)
def test_calculator_refuses_anything_but_arithmetic(expression, fragment):
    outcome = call("calculator", {"expression": expression})
    assert not outcome.ok and outcome.error_type == "tool_failed" and fragment in content(outcome)["message"]


# -- current_time -----------------------------------------------------------------
def test_current_time():
    utc = content(call("current_time", {}))
    assert utc["timezone"] == "UTC" and utc["iso"].endswith("+00:00")
    paris = content(call("current_time", {"timezone": "Europe/Paris"}))
    assert paris["iso"][-6:] in ("+01:00", "+02:00")
    bad = call("current_time", {"timezone": "Mars/Olympus"})
    assert not bad.ok and "unknown time zone" in content(bad)["message"]


# -- files -------------------------------------------------------------------------
@pytest.fixture
def sandbox(tmp_path):
    allowed = tmp_path / "allowed"
    (allowed / "sub").mkdir(parents=True)
    (allowed / "notes.md").write_text("hello notes\n" * 100)
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    os.symlink(secret, allowed / "link-to-secret")
    os.symlink(tmp_path, allowed / "sub" / "escape-dir")
    return ToolContext(allowed_dirs=[str(allowed)]), allowed, secret


def test_read_file_and_list_dir_inside_the_allowed_dir(sandbox):
    ctx, allowed, _ = sandbox
    got = content(call("read_file", {"path": "notes.md", "max_bytes": 11}, ctx))
    assert got["content"] == "hello notes" and got["truncated"] is True
    listing = content(call("list_dir", {}, ctx))
    assert [e["name"] for e in listing["entries"]] == ["link-to-secret", "notes.md", "sub/"]


@pytest.mark.parametrize("path", ["../secret.txt", "link-to-secret", "sub/escape-dir/secret.txt", "/etc/passwd", "sub/../../secret.txt"])
def test_paths_cannot_escape_the_allowed_dirs(sandbox, path):
    ctx, _, _ = sandbox
    outcome = call("read_file", {"path": path}, ctx)
    assert not outcome.ok and "outside the allowed directories" in content(outcome)["message"]


def test_no_directories_allowed_by_default():
    outcome = call("list_dir", {"path": "."})
    assert not outcome.ok and "tools.allowed_dirs" in content(outcome)["message"]


def test_memory_search_without_memory():
    outcome = call("memory_search", {"query": "editor"}, ToolContext(memory=lambda: None))
    assert not outcome.ok and "switched off" in content(outcome)["message"]


# -- invalid calls: the model is taught how to call right ---------------------------
@pytest.mark.parametrize(
    ("name", "arguments", "field", "expected"),
    [
        ("calculator", {}, "expression", "string"),  # missing
        ("calculator", {"expression": 12}, "expression", "string"),  # wrong type
        ("read_file", {"path": "a", "max_bytes": 0}, "max_bytes", ">= 1"),  # out of range
        ("current_time", {"timezone": "UTC", "tz": "x"}, "tz", "no such parameter"),  # extra field
        ("calculator", '{"expression": "1+1"', "(arguments)", "a JSON object"),  # malformed JSON
        ("calculator", "[1, 2]", "(arguments)", "a JSON object"),
    ],
)
def test_each_kind_of_invalid_call_names_the_field_and_shows_a_valid_call(name, arguments, field, expected):
    outcome = call(name, arguments)
    assert not outcome.ok and outcome.error_type == "invalid_arguments"
    body = content(outcome)
    problem = next(p for p in body["problems"] if p["field"] == field)
    assert expected in problem["expected"] and problem["problem"]
    assert body["example_call"]["name"] == name and body["example_call"]["arguments"]
    # the example itself is a valid call
    outcome = asyncio.run(ToolRegistry(BUILTINS).call(name, body["example_call"]["arguments"], ToolContext(allowed_dirs=["/nonexistent"])))
    assert outcome.error_type != "invalid_arguments"


def test_unknown_tool():
    body = content(call("rm_rf", {}))
    assert body["error"] == "unknown_tool" and "calculator" in body["available_tools"]


class BoomArgs(Args):
    n: int = 1


async def _boom(args, ctx):
    raise RuntimeError("kaboom")


async def _slow(args, ctx):
    await asyncio.sleep(5)


def test_a_tool_exception_becomes_an_error_result_with_context(caplog):
    registry = ToolRegistry([Tool("boom", "explodes", BoomArgs, _boom, {"n": 1})])
    with caplog.at_level(logging.ERROR, logger="wits.tools"):
        outcome = call("boom", {"n": 3}, registry=registry)
    body = content(outcome)
    assert body == {"error": "tool_error", "tool": "boom", "error_type": "RuntimeError", "arguments": {"n": 3}, "message": "kaboom"}
    assert "Traceback" not in outcome.content and "Traceback" in caplog.text


def test_a_slow_tool_times_out():
    registry = ToolRegistry([Tool("slow", "sleeps", BoomArgs, _slow, {"n": 1})], timeout_s=0.1)
    outcome = call("slow", {}, registry=registry)
    assert outcome.error_type == "timeout"


def test_schemas_come_from_the_argument_models():
    [schema] = ToolRegistry(BUILTINS).schemas(["read_file"])
    params = schema["function"]["parameters"]
    assert params["required"] == ["path"] and params["properties"]["max_bytes"]["maximum"] == 200_000


# -- in the turn loop -------------------------------------------------------------------
@pytest.fixture
def tools_engine(paths, server):
    server.add_model(TOOLS_MODEL, capabilities=["completion", "tools"])
    return make_engine(paths, server.host, default_model=TOOLS_MODEL)


def test_a_turn_that_uses_a_tool(tools_engine, server):
    server.script(
        TOOLS_MODEL,
        Reply(tool_calls=[{"function": {"name": "calculator", "arguments": {"expression": "1234 * 5678"}}}]),
        Reply(text="1234 × 5678 = 7006652."),
    )
    s = tools_engine.store.sessions.create()
    events = collect(tools_engine, s.id, "What is 1234 times 5678?")
    called = [e for e in events if isinstance(e, ToolCalled)]
    results = [e for e in events if isinstance(e, ToolResult)]
    assert [(c.name, c.arguments) for c in called] == [("calculator", {"expression": "1234 * 5678"})]
    assert results[0].ok and json.loads(results[0].content)["result"] == "7006652"
    assert isinstance(events[-1], TurnDone) and events[-1].text == "1234 × 5678 = 7006652."
    first, second = [r.body for r in server.requests_to("/api/chat")]
    assert [t["function"]["name"] for t in first["tools"]] == [t.name for t in BUILTINS]
    assert second["messages"][-2]["tool_calls"][0]["function"]["name"] == "calculator"
    assert second["messages"][-1] == {"role": "tool", "content": results[0].content, "tool_name": "calculator"}
    kinds = [r.kind for r in tools_engine.store.recordings.for_session(s.id)]
    assert "tool_call" in kinds and "tool_result" in kinds


def test_an_invalid_first_call_is_explained_and_the_retry_succeeds(tools_engine, server):
    server.script(
        TOOLS_MODEL,
        Reply(tool_calls=[{"function": {"name": "calculator", "arguments": {"expr": "2+2"}}}]),
        Reply(tool_calls=[{"function": {"name": "calculator", "arguments": {"expression": "2+2"}}}]),
        Reply(text="It is 4."),
    )
    s = tools_engine.store.sessions.create()
    events = collect(tools_engine, s.id, "2+2?")
    results = [e for e in events if isinstance(e, ToolResult)]
    assert [r.ok for r in results] == [False, True] and results[0].error_type == "invalid_arguments"
    told = json.loads(server.requests_to("/api/chat")[1].body["messages"][-1]["content"])
    assert told["example_call"] == {"name": "calculator", "arguments": {"expression": "(1/3 + 2.5) * 12"}}
    assert {p["field"] for p in told["problems"]} == {"expression", "expr"}
    assert events[-1].text == "It is 4."


def test_the_round_limit_stops_a_model_that_keeps_calling(paths, server):
    server.add_model(TOOLS_MODEL, capabilities=["completion", "tools"])
    server.default_reply(TOOLS_MODEL, Reply(tool_calls=[{"function": {"name": "current_time", "arguments": {}}}]))
    engine = make_engine(paths, server.host, default_model=TOOLS_MODEL, fallback_models=["llama3.2:1b"])
    engine.settings.tools.max_rounds = 2
    s = engine.store.sessions.create()
    events = collect(engine, s.id, "time?")
    err = events[-1]
    assert isinstance(err, TurnError) and err.error_type == "tool_rounds" and "after 2 rounds" in err.message
    assert len(server.requests_to("/api/chat")) == 3  # no fallback after tools ran


def test_models_without_tool_support_get_no_tools(engine, server):
    s = engine.store.sessions.create()
    collect(engine, s.id, "hi")
    assert "tools" not in server.requests_to("/api/chat")[-1].body or not server.requests_to("/api/chat")[-1].body["tools"]


def test_tools_can_be_switched_off_per_session(tools_engine, server):
    s = tools_engine.store.sessions.create()
    tools_engine.set_tool_enabled(s.id, "read_file", False)
    assert "read_file" not in tools_engine.enabled_tools(s.id)
    collect(tools_engine, s.id, "hi")
    sent = [t["function"]["name"] for t in server.requests_to("/api/chat")[-1].body["tools"]]
    assert "read_file" not in sent and "calculator" in sent
    other = tools_engine.store.sessions.create()
    assert "read_file" in tools_engine.enabled_tools(other.id)
    with pytest.raises(ValueError, match="no tool named"):
        tools_engine.set_tool_enabled(s.id, "nope", False)


class NoteArgs(Args):
    text: str


async def _write_note(args, ctx):
    WRITTEN.append(args.text)
    return {"written": args.text}


WRITTEN: list[str] = []
WRITE_NOTE = Tool("write_note", "Writes a note (a side effect).", NoteArgs, _write_note, {"text": "x"}, side_effects=True)


@pytest.mark.parametrize(("answer", "ran"), [(None, False), (False, False), (True, True)])
def test_a_tool_with_side_effects_runs_only_when_the_person_allows_it(paths, server, answer, ran):
    WRITTEN.clear()
    asked = []

    async def confirm(name, arguments):
        asked.append((name, arguments))
        return answer

    server.add_model(TOOLS_MODEL, capabilities=["completion", "tools"])
    tools_engine = make_engine(paths, server.host, default_model=TOOLS_MODEL, confirm_tool=confirm if answer is not None else None)
    tools_engine._tools = ToolRegistry([*BUILTINS, WRITE_NOTE])
    server.script(TOOLS_MODEL, Reply(tool_calls=[{"function": {"name": "write_note", "arguments": {"text": "buy milk"}}}]),
                  Reply(text="ok"))
    s = tools_engine.store.sessions.create()
    events = collect(tools_engine, s.id, "note: buy milk")
    [result] = [e for e in events if isinstance(e, ToolResult)]
    assert result.ok is ran and WRITTEN == (["buy milk"] if ran else [])
    if not ran:
        assert result.error_type == "declined" and "did not allow" in json.loads(result.content)["message"]
    assert asked == ([] if answer is None else [("write_note", {"text": "buy milk"})])
