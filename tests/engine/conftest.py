from __future__ import annotations

import pytest

from tests.fakes.ollama_server import ScriptedOllama
from tests.waiting import hang_guard
from wits_tui.engine.build import Engine, EngineOptions, build_engine
from wits_tui.settings import ChatSettings, OllamaSettings, RoutingSettings, Settings

CHAT = "llama3.2:1b"


@pytest.fixture
def server():
    with ScriptedOllama() as s:
        s.add_model(CHAT, context_length=4096)
        yield s


def make_engine(paths, host: str, *, routing: bool = False, use_memory: bool = False, confirm_tool=None, **chat) -> Engine:
    """An engine on the scripted server, built as the front ends build theirs. Routing is
    off unless asked for, so tests of the model path see exactly the messages they sent."""
    settings = Settings(
        ollama=OllamaSettings(host=host, connect_timeout=hang_guard(), read_timeout=chat.pop("read_timeout", hang_guard())),
        chat=ChatSettings(default_model=chat.pop("default_model", CHAT), **chat),
        routing=RoutingSettings(enabled=routing),
    )
    return build_engine(settings, paths, EngineOptions(use_memory=use_memory, confirm_tool=confirm_tool)).open()


@pytest.fixture
def engine(paths, server):
    return make_engine(paths, server.host)
