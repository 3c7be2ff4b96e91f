from __future__ import annotations

import pytest

from tests.fakes.ollama_server import ScriptedOllama
from tests.waiting import hang_guard
from wits_tui.engine.backends.ollama import OllamaBackend
from wits_tui.engine.memory import Memory
from wits_tui.settings import MemorySettings, OllamaSettings

EMBED = "nomic-embed-text"


@pytest.fixture
def server():
    with ScriptedOllama() as s:
        s.add_model(EMBED, capabilities=["embedding"], embedding_dim=768)
        yield s


def make_memory(paths, server, **settings) -> Memory:
    backend = OllamaBackend(OllamaSettings(host=server.host, connect_timeout=hang_guard(), read_timeout=hang_guard()))
    return Memory(MemorySettings(**settings), paths.memory_dir, backend)


def run(memory: Memory, coro):
    return memory.run_sync(coro)


@pytest.fixture
def memory(paths, server):
    m = make_memory(paths, server)
    yield m
    m.close()
