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
