"""Full garbage collections are held back while someone types or an answer streams (the
console script manages the collector: cli/heap.py, ui/controllers/collector.py)."""

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
def managed(monkeypatch):
    """As the console script leaves the app: start-up frozen, collection on."""
    threshold, was_enabled = gc.get_threshold(), gc.isenabled()
    monkeypatch.setattr(heap, "_managed", True)
    heap.defer_full()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()
    heap._deferred = False
    if not was_enabled:
        gc.disable()


def test_holding_full_collections_back_and_letting_them_run_again(managed):
    assert gc.get_freeze_count() > 0 and gc.isenabled()
    default = gc.get_threshold()[2]
    heap.hold_full(True)
    assert gc.get_threshold()[2] == heap.NEVER
    heap.hold_full(False)
    assert gc.get_threshold()[2] == default


async def test_full_collections_wait_while_an_answer_streams_and_run_when_it_ends(managed, make_app, server,
                                                                                  monkeypatch):
    monkeypatch.setattr(collector, "TYPING_S", 0.0)
    monkeypatch.setattr(heap, "full_due", lambda: True)  # as if the young generations had filled up
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
            screen.collector.tick()
            assert screen.collector.held_since is not None and gc.get_threshold()[2] == heap.NEVER
            before = screen.collector.collected
            release.set()
            await wait_for(pilot, lambda: not screen.turns.running and not app.chat.streaming, what="the answer")
            await wait_for(pilot, lambda: screen.collector.collected > before, what="the held collection")
            assert screen.collector.held_since is None and gc.get_threshold()[2] != heap.NEVER
    finally:
        release.set()
