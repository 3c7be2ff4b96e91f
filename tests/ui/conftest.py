"""Helpers for the TUI tests: a scripted Ollama server, settings pointing at it,
and waiting for the app without sleeping blindly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from tests.fakes.ollama_server import ScriptedOllama
from tests.waiting import async_wait_until, within
from wits_tui.paths import Paths, resolve_paths
from wits_tui.settings import Settings

MODEL = "llama3.2:1b"
T = TypeVar("T")


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


async def wait_for(pilot, condition: Callable[[], T], timeout: float | None = None, what: str = "condition") -> T:
    """Let the app run until ``condition()`` is truthy and return its value.

    The deadline (60 s times ``WITS_TEST_TIMEOUT_SCALE`` unless ``timeout`` says otherwise) only
    guards against a hang; see ``tests/waiting.py``.
    """
    return await async_wait_until(condition, what=what, timeout=timeout, interval=0.02, step=pilot.pause)


#: Worker groups that run for the app's whole life (a loop); waiting for them would never end.
LONG_RUNNING_GROUPS = frozenset({"health", "memory-checks"})


async def wait_for_workers(pilot, *groups: str, timeout: float | None = None) -> None:
    """Wait until the app's workers are done, then until the messages they posted are handled.

    With ``groups``, only workers of those groups; otherwise every worker but the
    ``LONG_RUNNING_GROUPS`` loops. Workers started meanwhile (one worker's message starting
    the next) are waited for too. Failed or cancelled workers count as done.
    """
    app = pilot.app

    def pending() -> list:
        return [w for w in app.workers if not w.is_finished
                and (w.group in groups if groups else w.group not in LONG_RUNNING_GROUPS)]

    async def settle() -> None:
        while busy := pending():
            await asyncio.gather(*(w.wait() for w in busy if w.is_running), return_exceptions=True)
            await pilot.pause()
        await pilot.pause()

    await within(settle(), what=f"the {', '.join(groups) or 'app'} workers to finish", timeout=timeout)


@pytest.fixture
def workers_done() -> Callable:
    """Harlequin-style: ``await workers_done(pilot)`` waits for the app's workers (see wait_for_workers)."""
    return wait_for_workers


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


async def type_in_palette(pilot, query: str) -> None:
    """Type ``query`` into the open command palette and wait until its search for it has finished.

    The palette searches in a worker per keystroke (each cancels the one before); this records
    the worker started for ``query`` and waits for it, so the list shown is the final one.
    """
    palette = pilot.app.screen
    searches: dict[str, object] = {}
    gather = palette._gather_commands

    def recording(value: str):
        searches[value] = worker = gather(value)
        return worker

    palette._gather_commands = recording
    try:
        await pilot.press(*query)
        worker = await wait_for(pilot, lambda: searches.get(query.strip()), what=f"the palette to search for {query!r}")
        await wait_for(pilot, lambda: worker.is_finished, what=f"the palette's search for {query!r}")
    finally:
        del palette._gather_commands
    await pilot.pause()


async def wait_for_player_looks(pilot, player, looks: int = 3) -> None:
    """Wait until a paused replay ``player`` has looked ``looks`` more times whether to go on: after
    that, "nothing moved" means it stayed paused (not that the test did not wait long enough)."""
    sleep, seen = player.sleep, []

    async def counting(seconds: float) -> object:
        seen.append(seconds)
        return await sleep(seconds)

    player.sleep = counting
    try:
        await wait_for(pilot, lambda: len(seen) >= looks, what=f"the paused replay to look {looks} times")
    finally:
        player.sleep = sleep


async def settled(pilot) -> None:
    """Let what is scheduled run out (animations, then every pending message): the screen
    as it will stay. Not a fixed pause: it takes as long as the machine needs."""
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def notified(app, text: str) -> bool:
    """Whether a toast containing ``text`` has been shown (e.g. a refusal that changes nothing else)."""
    return any(text in str(n.message) for n in app._notifications)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def press_now(pilot, *keys: str) -> None:
    """Press keys without waiting for the app to go idle.

    ``pilot.press`` waits until no messages are pending, which never happens
    while tokens stream in; a person does not wait either.
    """
    from textual import events

    for key in keys:
        char = key if len(key) == 1 else None
        pilot.app.post_message(events.Key(key, char))
        await asyncio.sleep(0.02)
