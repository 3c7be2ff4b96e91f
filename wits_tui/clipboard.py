"""Putting text on the clipboard, for the TUI and the line mode (no UI imports).

Two ways, tried together: the terminal's own clipboard escape (OSC 52, which Textual's
``App.copy_to_clipboard`` writes and most terminals, tmux with ``set-clipboard on`` and
ssh sessions honour), and the system's clipboard tool when one is installed and its
display is reachable (wl-copy, xclip, xsel, pbcopy, clip.exe). A terminal cannot tell
whether it took an OSC 52, so the outcome says which ways were used, and where neither
can work (a terminal known to ignore OSC 52, no tool) it says that nothing was copied.

:func:`run_tool` blocks (up to ``timeout`` s): front ends call it from a thread.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

Mode = Literal["auto", "osc52", "system"]
TOOL_NAMES = "wl-copy, xclip, xsel, pbcopy, clip.exe"
TIMEOUT_S = 3.0


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    argv: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a copy did: ``ok`` (something took the text), and one line saying how."""

    ok: bool
    text: str


def _wsl(env: Mapping[str, str]) -> bool:
    return bool(env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"))


def find_tool(env: Mapping[str, str] | None = None, which: Callable[[str], str | None] = shutil.which,
              platform: str = sys.platform) -> Tool | None:
    """The system clipboard tool that can work here, if one is installed."""
    env = os.environ if env is None else env
    candidates: list[tuple[str, tuple[str, ...], bool]] = [
        ("wl-copy", (), bool(env.get("WAYLAND_DISPLAY"))),
        ("xclip", ("-selection", "clipboard"), bool(env.get("DISPLAY"))),
        ("xsel", ("--clipboard", "--input"), bool(env.get("DISPLAY"))),
        ("pbcopy", (), platform == "darwin"),
        ("clip.exe", (), _wsl(env) or platform == "win32"),
    ]
    for name, args, usable in candidates:
        if usable:
            path = which(name)
            if path:
                return Tool(name, (path, *args))
    return None


def osc52_refused(env: Mapping[str, str] | None = None) -> str | None:
    """The name of the terminal when it is known to ignore OSC 52, else None."""
    env = os.environ if env is None else env
    if env.get("TMUX") or env.get("STY"):
        return None  # tmux/screen pass it on (or not) by their own settings: nothing to tell from here
    if env.get("TERM_PROGRAM") == "Apple_Terminal":
        return "macOS Terminal"
    if env.get("VTE_VERSION"):
        return "a VTE terminal (GNOME Terminal, Tilix, ...)"
    if env.get("TERM") == "linux":
        return "the Linux console"
    return None


def osc52(text: str) -> str:
    """The escape sequence that puts ``text`` on the terminal's clipboard."""
    return f"\x1b]52;c;{base64.b64encode(text.encode('utf-8')).decode('ascii')}\a"


def run_tool(tool: Tool, text: str, timeout: float = TIMEOUT_S) -> str | None:
    """Give ``text`` to ``tool``; None when it worked, else why not. Blocks up to ``timeout``.

    The tool's output is not captured: xclip and wl-copy leave a child serving the
    clipboard that holds inherited pipes open, and reading them would wait for it."""
    try:
        done = subprocess.run(tool.argv, input=text.encode("utf-8"), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"{tool.name} did not finish within {timeout:g} s"
    except OSError as exc:
        return f"{tool.name} could not run: {exc.strerror or exc}"
    return None if done.returncode == 0 else f"{tool.name} exited with status {done.returncode}"


def describe(what: str, text: str) -> str:
    """"the answer (79 characters, 12 lines)"; "code block 1 (python; 286 characters, 10 lines)"."""
    lines = text.count("\n") + 1
    size = f"{len(text):,} characters" + (f", {lines:,} lines" if lines > 1 else "")
    return f"{what[:-1]}; {size})" if what.endswith(")") else f"{what} ({size})"


def copy(text: str, what: str, *, mode: Mode = "auto", write_osc52: Callable[[str], None] | None = None,
         env: Mapping[str, str] | None = None, tool: Tool | None | Literal["find"] = "find",
         timeout: float = TIMEOUT_S) -> Outcome:
    """Copy ``text`` every way ``mode`` allows; ``write_osc52(text)`` sends the escape (None: no
    terminal to send it to). Blocking when a tool runs: call it from a thread."""
    if not text:
        return Outcome(False, f"Nothing copied: {what} is empty.")
    env = os.environ if env is None else env
    shown = describe(what, text)
    refused = osc52_refused(env)
    sent = False
    if mode in ("auto", "osc52") and write_osc52 is not None and refused is None:
        write_osc52(text)
        sent = True
    found = find_tool(env) if tool == "find" else tool
    failed = None
    if mode in ("auto", "system") and found is not None:
        failed = run_tool(found, text, timeout)
        if failed is None:
            also = " (and through the terminal, OSC 52)" if sent else ""
            return Outcome(True, f"Copied {shown} with {found.name}{also}.")
    if sent:
        why = f"({failed}) " if failed else ""
        return Outcome(True, f"Copied {shown} through the terminal (OSC 52). {why}Nothing to paste? "
                             f"The terminal ignores OSC 52: install one of {TOOL_NAMES}.")
    if failed:
        return Outcome(False, f"Nothing copied: {failed}.")
    if mode == "osc52":
        reason = f"{refused} does not take OSC 52" if refused else "there is no terminal to send OSC 52 to"
        return Outcome(False, f"Nothing copied: {reason} (ui.clipboard is osc52).")
    if mode == "system":
        return Outcome(False, f"Nothing copied: no clipboard tool ({TOOL_NAMES}) works here (ui.clipboard is system).")
    reason = f"{refused} does not take OSC 52" if refused else "there is no terminal to send OSC 52 to"
    return Outcome(False, f"Nothing copied: {reason}, and no clipboard tool works here: install one of {TOOL_NAMES} "
                          "(for X11 or Wayland the display must be reachable), or select with Shift+drag.")
