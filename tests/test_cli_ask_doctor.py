"""`wits ask` and `wits doctor` as a user runs them: real processes against the scripted server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.fakes.ollama_server import Reply, ScriptedOllama
from tests.waiting import hang_guard
from wits_tui.engine.store import Store

CHAT = "llama3.2:1b"


@pytest.fixture
def server():
    with ScriptedOllama() as s:
        s.add_model(CHAT)
        s.add_model("nomic-embed-text", capabilities=["embedding"], embedding_dim=768)
        yield s


def wits(server_host: str, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "OLLAMA_HOST": server_host, "WITS_CHAT__DEFAULT_MODEL": CHAT, **env}
    return subprocess.run(
        [sys.executable, "-m", "wits_tui", *args], input=stdin if stdin is not None else "", capture_output=True,
        text=True, timeout=hang_guard(), env=environ,
    )


def test_ask_streams_the_answer_to_stdout(server, paths):
    server.script(CHAT, Reply(text="Paris is the capital of France."))
    proc = wits(server.host, "ask", "capital", "of", "France?")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Paris is the capital of France.\n" and proc.stderr == ""
    with Store(paths.database) as s:
        [session] = s.sessions.list()
        assert [m.content for m in s.messages.list(session.id)] == ["capital of France?", "Paris is the capital of France."]
        assert s.history.recent(1)[0].command == "capital of France?"


def test_ask_reads_stdin_and_continues_a_session(server, paths):
    with Store(paths.database) as s:
        sid = s.sessions.create("Review").id
    proc = wits(server.host, "ask", "--session", "Review", "summarise this", stdin="line one\nline two\n")
    assert proc.returncode == 0, proc.stderr
    body = server.requests_to("/api/chat")[-1].body
    assert body["messages"][-1]["content"] == "summarise this\n\nline one\nline two"
    with Store(paths.database) as s:
        assert s.messages.count(sid) == 2


def test_ask_json_events(server):
    server.script(CHAT, Reply(text="a b"))
    proc = wits(server.host, "ask", "--json", "hi")
    assert proc.returncode == 0
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["event"] for e in events] == ["routed", "turn_started", "context", "token", "token", "context", "done"]
    assert events[0]["module"] and events[0]["reason"]
    assert events[-1]["text"] == "a b" and events[-1]["stats"]["eval_tokens"] == 2


def test_ask_failure_is_one_line_on_stderr_with_nonzero_exit(server):
    proc = wits(server.host, "ask", "hi", WITS_CHAT__DEFAULT_MODEL="nope:1b")
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "nope:1b" in lines[0] and "ollama pull nope:1b" in lines[0]
    assert "--model" in lines[0] and "/model" not in lines[0] and "/pull" not in lines[0]  # the CLI's words


def test_ask_with_a_model_that_is_not_installed_says_so_first(server, paths):
    server.add_model("llama3.2:3b")
    proc = wits(server.host, "ask", "--model", "llama3.2", "hi")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "model 'llama3.2' is not installed" in proc.stderr and "llama3.2:1b" in proc.stderr
    assert "ollama pull llama3.2" in proc.stderr
    with Store(paths.database) as s:
        assert s.sessions.list() == []  # no session left fixed to a missing model


def test_ask_continue_goes_on_in_the_last_ask_session(server, paths):
    server.script(CHAT, Reply(text="one"), Reply(text="two"), Reply(text="three"))
    assert wits(server.host, "ask", "first").returncode == 0
    proc = wits(server.host, "ask", "-c", "second")
    assert proc.returncode == 0, proc.stderr
    assert wits(server.host, "ask", "third").returncode == 0  # no -c: a new session
    with Store(paths.database) as s:
        counts = sorted(s.messages.count(x.id) for x in s.sessions.list())
    assert counts == [2, 4]
    assert "--continue" in wits(server.host, "ask", "--help").stdout


def test_ask_with_nothing_to_ask():
    proc = wits("http://127.0.0.1:9", "ask")
    assert proc.returncode == 2 and "nothing to ask" in proc.stderr


def test_ask_unknown_session(server):
    proc = wits(server.host, "ask", "--session", "424242", "hi")
    assert proc.returncode == 2 and "no session '424242'" in proc.stderr


def test_ctrl_c_stops_cleanly_and_keeps_the_partial_answer(server, paths):
    # hangs after 200 words: still coming when Ctrl+C arrives, however busy the machine
    server.script(CHAT, Reply(text=" ".join(f"word{i}" for i in range(400)), tokens_per_second=50, hang_after=200))
    environ = {**os.environ, "OLLAMA_HOST": server.host, "WITS_CHAT__DEFAULT_MODEL": CHAT}
    proc = subprocess.Popen([sys.executable, "-m", "wits_tui", "ask", "go"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=environ, text=True)
    assert proc.stdout.read(20)  # the answer has started: "word0 word1 word2 wo"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=hang_guard())
    assert proc.returncode == 130
    assert "Traceback" not in err and "interrupted" in err
    with Store(paths.database) as s:
        answer = s.messages.list(s.sessions.list()[0].id)[-1]
    assert answer.status == "interrupted" and answer.content.startswith("word0 word1")
    assert len(answer.content.split()) < 400


def test_doctor_all_good(server):
    proc = wits(server.host, "doctor", "--json")
    report = json.loads(proc.stdout)
    assert proc.returncode == 0 and report["ok"] is True
    names = [c["name"] for c in report["checks"]]
    assert names[:5] == ["config", "data dir", "log dir", "database", "ollama"]
    assert f"default model {CHAT}" in names


def test_doctor_reports_missing_models_with_the_fix(server):
    proc = wits(server.host, "doctor", WITS_CHAT__FALLBACK_MODELS='["qwen2.5:7b"]')
    assert proc.returncode == 1
    assert "qwen2.5:7b" in proc.stdout and "ollama pull qwen2.5:7b" in proc.stdout and "FAIL" in proc.stdout


def test_doctor_with_the_server_stopped(server):
    host = server.host
    server.stop()
    proc = wits(host, "doctor")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "cannot reach Ollama" in proc.stdout and "ollama serve" in proc.stdout


def test_ask_says_a_stalled_stream_on_stderr_and_keeps_waiting(server):
    server.script(CHAT, Reply(text="one two three four", pause_after=2, pause_s=2.0))
    proc = wits(server.host, "ask", "count", WITS_CHAT__STALL_NOTICE_S="0.2")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "one two three four\n"  # stdout holds only the answer
    assert f"wits: {CHAT}: no tokens for " in proc.stderr and "Ctrl+C stops; still waiting" in proc.stderr
