"""wits_tui.clipboard: which tool fits the environment, and what a copy says it did."""

from __future__ import annotations

import stat

from wits_tui import clipboard
from wits_tui.clipboard import Tool


def which_from(*names):
    return lambda name: f"/usr/bin/{name}" if name in names else None


def test_the_tool_follows_the_display():
    both = which_from("wl-copy", "xclip", "xsel")
    assert clipboard.find_tool({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, both, "linux").name == "wl-copy"
    assert clipboard.find_tool({"DISPLAY": ":0"}, both, "linux").argv == ("/usr/bin/xclip", "-selection", "clipboard")
    assert clipboard.find_tool({"DISPLAY": ":0"}, which_from("xsel"), "linux").name == "xsel"
    assert clipboard.find_tool({}, both, "linux") is None  # installed, but no display to talk to (ssh)
    assert clipboard.find_tool({}, which_from("pbcopy"), "darwin").name == "pbcopy"
    assert clipboard.find_tool({"WSL_DISTRO_NAME": "Ubuntu"}, which_from("clip.exe"), "linux").name == "clip.exe"


def test_terminals_known_to_ignore_osc52():
    assert clipboard.osc52_refused({"TERM_PROGRAM": "Apple_Terminal"}) == "macOS Terminal"
    assert "VTE" in (clipboard.osc52_refused({"VTE_VERSION": "7600"}) or "")
    assert clipboard.osc52_refused({"VTE_VERSION": "7600", "TMUX": "/tmp/x"}) is None
    assert clipboard.osc52_refused({"TERM": "xterm-kitty"}) is None


def test_outcomes(tmp_path):
    sent: list[str] = []
    ok = clipboard.copy("hello", "the answer", write_osc52=sent.append, env={}, tool=None)
    assert ok.ok and sent == ["hello"] and "through the terminal (OSC 52)" in ok.text and "5 characters" in ok.text
    nothing = clipboard.copy("hello", "the answer", write_osc52=sent.append, env={"VTE_VERSION": "1"}, tool=None)
    assert not nothing.ok and nothing.text.startswith("Nothing copied: a VTE terminal") and len(sent) == 1
    failing = tmp_path / "failing"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(failing.stat().st_mode | stat.S_IEXEC)
    tool_failed = clipboard.copy("x", "it", env={}, tool=Tool("xsel", (str(failing),)))
    assert not tool_failed.ok and "xsel exited with status 3" in tool_failed.text
    assert not clipboard.copy("", "the answer", env={}).ok


def test_a_hanging_tool_is_given_up_on(tmp_path):
    slow = tmp_path / "slow"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    assert clipboard.run_tool(Tool("xclip", (str(slow),)), "x", timeout=0.2) == "xclip did not finish within 0.2 s"
