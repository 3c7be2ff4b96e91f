"""The engine is a library: importing it must not load UI libraries, and lancedb only lazily."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("textual", "rich", "prompt_toolkit", "lancedb")

PROBE = f"""
import importlib, pkgutil, sys
import wits_tui.engine as engine
for info in pkgutil.walk_packages(engine.__path__, "wits_tui.engine."):
    importlib.import_module(info.name)
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({FORBIDDEN!r}))
print(",".join(loaded))
"""


def test_importing_every_engine_module_loads_no_ui_library():
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"engine imports pulled in: {proc.stdout.strip()}"


COMMANDS_PROBE = f"""
import importlib, pkgutil, sys
import wits_tui.commands as commands
for info in pkgutil.walk_packages(commands.__path__, "wits_tui.commands."):
    importlib.import_module(info.name)
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({FORBIDDEN!r}))
print(",".join(loaded))
"""


def test_importing_the_slash_commands_loads_no_ui_library():
    """The slash commands are shared with the line mode: no Textual, Rich or prompt_toolkit."""
    proc = subprocess.run([sys.executable, "-c", COMMANDS_PROBE], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"wits_tui.commands imports pulled in: {proc.stdout.strip()}"


def test_import_linter_contract_holds():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("lint-imports is not installed: run the tests with `uv run pytest` (dev group)")
    proc = subprocess.run([exe], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " kept, 0 broken" in proc.stdout
