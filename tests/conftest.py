"""Shared fixtures: every test gets its own WITS_HOME and a clean environment."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from wits_tui.paths import Paths, resolve_paths


@pytest.fixture(autouse=True)
def wits_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Relocate everything Wits writes under a temporary WITS_HOME."""
    for name in list(os.environ):
        if name.startswith("WITS_") or name == "OLLAMA_HOST":
            monkeypatch.delenv(name)
    home = tmp_path / "wits-home"
    monkeypatch.setenv("WITS_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def closed_ollama_host() -> Iterator[str]:
    """A URL where nothing answers: a port held by this process (bound, never listening),
    so a connection is refused at once and no other program can take the port meanwhile."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(autouse=True)
def no_real_ollama(wits_home: Path, closed_ollama_host: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point OLLAMA_HOST (the default for ``ollama.host`` and the ``ollama`` client) at a closed
    port, so a test that does not name its own server can never reach an Ollama running on this
    machine. Tests that set a host (settings or their own ``OLLAMA_HOST``) are not affected."""
    monkeypatch.setenv("OLLAMA_HOST", closed_ollama_host)
    return closed_ollama_host


@pytest.fixture
def paths(wits_home: Path) -> Paths:
    return resolve_paths().ensure()


@pytest.fixture
def store(paths: Paths):
    from wits_tui.engine.store import Store

    with Store(paths.database, history_max_entries=1000) as s:
        yield s


@pytest.fixture(autouse=True)
def _isolated_logging():
    """Commands run in-process point the `wits` logger at a log file; undo that after
    each test so later tests (and caplog) see a clean logger."""
    import logging

    logger = logging.getLogger("wits")
    handlers, propagate, level = list(logger.handlers), logger.propagate, logger.level
    yield
    for handler in logger.handlers[:]:
        if handler not in handlers:
            logger.removeHandler(handler)
            handler.close()
    logger.propagate, logger.level = propagate, level
