"""Helpers for the TUI tests: a scripted Ollama server, settings pointing at it,
and waiting for the app without sleeping blindly."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tests.fakes.ollama_server import ScriptedOllama
from wits_tui.paths import Paths, resolve_paths
from wits_tui.settings import Settings

MODEL = "llama3.2:1b"


@pytest.fixture
def server() -> Iterator[ScriptedOllama]:
    with ScriptedOllama() as s:
        s.add_model(MODEL, capabilities=["completion"], family="llama", parameter_size="1.2B")
        yield s


def make_settings(host: str, memory: dict | None = None, **ui: object) -> Settings:
    """Memory is off unless asked for: opening it imports lancedb, and most tests are not about it."""
    return Settings.model_validate({
        "ollama": {"host": host, "health_interval": 1},
        "chat": {"default_model": MODEL},
        "memory": memory if memory is not None else {"enabled": False},
        "ui": ui,
    })


@pytest.fixture
def settings(server: ScriptedOllama) -> Settings:
    return make_settings(server.host)


@pytest.fixture
def app_paths(wits_home) -> Paths:
    return resolve_paths().ensure()


@pytest.fixture
def make_app(app_paths: Paths, settings: Settings) -> Callable:
    from wits_tui.ui.app import WitsApp

    def make(**kwargs):
        return WitsApp(app_paths, kwargs.pop("settings", settings), **kwargs)

    return make


async def wait_for(pilot, condition: Callable[[], object], timeout: float = 5.0, what: str = "condition"):
    """Let the app run until ``condition()`` is truthy (fails the test after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await pilot.pause(0.02)


async def ready(pilot, healthy: bool | None = True):
    app = pilot.app
    await wait_for(pilot, lambda: app.ready, what="the engine to open")
    if healthy is not None:
        await wait_for(pilot, lambda: app.health is not None and app.health.ok == healthy, what="a health check")
    await wait_for(pilot, lambda: app.chat.body_renderer.idle, timeout=60, what="the answers to render")
    app.prompt.cursor_blink = False
    await pilot.pause()
    return app


async def type_text(pilot, text: str) -> None:
    pilot.app.prompt.insert(text)
    await pilot.pause()


def seed(paths: Paths, conversation: list[tuple[str, str]], title: str | None = None, status: str = "complete"):
    """Write a session with these (role, content) messages straight into the store."""
    from wits_tui.engine.store import Store

    with Store(paths.database) as store:
        session = store.sessions.create(title)
        for role, content in conversation:
            store.messages.append(session.id, role, content, status=status if role == "assistant" else "complete")
        store.sessions.switch(session.id)
        return session.id


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def press_now(pilot, *keys: str) -> None:
    """Press keys without waiting for the app to go idle.

    ``pilot.press`` waits until no messages are pending, which never happens
    while tokens stream in; a person does not wait either.
    """
    import asyncio

    from textual import events

    for key in keys:
        char = key if len(key) == 1 else None
        pilot.app.post_message(events.Key(key, char))
        await asyncio.sleep(0.02)
