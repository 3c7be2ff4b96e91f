"""The checks that keep the code as it is: ruff and mypy run here like import-linter does
(configured in pyproject.toml: ruff's rule set and line length; mypy strict on
wits_tui/engine/, basic on the rest)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    exe = shutil.which(name, path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail(f"{name} is not installed: run the tests with `uv run pytest` (dev group)")
    return exe


def test_ruff_is_clean():
    proc = subprocess.run([_tool("ruff"), "check", "--no-cache", "wits_tui", "tests", "benchmarks"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean():
    # the cache lives in .mypy_cache (git-ignored): a warm run takes seconds, a cold one about a minute
    proc = subprocess.run([_tool("mypy")], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success: no issues found" in proc.stdout
