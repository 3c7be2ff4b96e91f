from __future__ import annotations

import asyncio

import pytest

from tests.engine.conftest import CHAT
from tests.waiting import hang_guard
from wits_tui.engine.backends.base import Backend, BackendError
from wits_tui.engine.backends.ollama import OllamaBackend
from wits_tui.settings import OllamaSettings


def run(coro_fn):
    async def go():
        backend = OllamaBackend(OllamaSettings(host=HOST["url"], connect_timeout=hang_guard(), read_timeout=hang_guard()))
        try:
            return await coro_fn(backend)
        finally:
            await backend.close()

    return asyncio.run(go())


HOST: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _host(server):
    HOST["url"] = server.host
    server.add_model("nomic-embed-text", capabilities=["embedding"], embedding_dim=768)


def test_it_is_a_backend():
    assert isinstance(OllamaBackend(OllamaSettings()), Backend)


def test_version_list_show_ps(server):
    assert run(lambda b: b.version()) == "0.12.0"
    names = [m.name for m in run(lambda b: b.list_models())]
    assert CHAT in names and "nomic-embed-text:latest" in names  # Ollama adds the default tag
    details = run(lambda b: b.show(CHAT))
    assert details.context_length == 4096 and "completion" in details.capabilities
    assert run(lambda b: b.loaded()) == []
    run(lambda b: b.load(CHAT))
    assert [m.name for m in run(lambda b: b.loaded())] == [CHAT]


def test_show_missing_model():
    with pytest.raises(BackendError) as info:
        run(lambda b: b.show("absent"))
    assert info.value.error_type == "model_not_found"


def test_embed_batches():
    vectors = run(lambda b: b.embed("nomic-embed-text", ["alpha", "beta", "gamma"]))
    assert len(vectors) == 3 and all(len(v) == 768 for v in vectors)
    with pytest.raises(BackendError) as info:
        run(lambda b: b.embed(CHAT, ["x"]))
    assert info.value.error_type == "unsupported" and "nomic-embed-text" in info.value.hint


def test_pull_progress_then_installed(server):
    server.add_pullable("phi3:mini", pull_delay=0, pull_steps=5)

    async def pull(b):
        return [p async for p in b.pull("phi3:mini")]

    progress = run(pull)
    assert progress[0].status == "pulling manifest" and progress[-1].status == "success"
    fractions = [p.fraction for p in progress if p.fraction is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert "phi3:mini" in [m.name for m in run(lambda b: b.list_models())]


def test_pull_unknown_model():
    async def pull(b):
        return [p async for p in b.pull("no-such-model")]

    with pytest.raises(BackendError) as info:
        run(pull)
    assert "cannot pull 'no-such-model'" in info.value.message


def test_connection_refused_is_explained():
    HOST["url"] = "http://127.0.0.1:9"
    with pytest.raises(BackendError) as info:
        run(lambda b: b.list_models())
    assert info.value.error_type == "connection" and "ollama serve" in info.value.hint
