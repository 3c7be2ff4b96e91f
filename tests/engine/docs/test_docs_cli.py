"""`wits docs ...` and `wits ask --docs` through the real entry point."""

from __future__ import annotations

import io
import json

from tests.engine.docs.conftest import REPO
from tests.fakes.ollama_server import Reply
from wits_tui.cli import main

CHAT = "llama3.2:1b"


def test_add_list_search_update_remove(capsys, paths, server, monkeypatch, tmp_path):
    monkeypatch.setenv("WITS_OLLAMA__HOST", server.host)
    root = tmp_path / "site"
    root.mkdir()
    (root / "a.md").write_text("# Alpha\n\nThe alpha release shipped in March.\n")
    (root / "pic.jpg").write_bytes(b"\xff\xd8")
    assert main(["docs", "add", str(root), "--name", "site"]) == 0
    out, err = capsys.readouterr()
    assert "site: 1 files indexed" in out and "pic.jpg: not a document type Wits reads (.jpg)" in err

    assert main(["docs", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["collections"][0]["name"] == "site" and listed["collections"][0]["files"] == 1
    assert listed["index"]["passages"] == 1

    assert main(["docs", "search", "alpha release", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["mode"] == "hybrid" and found["passages"][0]["location"] == "a.md:3"

    assert main(["docs", "update"]) == 0
    assert "0 files indexed (0 passages) · 1 unchanged" in capsys.readouterr().out
    assert main(["docs", "remove", "site"]) == 0
    assert main(["docs", "update", "site"]) == 1
    assert "there is no collection 'site'" in capsys.readouterr().err


def test_a_missing_path_and_a_missing_model_are_explained(capsys, paths, server, monkeypatch, tmp_path):
    monkeypatch.setenv("WITS_OLLAMA__HOST", server.host)
    assert main(["docs", "add", str(tmp_path / "nowhere")]) == 1
    assert "does not exist" in capsys.readouterr().err
    monkeypatch.setenv("WITS_DOCS__EMBEDDING_MODEL", "missing-embedder")
    assert main(["docs", "add", str(REPO / "README.md")]) == 1
    out = capsys.readouterr().out
    assert "stopped: embedding model 'missing-embedder' is unavailable" in out and "ollama pull missing-embedder" in out


def test_ask_with_docs_prints_the_sources(capsys, paths, server, monkeypatch, tmp_path):
    server.add_model(CHAT, context_length=4096)
    server.script(CHAT, Reply(text="Sixty-one [1]."))
    monkeypatch.setenv("WITS_OLLAMA__HOST", server.host)
    monkeypatch.setenv("WITS_CHAT__DEFAULT_MODEL", CHAT)
    monkeypatch.setenv("WITS_ROUTING__ENABLED", "false")
    root = tmp_path / "facts"
    root.mkdir()
    (root / "lighthouse.md").write_text("# Lighthouse\n\nThe lighthouse has sixty-one steps.\n")
    assert main(["docs", "add", str(root), "--name", "facts"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["ask", "--docs", "facts", "how many steps has the lighthouse?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sixty-one [1].\n") and "Sources:\n  [1] lighthouse.md:3 — Lighthouse" in out
    assert main(["ask", "--docs", "nope", "hi"]) == 2


def test_reembed_after_changing_the_embedding_model(capsys, paths, server, monkeypatch, tmp_path):
    monkeypatch.setenv("WITS_OLLAMA__HOST", server.host)
    server.add_model("other-embed", capabilities=["embedding"], embedding_dim=32)
    root = tmp_path / "site"
    root.mkdir()
    (root / "a.md").write_text("# Alpha\n\nThe alpha release shipped in March.\n")
    assert main(["docs", "reembed"]) == 1
    assert "there are no collections yet" in capsys.readouterr().err
    assert main(["docs", "add", str(root), "--name", "site"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("WITS_DOCS__EMBEDDING_MODEL", "other-embed")
    assert main(["docs", "list"]) == 0
    assert "`wits docs reembed`" in capsys.readouterr().err
    assert main(["docs", "reembed"]) == 0
    out, err = capsys.readouterr()
    assert "site: 1 files indexed" in out and "again with other-embed" in err
    assert main(["docs", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["index"]["embed_model"] == "other-embed"
