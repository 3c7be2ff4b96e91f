from __future__ import annotations

import json
import subprocess
import sys

import pytest

from wits_tui import __version__
from wits_tui.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse and handlers exit this way
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_help_from_the_console_script_and_module():
    for cmd in (["wits"], [sys.executable, "-m", "wits_tui"]):
        exe = cmd if cmd[0] != "wits" else [str(__import__("shutil").which("wits", path=str(__import__("pathlib").Path(sys.executable).parent)))]
        proc = subprocess.run([*exe, "--version"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 and proc.stdout.strip() == f"wits {__version__}"
        proc = subprocess.run([*exe, "--help"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0
        for word in ("sessions", "history", "config"):
            assert word in proc.stdout


def test_sessions_commands(capsys):
    code, out, _ = run(capsys, "sessions", "new", "Rust", "questions", "--json")
    assert code == 0
    created = json.loads(out)
    assert created["title"] == "Rust questions"

    code, out, _ = run(capsys, "sessions", "list")
    assert code == 0 and "Rust questions" in out and f"* {created['id']}" in out

    code, out, _ = run(capsys, "sessions", "rename", str(created["id"]), "Borrow", "checker")
    assert code == 0 and "Borrow checker" in out

    code, out, _ = run(capsys, "sessions", "list", "--json")
    [row] = json.loads(out)
    assert row["title"] == "Borrow checker" and row["active"] is True

    code, _, err = run(capsys, "sessions", "delete", "borrow")  # stdin is not a terminal under pytest
    assert code == 2 and "--yes" in err
    code, out, _ = run(capsys, "sessions", "delete", "borrow", "--yes")
    assert code == 0
    code, out, _ = run(capsys, "sessions", "list", "--json")
    assert json.loads(out) == []


def test_sessions_unknown_session(capsys):
    code, _, err = run(capsys, "sessions", "rename", "999", "x")
    assert code == 1 and "no session '999'" in err


def test_history_listing_search_and_limit(capsys, paths):
    from wits_tui.engine.store import Store

    with Store(paths.database) as s:
        for i in range(30):
            s.history.add(f"question {i} about sqlite" if i % 3 == 0 else f"question {i}")
    code, out, _ = run(capsys, "history", "--limit", "5", "--json")
    assert [e["command"] for e in json.loads(out)] == [f"question {i}" if i % 3 else f"question {i} about sqlite" for i in range(29, 24, -1)]
    code, out, _ = run(capsys, "history", "--search", "sqlite", "--json")
    assert len(json.loads(out)) == 10
    code, out, _ = run(capsys, "history", "--search", "nothing-here")
    assert code == 0 and "matches" in out
    code, _, err = run(capsys, "history", "--limit", "0")
    assert code == 2 and "at least 1" in err


def test_config_commands(capsys, paths):
    code, out, _ = run(capsys, "config", "path")
    assert out.strip() == str(paths.config_file)
    code, out, _ = run(capsys, "config", "validate")
    assert code == 0 and "valid" in out
    code, out, _ = run(capsys, "config", "show")
    assert "[memory]" in out and "pruning_strategy = \"hybrid\"" in out and "# Prune when" in out
    import tomllib

    assert tomllib.loads(out)["chat"]["default_model"] == "llama3.2"
    code, out, _ = run(capsys, "config", "show", "--json")
    assert json.loads(out)["history"]["max_entries"] == 100_000


@pytest.mark.parametrize("bad", ["[ui]\ntheme = 3\n", "[chat\n"])
def test_config_validate_reports_problems(capsys, paths, bad):
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(bad)
    code, _, err = run(capsys, "config", "validate")
    assert code == 2 and str(paths.config_file) in err


def test_tools_list_and_call(capsys):
    code, out, _ = run(capsys, "tools", "list", "--json")
    assert code == 0 and "calculator" in [t["function"]["name"] for t in json.loads(out)]
    code, out, _ = run(capsys, "tools", "call", "calculator", "--args", '{"expression": "1/4 + 1/4"}')
    assert code == 0 and json.loads(out)["result"] == "1/2"
    code, out, err = run(capsys, "tools", "call", "calculator", "--args", '{"expression": 3}')
    assert code == 2 and json.loads(out)["problems"][0]["field"] == "expression" and "invalid arguments" in err
    code, out, err = run(capsys, "tools", "call", "read_file", "--args", '{"path": "/etc/passwd"}')
    assert code == 1 and "tools.allowed_dirs" in err


def test_a_warning_goes_to_the_log_not_over_the_terminal(tmp_path):
    # A library's RuntimeWarning at exit (anyio's "coroutine 'connect_tcp.<locals>.try_connect' was never awaited"
    # when a connection attempt is cancelled before it began) was printed over the terminal after quitting.
    code = ("import sys, warnings; from wits_tui.cli import main; rc = main(['config', 'path']); "
            "warnings.warn('a stray warning from a library', RuntimeWarning); sys.exit(rc)")
    env = {**__import__("os").environ, "WITS_HOME": str(tmp_path)}
    env.pop("PYTHONWARNINGS", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0 and "a stray warning" not in proc.stderr
    logs = list(tmp_path.rglob("wits.log"))
    assert logs and "a stray warning from a library" in logs[0].read_text()
