from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.engine.conftest import CHAT, make_engine  # noqa: F401 - re-exported for the tests here
from wits_tui.engine.routing.router import Router

DATA = Path(__file__).parent / "data"
EMBED = "all-minilm"


def labelled(name: str = "heldout.jsonl") -> list[dict]:
    """The held-out evaluation set (``tuning.jsonl`` for the set the settings were chosen on)."""
    return [json.loads(line) for line in (DATA / name).read_text().splitlines() if line.strip()]


@pytest.fixture
def embed_server(server):
    """The scripted server with the classifier's embedding model (hashed embeddings)."""
    server.add_model(EMBED, capabilities=["embedding"], embedding_dim=384)
    return server


@pytest.fixture
def router(engine, embed_server):
    return Router(engine.settings, engine.paths, engine.store, engine.backend)
