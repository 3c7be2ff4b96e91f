"""The suite never talks to an Ollama running on the developer's machine by accident.

The autouse ``no_real_ollama`` fixture (tests/conftest.py) points OLLAMA_HOST at a port that
refuses connections; a test that wants a server names its own.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
from collections.abc import Iterator

import ollama
import pytest

from tests.fakes.ollama_server import Reply, ScriptedOllama
from wits_tui.engine.core import Engine, Health
from wits_tui.settings import DEFAULT_OLLAMA_PORT, load_settings

MODEL = "llama3.2:1b"


@pytest.fixture
def ollama_on_the_usual_port() -> Iterator[ScriptedOllama | None]:
    """Something answering like Ollama on 127.0.0.1:11434, as on a developer's machine.

    A scripted server if the port is free; if it is taken (maybe by a real Ollama) the test
    runs against whatever is there (None): either way the default must not reach it.
    """
    try:
        server = ScriptedOllama(port=DEFAULT_OLLAMA_PORT)
        server.__enter__()
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        yield None
        return
    try:
        server.add_model(MODEL)
        server.script(MODEL, Reply(text="a real Ollama answered"))
        yield server
    finally:
        server.__exit__(None, None, None)


def test_the_default_host_is_a_closed_port(no_real_ollama: str, paths) -> None:
    assert os.environ["OLLAMA_HOST"] == no_real_ollama
    assert load_settings(paths).ollama.host == no_real_ollama
    port = int(no_real_ollama.rsplit(":", 1)[1])
    assert port != DEFAULT_OLLAMA_PORT
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=60):
        pass


def test_an_ollama_on_the_usual_port_is_not_reached(ollama_on_the_usual_port, paths) -> None:
    # The ollama client's own default (it reads OLLAMA_HOST) is refused ...
    with ollama.Client() as client, pytest.raises(ConnectionError):
        client.list()
    # ... and so is Wits, with its default settings.
    engine = Engine(load_settings(paths), paths).open()

    async def check() -> Health:
        try:
            return await engine.health()
        finally:
            await engine.aclose()

    health = asyncio.run(check())
    assert not health.ok and "cannot reach Ollama" in (health.error or "")
    if ollama_on_the_usual_port is not None:
        assert ollama_on_the_usual_port.requests == []


def test_a_test_that_names_its_server_reaches_it(monkeypatch: pytest.MonkeyPatch) -> None:
    with ScriptedOllama() as server:
        server.add_model(MODEL)
        monkeypatch.setenv("OLLAMA_HOST", server.host)
        with ollama.Client() as client:
            assert [m.model for m in client.list().models] == [MODEL]
