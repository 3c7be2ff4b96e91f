from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.ollama_server import ScriptedOllama
from wits_tui.engine.backends.ollama import OllamaBackend
from wits_tui.engine.docs.facade import Docs
from wits_tui.settings import DocsSettings, OllamaSettings

EMBED = "nomic-embed-text"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def server():
    with ScriptedOllama() as s:
        s.add_model(EMBED, capabilities=["embedding"], embedding_dim=64)
        yield s


def make_docs(paths, store, server, **settings) -> Docs:
    backend = OllamaBackend(OllamaSettings(host=server.host, connect_timeout=60, read_timeout=60))
    return Docs(DocsSettings(**settings), paths.docs_dir, store, backend)


def index(docs: Docs, name: str):
    return docs.run_sync(docs.index(name))


def embedded_texts(server) -> int:
    return sum(len(r.body["input"]) if isinstance(r.body["input"], list) else 1 for r in server.requests_to("/api/embed"))
