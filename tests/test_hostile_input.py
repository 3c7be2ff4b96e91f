"""Hostile input from the probe (issue 21 items 8, 9, 11, 12): a clear message, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.test_cli import run


def call_tool(capsys, name: str, args: str) -> tuple[int, dict, str]:
    code, out, err = run(capsys, "tools", "call", name, "--args", args)
    assert "Traceback" not in out + err
    return code, json.loads(out), err


@pytest.mark.parametrize("expression", ["(10**10000)**10000", "(10**10000)**1000", "9**9**9", "10**4000 * 10**4000"])
def test_the_calculator_refuses_results_too_big_to_compute_at_once(capsys, wits_home, expression):
    code, result, err = call_tool(capsys, "calculator", json.dumps({"expression": expression}))
    assert code == 1 and result["error"] == "tool_failed"
    assert "more than 4000 digits" in result["message"] or "exponent is larger" in result["message"]


def test_a_result_of_more_than_4300_digits_is_a_clear_message_not_a_valueerror(capsys, wits_home):
    code, result, _ = call_tool(capsys, "calculator", json.dumps({"expression": "10**4500"}))
    assert code == 1 and "more than 4000 digits" in result["message"]
    code, result, _ = call_tool(capsys, "calculator", json.dumps({"expression": "10**3999"}))
    assert code == 0 and result["result"] == "1" + "0" * 3999


def test_a_slow_calculation_does_not_stop_the_timeout(wits_home, monkeypatch):
    """The calculator runs off the event loop, so the tool timeout fires while it works
    (on the loop, `(10**10000)**10000` ran past 300 s with a 10 s timeout)."""
    import asyncio
    import threading
    from fractions import Fraction

    from wits_tui.engine.tools import builtins, calculator
    from wits_tui.engine.tools.base import ToolContext
    from wits_tui.engine.tools.registry import ToolRegistry

    release = threading.Event()

    def slow(expression: str) -> Fraction:  # stands in for a step that takes long
        release.wait(10)
        return Fraction(1)

    monkeypatch.setattr(calculator, "evaluate", slow)
    registry = ToolRegistry(builtins.BUILTINS, timeout_s=0.2)
    try:
        outcome = asyncio.run(registry.call("calculator", {"expression": "1+1"}, ToolContext()))
    finally:
        release.set()
    assert outcome.error_type == "timeout"


@pytest.mark.parametrize("args", ['{"expression": ' + "[" * 5000 + "]" * 5000 + "}",
                                  '{"expression": ' + "[" * 900 + "]" * 900 + "}",
                                  json.dumps({"expression": "-" * 1999 + "1"}),
                                  json.dumps({"expression": "(" * 500 + "1" + ")" * 500})])
def test_deeply_nested_tool_arguments_get_a_message(capsys, wits_home, args):
    code, result, _ = call_tool(capsys, "calculator", args)
    assert code in (1, 2) and result["error"] in ("invalid_arguments", "tool_failed")


def wits_proc(*args: str | bytes, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wits_tui", *args], input=stdin, capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.mark.parametrize("args", [b'{"expression": "1 + \\ud800"}', b'{"expression": "1 + \xff"}'])
def test_lone_surrogates_and_invalid_bytes_in_tool_arguments(wits_home, args):
    proc = wits_proc("tools", "call", "calculator", "--args", args)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")
    assert proc.returncode in (1, 2) and b"tool_failed" in proc.stdout + proc.stderr or b"invalid" in proc.stdout


@pytest.mark.parametrize("host", ["127.0.0.1:99999", "http://[::1", "ftp://example"])
@pytest.mark.parametrize("command", [["history"], ["config", "validate"], ["sessions", "list"]])
def test_a_bad_ollama_host_is_a_config_error_for_every_command(wits_home, host, command):
    proc = subprocess.run([sys.executable, "-m", "wits_tui", *command], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "OLLAMA_HOST": host})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "OLLAMA_HOST" in proc.stderr and "not a server address" in proc.stderr


def test_deep_nesting_in_a_variable_or_the_config_file_is_a_config_error(wits_home, paths):
    deep = "[" * 5000 + "]" * 5000
    proc = subprocess.run([sys.executable, "-m", "wits_tui", "history"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "WITS_UI__KEYMAP": deep})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "WITS_UI__KEYMAP" in proc.stderr, proc.stderr
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text("x = " + deep + "\n")
    proc = subprocess.run([sys.executable, "-m", "wits_tui", "history"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "nested too deeply" in proc.stderr, proc.stderr


def test_a_message_past_the_size_limit_is_kept_in_a_file_not_sent(wits_home, paths):
    text = "a paragraph of a very long paste\n" * 200
    proc = subprocess.run([sys.executable, "-m", "wits_tui", "ask", "summarise"], input=text, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "WITS_CHAT__MAX_MESSAGE_CHARS": "1000",
                                                      "OLLAMA_HOST": "127.0.0.1:9"})
    assert proc.returncode == 2 and "more than chat.max_message_chars (1,000)" in proc.stderr, proc.stderr
    [saved] = (paths.data_dir / "oversized").iterdir()
    assert saved.read_text() == "summarise\n\n" + text.strip() and (saved.stat().st_mode & 0o777) == 0o600
    from wits_tui.engine.store import Store

    with Store(paths.database) as s:
        assert s.sessions.list() == []  # nothing half-made


def test_the_turn_refuses_a_message_past_the_limit_and_stores_nothing(paths):
    import asyncio

    from tests.engine.conftest import make_engine
    from wits_tui.engine.events import TurnError

    engine = make_engine(paths, "http://127.0.0.1:9")
    engine.settings.chat.max_message_chars = 1000
    session = engine.store.sessions.create()

    async def go():
        try:
            return [ev async for ev in engine.turn(session.id, "x" * 5000)]
        finally:
            await engine.backend.close()

    [event] = asyncio.run(go())
    assert isinstance(event, TurnError) and "5,000 characters" in event.message and "saved in" in event.hint
    assert engine.store.messages.count(session.id) == 0


def test_listings_never_carry_whole_texts(store):
    from wits_tui.engine.store.fts import LISTING_CHARS

    huge = "needle " + "x" * 1_000_000
    s = store.sessions.create()
    store.messages.append(s.id, "user", huge)
    store.history.add(huge, s.id)
    assert len(store.history.recent(5)[0].command) == LISTING_CHARS
    assert len(store.history.search("needle", 5)[0].command) == LISTING_CHARS
    assert len(store.messages.search("needle", 5)[0].content) == LISTING_CHARS
    assert store.messages.list(s.id)[0].content == huge  # the conversation itself is whole


def test_a_50kb_switch_argument_is_a_message(store):
    import asyncio

    from tests.commands.test_commands import ctx
    from wits_tui.commands.table import run_command

    result = asyncio.run(run_command("/switch " + "%_" * 25_000, ctx(store)))
    assert result.level == "error" and "no session" in result.text and len(result.text) < 300
    result = asyncio.run(run_command("/switch " + "9" * 5000, ctx(store)))
    assert result.level == "error"


def test_non_utf8_on_stdin_or_in_an_argument_is_replaced_and_said_once(wits_home, paths):
    from tests.fakes.ollama_server import Reply, ScriptedOllama
    from wits_tui.engine.store import Store

    with ScriptedOllama() as server:
        server.add_model("llama3.2:1b")
        server.script("llama3.2:1b", Reply(text="ok"))
        server.script("llama3.2:1b", Reply(text="ok"))
        env = {**os.environ, "OLLAMA_HOST": server.host, "WITS_CHAT__DEFAULT_MODEL": "llama3.2:1b"}
        piped = subprocess.run([sys.executable, "-m", "wits_tui", "ask"], input=b"x \xff caf\xc3\xa9\n",
                               capture_output=True, timeout=60, env=env)
        arg = subprocess.run([sys.executable, "-m", "wits_tui", "ask", b"bad \xfe byte"], input=b"",
                             capture_output=True, timeout=60, env=env)
    for proc in (piped, arg):
        assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.count(b"not valid UTF-8") == 1
    with Store(paths.database) as s:
        questions = [s.messages.list(x.id)[0].content for x in reversed(s.sessions.list())]
    assert questions == ["x \ufffd café", "bad \ufffd byte"]


def test_non_utf8_in_the_line_mode_is_replaced_and_said_once(wits_home, paths):
    proc = subprocess.run([sys.executable, "-m", "wits_tui", "chat", "--plain"], input=b"/new caf\xe9\n/new \xff again\n",
                          capture_output=True, timeout=60, env={**os.environ, "OLLAMA_HOST": "127.0.0.1:9"})
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert (proc.stdout + proc.stderr).count(b"not valid UTF-8") == 1


def _modes(root) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mode & 0o777 for p in [root, *root.rglob("*")]}


def test_files_are_private_and_loose_ones_are_tightened_once(wits_home):
    from tests.fakes.ollama_server import Reply, ScriptedOllama

    with ScriptedOllama() as server:
        server.add_model("llama3.2:1b")
        server.add_model("nomic-embed-text", capabilities=["embedding"], embedding_dim=768)
        server.script("llama3.2:1b", Reply(text="ok"))
        env = {**os.environ, "OLLAMA_HOST": server.host, "WITS_CHAT__DEFAULT_MODEL": "llama3.2:1b"}
        proc = subprocess.run([sys.executable, "-m", "wits_tui", "ask", "--memory", "hello"], capture_output=True,
                              text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    modes = _modes(wits_home)
    files = {k: m for k, m in modes.items() if (wits_home / k).is_file()}
    dirs = {k: m for k, m in modes.items() if (wits_home / k).is_dir() and k != "."}
    assert any(k.endswith("wits.db") for k in files) and any("memory" in k for k in files)
    assert all(m & 0o077 == 0 for m in files.values()), files
    assert all(m == 0o700 for m in dirs.values()), dirs

    # as an older version left them: readable by others
    for p in [*wits_home.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    first = subprocess.run([sys.executable, "-m", "wits_tui", "history"], capture_output=True, text=True, timeout=60)
    second = subprocess.run([sys.executable, "-m", "wits_tui", "history"], capture_output=True, text=True, timeout=60)
    assert first.returncode == 0 and "private to you" in first.stderr
    assert "private to you" not in second.stderr  # said once
    assert all(m & 0o077 == 0 for k, m in _modes(wits_home).items() if k != ".")
