"""/docs in the line mode: index with progress, use a collection, answers followed by their sources."""

from __future__ import annotations

from tests.engine.conftest import CHAT, make_engine
from tests.fakes.ollama_server import Reply
from tests.plain.test_plain_memory_tools import run_lines


def test_docs_add_use_and_an_answer_with_sources(paths, server, tmp_path):
    server.add_model("nomic-embed-text", capabilities=["embedding"], embedding_dim=64)
    server.script(CHAT, Reply(text="Open the valve first [1]."))
    root = tmp_path / "pump"
    root.mkdir()
    (root / "manual.md").write_text("# Pump\n\n## Starting\n\nOpen the valve, then press the green button.\n")
    (root / "photo.png").write_bytes(b"\x89PNG")
    engine = make_engine(paths, server.host)
    text = run_lines(engine, f"/docs add {root} --name pump\n/docs use pump\n/docs\nHow do I start the pump?\n"
                             "/docs search green button\n/docs drop pump\n/docs use nothing\n")
    assert "pump: 1 files indexed (1 passages)" in text and "1 skipped" in text
    assert "answers in this session now use pump" in text
    assert "Open the valve first [1]." in text
    assert "Sources:\n  [1] manual.md:5 — Pump > Starting" in text
    assert "answers in this session no longer use pump" in text
    assert "there is no collection 'nothing'" in text
