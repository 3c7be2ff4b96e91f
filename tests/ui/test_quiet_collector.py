"""Full garbage collections wait for a quiet moment (the console script defers them: cli/heap.py)."""

from __future__ import annotations

import gc
import threading

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, ready, type_text, wait_for
from wits_tui.cli import heap
from wits_tui.ui.controllers import collector

pytestmark = pytest.mark.anyio


@pytest.fixture
def deferred(monkeypatch):
    """As the console script leaves the app: collection managed, full collections deferred."""
    threshold, was_enabled = gc.get_threshold(), gc.isenabled()
    monkeypatch.setattr(heap, "_managed", True)
    heap.defer_full()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()
    heap._deferred = False
    if not was_enabled:
        gc.disable()


def test_defer_full_freezes_start_up_and_stops_automatic_full_collections(deferred):
    assert gc.get_freeze_count() > 0 and gc.get_threshold()[2] == heap.NEVER and gc.isenabled()


async def test_a_due_full_collection_waits_while_an_answer_streams_and_runs_when_quiet(deferred, make_app, server,
                                                                                       monkeypatch):
    monkeypatch.setattr(collector, "QUIET_S", 0.0)
    monkeypatch.setattr(heap, "full_due", lambda every=10: True)  # as if the young generations had filled up
    release = threading.Event()
    server.script(MODEL, Reply(text="one two three four five six", hold_after=3, hold=release))
    app = make_app()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await ready(pilot)
            screen = app.chat_screen
            await type_text(pilot, "hello")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.chat._live is not None and "three" in app.chat._live.text,
                           what="the held answer")
            before = screen.collector.collected
            screen.collector.tick()
            assert screen.collector.collected == before  # streaming: not now
            release.set()
            await wait_for(pilot, lambda: not screen.turns.running and not app.chat.streaming, what="the answer")
            await wait_for(pilot, lambda: screen.collector.collected > before, what="the quiet collection")
    finally:
        release.set()
