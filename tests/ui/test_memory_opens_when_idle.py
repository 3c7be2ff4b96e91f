"""Memory (importing lancedb holds the interpreter) opens only once nobody is typing;
a message sent before then opens it in the turn, so its recall still happens."""

from __future__ import annotations

import time

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, make_settings, ready, type_text, wait_for

pytestmark = pytest.mark.anyio

EMBED = "nomic-embed-text"


async def test_memory_waits_for_a_pause_in_typing_and_the_first_message_still_recalls(make_app, server):
    server.add_model(EMBED, capabilities=["embedding"], embedding_dim=768)
    server.script(MODEL, Reply(text="Noted."))
    app = make_app(settings=make_settings(server.host, memory={}))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.chat_screen
        screen.typed_at = time.monotonic() + 3600  # someone typing without a pause
        await ready(pilot)
        memory = app.engine.memory
        assert app.engine.use_memory and memory.status.state == "closed"  # not opened while typing
        await type_text(pilot, "my bike is blue")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.turns.running and not app.chat.streaming, timeout=60, what="the answer")
        assert memory.status.state in ("ready", "text_only")  # the turn opened it
        sid = screen.sessions.current.id
        kinds = [e.kind for e in app.engine.store.recordings.for_session(sid)]
        assert "memory_recalled" in kinds  # and recalled for this very first message
        screen.typed_at = 0.0  # a pause: the background open finds it open and starts the checks
        await wait_for(pilot, lambda: any(w.group == "memory-checks" for w in app.workers), timeout=60,
                       what="the background open to start the memory checks")


async def test_the_model_client_and_memory_are_built_off_the_ui_thread(make_app, server, monkeypatch):
    # Building them imports the memory package and the ollama client (which makes an SSL
    # context): done on the UI's thread as the app opened, it held the first session's drawing.
    import threading

    from wits_tui.engine.core import Engine

    built: dict[str, str] = {}
    for name in ("backend", "memory"):
        getter = getattr(Engine, name).fget

        def record(self, getter=getter, name=name):
            built.setdefault(name, threading.current_thread().name)
            return getter(self)

        monkeypatch.setattr(Engine, name, property(record))
    server.add_model(EMBED, capabilities=["embedding"], embedding_dim=768)
    app = make_app(settings=make_settings(server.host, memory={}))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.chat_screen.typed_at = 0.0
        await wait_for(pilot, lambda: app.engine._memory is not None and app.engine._memory.status.state != "closed",
                       timeout=60, what="memory to open")
    assert built["backend"] != threading.main_thread().name
    assert built["memory"] != threading.main_thread().name
