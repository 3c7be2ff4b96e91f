"""The app reaches its first frame without pydantic once the settings were validated: it starts from the
validated snapshot (as `classify --keywords-only` does) and its engine validates them on the engine's thread."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Runs bare `wits` up to the app's run(), in a terminal as far as wants_plain can tell, and reports what
#: had been imported and which settings the app got; then builds its engine the way the app does.
PROBE = """
import sys
sys.stdout.isatty = lambda: True
import wits_tui.ui.app as A
seen = {}
def run(self, *args, **kwargs):
    seen.update(pydantic='pydantic' in sys.modules, settings=type(self.settings).__name__, app=self)
A.WitsApp.run = run
from wits_tui.cli import main
code = main([])
app = seen['app']
engine = A.default_engine(app.settings, app.paths)
print(code, seen['pydantic'], seen['settings'], type(engine.settings).__name__, app.settings.chat.default_model,
      engine.settings.chat.default_model)
"""


def _start(home: Path) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={"WITS_HOME": str(home), "PATH": "/usr/bin:/bin", "TERM": "xterm-256color"})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_the_app_starts_from_the_validated_snapshot_and_its_engine_validates(tmp_path):
    first = _start(tmp_path)
    assert first == ["0", "True", "Settings", "Settings", "llama3.2", "llama3.2"]  # validated, snapshot written
    second = _start(tmp_path)
    assert second == ["0", "False", "SettingsView", "Settings", "llama3.2", "llama3.2"]
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[chat]\ndefault_model = 'mistral'\n")
    assert _start(tmp_path) == ["0", "True", "Settings", "Settings", "mistral", "mistral"]  # changed: validated again


def test_the_options_set_accepts_are_the_validating_models_fields():
    from wits_tui.engine.model_options import ModelOptions
    from wits_tui.engine.session_params import OPTION_NAMES

    assert OPTION_NAMES == tuple(ModelOptions.model_fields)
