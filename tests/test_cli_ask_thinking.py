"""`wits ask` with a thinking model, --system, --set and --think: real processes, scripted server."""

from __future__ import annotations

import json

import pytest

from tests.fakes.ollama_server import Reply, ScriptedOllama
from tests.test_cli_ask_doctor import wits
from wits_tui.engine.store import Store

CHAT, THINKER = "llama3.2:1b", "qwen3:0.6b"


@pytest.fixture
def server():
    with ScriptedOllama() as s:
        s.add_model(CHAT)
        s.add_model(THINKER, capabilities=["completion", "thinking"], family="qwen3", context_length=40960)
        yield s


def test_thinking_goes_to_stderr_and_the_answer_to_stdout(server, paths):
    server.script(THINKER, Reply(thinking="Paris, surely.", text="Paris."), Reply(thinking="Hm.", text="Rome."))
    proc = wits(server.host, "ask", "--model", THINKER, "capital of France?")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Paris.\n" and proc.stderr == "Paris, surely.\n\n"
    hidden = wits(server.host, "ask", "--model", THINKER, "--hide-thinking", "capital of Italy?")
    assert hidden.stdout == "Rome.\n" and hidden.stderr == ""
    with Store(paths.database) as s:
        answer = s.messages.list(s.sessions.list()[-1].id)[-1]
        assert (answer.thinking, answer.content) == ("Paris, surely.", "Paris.")


def test_json_has_thinking_and_context_events(server):
    server.script(THINKER, Reply(thinking="Let me think.", text="Yes.", prompt_eval_count=50, eval_count=5))
    proc = wits(server.host, "ask", "--json", "--model", THINKER, "--think", "high", "ok?")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds.index("thinking") < kinds.index("token") < kinds.index("done")
    before, after = [e for e in events if e["event"] == "context"]
    assert before["estimated"] and before["window"] == 4096 and before["trained"] == 40960
    assert not after["estimated"] and after["used_tokens"] == 50 + 5
    assert events[-1]["thinking"] == "Let me think." and events[-1]["text"] == "Yes."
    assert server.requests_to("/api/chat")[-1].body["think"] == "high"


def test_system_and_set_apply_and_stay_with_the_session(server, paths):
    proc = wits(server.host, "ask", "--system", "Be terse.", "--set", "temperature=0.1", "--set", "num_ctx=8192", "hi")
    assert proc.returncode == 0, proc.stderr
    body = server.requests_to("/api/chat")[-1].body
    system = body["messages"][0]
    assert system["role"] == "system" and system["content"].endswith("\n\nBe terse.")  # after the module's prompt
    assert body["options"] == {"temperature": 0.1, "num_ctx": 8192}
    again = wits(server.host, "ask", "--continue", "and again")
    assert again.returncode == 0, again.stderr
    assert server.requests_to("/api/chat")[-1].body["options"] == {"temperature": 0.1, "num_ctx": 8192}


@pytest.mark.parametrize(("flag", "fragment"), [
    ("temperature=hot", "temperature 'hot'"), ("temperature", "NAME=VALUE"), ("top_k=0.5", "--set top_k=40"),
])
def test_bad_set_is_refused_before_anything_is_written(server, paths, flag, fragment):
    proc = wits(server.host, "ask", "--set", flag, "hi")
    assert proc.returncode == 2 and fragment in proc.stderr and "/set" not in proc.stderr
    assert not server.requests_to("/api/chat")
