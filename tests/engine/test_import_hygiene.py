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
package = importlib.import_module(sys.argv[1])
for info in pkgutil.walk_packages(package.__path__, sys.argv[1] + "."):
    importlib.import_module(info.name)
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({FORBIDDEN!r}))
print(",".join(loaded))
"""


@pytest.mark.parametrize(
    "package",
    [
        "wits_tui.engine",
        "wits_tui.commands",  # shared with the line mode: no Textual, Rich or prompt_toolkit either
    ],
)
def test_importing_every_module_of_the_package_loads_no_ui_library(package):
    proc = subprocess.run([sys.executable, "-c", PROBE, package], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"{package} imports pulled in: {proc.stdout.strip()}"


def test_import_linter_contract_holds():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("lint-imports is not installed: run the tests with `uv run pytest` (dev group)")
    proc = subprocess.run([exe], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " kept, 0 broken" in proc.stdout
