"""Quitting while everything is under way exits cleanly: a turn streaming, a pull,
a health check waiting on the server and a memory prune in its thread. No handler
may reach for a widget that is gone, and no worker may fail on the way out."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest
from textual.worker import Worker, WorkerState

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, make_settings, press_now, ready, type_text, wait_for

pytestmark = pytest.mark.anyio

EMBED = "nomic-embed-text"


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_quit_in_the_middle_of_a_turn_a_pull_a_health_check_and_a_prune(make_app, server, monkeypatch):
    server.add_model(EMBED, capabilities=["embedding"], embedding_dim=768)
    server.add_pullable("tinyllama:1b", pull_delay=0.5, pull_steps=200)
    streaming = threading.Event()  # the answer waits after 50 tokens: still coming when Ctrl+Q is pressed
    server.script(MODEL, Reply(text="tick " * 2000, token_delay=0.01, hold_after=50, hold=streaming))
    settings = make_settings(server.host, memory={"prune_check_interval_s": 3600})

    from wits_tui.engine.memory import Memory

    pruning, release = threading.Event(), threading.Event()
    prune = Memory.prune

    def slow_prune(self, *args, **kwargs):  # the real prune, once the test has quit the app
        pruning.set()
        release.wait(60)
        return prune(self, *args, **kwargs)

    monkeypatch.setattr(Memory, "prune", slow_prune)
    errors = Errors()
    logging.getLogger().addHandler(errors)
    failed: list[str] = []

    def hook(message) -> None:
        if isinstance(message, Worker.StateChanged) and message.state == WorkerState.ERROR:
            failed.append(f"{message.worker.name}: {message.worker.error!r}")

    app = make_app(settings=settings)
    loop_errors: list[dict] = []
    try:
        async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
            asyncio.get_running_loop().set_exception_handler(lambda loop, context: loop_errors.append(context))
            await ready(pilot)
            await wait_for(pilot, lambda: app.engine.memory.status.state != "closed", timeout=60, what="memory")
            screen = app.chat_screen
            screen.slash.run("/memory prune least_relevant")
            await wait_for(pilot, pruning.is_set, timeout=60, what="the prune to start")
            screen.slash.run("/pull tinyllama:1b")
            await wait_for(pilot, lambda: screen.pull.running and app.query_one("#job").display, timeout=60,
                           what="the pull to start")
            checks = len(server.requests_to("/api/version"))
            server.hang_paths.add("/api/version")  # the next health check waits on the server
            await type_text(pilot, "count to a thousand")
            await press_now(pilot, "enter")
            await wait_for(pilot, lambda: app.chat._live and app.chat._live.text, timeout=60, what="streaming")
            await wait_for(pilot, lambda: len(server.requests_to("/api/version")) > checks, timeout=60,
                           what="a health check in flight")
            assert screen.turns.running and screen.pull.running and screen.memory.job_running
            await press_now(pilot, "ctrl+q")
    finally:
        release.set()
        streaming.set()
        logging.getLogger().removeHandler(errors)
    assert app.return_code in (0, None)
    assert failed == []
    assert loop_errors == []
    assert [f"{r.name}: {r.getMessage()}" for r in errors.records] == []


async def test_a_worker_cancelled_before_it_began_closes_its_coroutine(make_app):
    # A newer worker in an exclusive group (or the app closing) cancels one that had not started:
    # its coroutine was never awaited, and Python warned about it when the coroutine was dropped.
    import gc
    import inspect

    from tests.ui.conftest import ready, wait_for

    app = make_app()
    async with app.run_test() as pilot:
        await ready(pilot)
        controller = app.chat_screen.modules

        async def work() -> None:
            pass

        first, second = work(), work()
        controller.worker(first, group="test-exclusive", exclusive=True)
        controller.worker(second, group="test-exclusive", exclusive=True)  # cancels the first before it began
        await wait_for(pilot, lambda: inspect.getcoroutinestate(second) == inspect.CORO_CLOSED, what="the second ran")
        await wait_for(pilot, lambda: gc.collect() is not None and inspect.getcoroutinestate(first) == inspect.CORO_CLOSED,
                       what="the first closed without running")
