"""`wits classify`: the decision in a table or JSON; keyword-only never builds a model client."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from tests.test_cli import run


def test_classify_keywords_only_prints_the_decision_table(capsys):
    code, out, _ = run(capsys, "classify", "--keywords-only", "Write an email to my landlord about the broken heating")
    assert code == 0
    assert out.startswith("domain:     creative") and "module:     creative_expert" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("domain "))
    assert lines[header].split() == ["domain", "score", "keywords", "similarity"]
    assert [line.split()[0] for line in lines[header + 2:header + 8]][0] == "creative"
    assert len(lines) == header + 8


def test_classify_json_and_empty_message(capsys, monkeypatch):
    code, out, _ = run(capsys, "classify", "--keywords-only", "--json", "solve 2x + 3 = 9")
    data = json.loads(out)
    assert code == 0 and data["domain"] == "math" and data["method"] == "keywords" and data["module"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run(capsys, "classify", "--keywords-only", "   ")
    assert code == 2 and "nothing to classify" in err


#: What a cold `wits classify --keywords-only` must not import (each was most of its start-up:
#: the model client, the Store's sqlite-utils, the engine and its event loop, rich, numpy).
SLOW_MODULES = ("ollama", "httpx", "rich.console", "numpy", "sqlite_utils", "asyncio", "wits_tui.engine.core",
                "wits_tui.engine.build")


def _imported_by_keyword_classify(home) -> list[str]:
    probe = (
        "import sys\nfrom wits_tui.cli import main\n"
        "code = main(['classify', '--keywords-only', 'plan a trip to Rome'])\n"
        f"print(code, sorted(m for m in {SLOW_MODULES!r} if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          env={"WITS_HOME": str(home), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def test_keyword_only_classify_imports_no_slow_module_on_a_fresh_home(tmp_path):
    assert _imported_by_keyword_classify(tmp_path) == "0 []"
    assert not list(tmp_path.rglob("*.db"))  # reading nothing creates nothing


def test_keyword_only_classify_reads_an_existing_database_without_the_store(tmp_path, monkeypatch):
    from wits_tui.engine.store import Store
    from wits_tui.paths import resolve_paths

    monkeypatch.setenv("WITS_HOME", str(tmp_path))
    with Store(resolve_paths().database) as store:
        store.module_stats.record("planner", "llama3.2", load_ms=2000, eval_ms=900, total_ms=3000, eval_tokens=50)
    assert _imported_by_keyword_classify(tmp_path) == "0 []"


def test_keyword_only_classify_skips_validation_only_while_the_settings_are_unchanged(tmp_path):
    """The second run reads the validated snapshot (neither the settings models nor pydantic are
    imported); a changed config file is validated again."""
    probe = (
        "import sys\nfrom wits_tui.cli import main\n"
        "code = main(['classify', '--keywords-only', '--json', 'plan a trip to Rome'])\n"
        "print(code, {'wits_tui.settings', 'pydantic'} <= set(sys.modules), bool({'wits_tui.settings', 'pydantic'} & set(sys.modules)))\n"
    )

    def classify() -> tuple[int, bool, str]:
        proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                              env={"WITS_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
        code, validated, any_of_them = proc.stdout.strip().splitlines()[-1].split()
        assert validated == any_of_them, proc.stdout  # pydantic comes with the settings models only
        return int(code), validated == "True", proc.stdout + proc.stderr

    assert classify()[:2] == (0, True)  # first run: validated, snapshot written
    assert classify()[:2] == (0, False)
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[chat]\ndefault_model = 'mistral'\n")
    code, validated, out = classify()
    assert (code, validated) == (0, True) and '"model": "mistral"' in out
    code, validated, out = classify()
    assert (code, validated) == (0, False) and '"model": "mistral"' in out
    config.write_text("[chat]\ndefault_model = ''\n")
    code, _, out = classify()
    assert code == 2 and "chat.default_model" in out
