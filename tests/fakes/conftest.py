"""Fixtures for tests that talk to the scripted fake Ollama server.

Other test packages can reuse them with
``from tests.fakes.conftest import fake_ollama  # noqa: F401`` in their conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import ollama
import pytest

from tests.fakes.ollama_server import ScriptedOllama

CHAT_MODEL = "llama3.2:1b"
EMBED_MODEL = "nomic-embed-text"


@pytest.fixture
def fake_ollama() -> Iterator[ScriptedOllama]:
    """A running fake server with one chat+tools model and one 768-d embedding model."""
    with ScriptedOllama() as server:
        server.add_model(CHAT_MODEL, capabilities=["completion", "tools"], family="llama", parameter_size="1.2B")
        server.add_model(EMBED_MODEL, capabilities=["embedding"], embedding_dim=768)
        yield server


@pytest.fixture
def client(fake_ollama: ScriptedOllama) -> Iterator[ollama.Client]:
    """The real synchronous ``ollama`` client, pointed at the fake server (and closed after)."""
    with ollama.Client(host=fake_ollama.host) as c:
        yield c
