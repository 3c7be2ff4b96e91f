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


def test_keyword_only_classify_imports_neither_the_model_client_nor_rich(tmp_path):
    probe = (
        "import sys\nfrom wits_tui.cli import main\n"
        "code = main(['classify', '--keywords-only', 'plan a trip to Rome'])\n"
        "print(sorted(m for m in ('ollama', 'httpx', 'rich.console', 'numpy') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          env={"WITS_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
