"""The UI's event loop is never blocked during a full turn, a session switch and a
theme change.

Two checks, with asyncio's debug mode on (it also raises when a thread touches the
loop without ``call_soon_threadsafe``):

- no SQL statement runs on the UI's thread: store, router and memory calls belong
  on the engine's loop (:mod:`wits_tui.ui.bridge`);
- no callback of the UI's loop takes more than 50 ms of the UI thread's CPU time.
  CPU time, not wall time: on a busy 2-core machine the OS takes the CPU away from
  any callback for longer than that, which says nothing about the code; blocking
  I/O is what the first check catches. Textual's own drawing of a frame (the
  compositor's refresh, whichever callback runs it: the ``screen_update`` timer, or
  Pilot forcing a frame) is not counted: it is left to the chat pane's benchmarks
  (``benchmarks/bench_tui.py``). Drawing a Markdown answer is 40-55 ms of CPU under
  load, and the frame after a theme change redraws every widget (40-55 ms idle with
  this test's session): that would make this a rendering benchmark, not a blocking
  check. What a theme change does before that frame (restyling every node, which
  Textual does in one 55-80 ms callback) is counted: :mod:`wits_tui.ui.restyle`.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from asyncio import events
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from textual.color import Color

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, press_now, ready, seed, type_text, wait_for
from wits_tui.ui.widgets.chat import AssistantMessage

pytestmark = pytest.mark.anyio

SLOW_CPU_S = 0.05


class Watch:
    """What ran on the UI's thread while watching: SQL statements and heavy callbacks."""

    def __init__(self, ui_thread: int) -> None:
        self.ui_thread = ui_thread
        self.sql_on_ui: list[str] = []
        self.slow: list[tuple[str, float, str]] = []
        self.phase = ""

    def sql(self, statement: str) -> None:
        if threading.get_ident() == self.ui_thread:
            self.sql_on_ui.append(statement[:120])


def _describe(handle: events.Handle) -> str:
    """The task a slow callback stepped (its name and coroutine), else the callback."""
    task = getattr(getattr(handle, "_callback", None), "__self__", None)
    if isinstance(task, asyncio.Task):
        coro = task.get_coro()
        return f"task {task.get_name()}: {getattr(coro, '__qualname__', coro)}"
    return repr(handle)[:200]


@contextmanager
def watching(loop: asyncio.AbstractEventLoop, store, monkeypatch) -> Iterator[Watch]:
    """Callbacks' CPU time, less the frames they drew (see the module's docstring)."""
    from textual.screen import Screen

    watch = Watch(threading.get_ident())
    run = events.Handle._run
    refresh = Screen._compositor_refresh
    drawing = [0.0]  # CPU time spent drawing frames so far

    def timed(handle: events.Handle) -> None:
        if threading.get_ident() != watch.ui_thread:
            return run(handle)
        started, drawn = time.thread_time(), drawing[0]
        try:
            return run(handle)
        finally:
            spent = time.thread_time() - started - (drawing[0] - drawn)
            if spent > SLOW_CPU_S:
                watch.slow.append((watch.phase, round(spent, 3), _describe(handle)))

    def drawing_frame(screen: Screen) -> None:
        started = time.thread_time()
        try:
            refresh(screen)
        finally:
            drawing[0] += time.thread_time() - started

    monkeypatch.setattr(events.Handle, "_run", timed)
    monkeypatch.setattr(Screen, "_compositor_refresh", drawing_frame)
    # What the test process made before (hundreds of tests) is no garbage the app made:
    # keep the collector from scanning it in the middle of a watched callback.
    gc.collect()
    gc.freeze()
    store.db.conn.set_trace_callback(watch.sql)
    loop.slow_callback_duration = SLOW_CPU_S
    loop.set_debug(True)
    try:
        yield watch
    finally:
        loop.set_debug(False)
        store.db.conn.set_trace_callback(None)
        gc.unfreeze()
        monkeypatch.setattr(events.Handle, "_run", run)
        monkeypatch.setattr(Screen, "_compositor_refresh", refresh)


async def _started(pilot, server, app_paths):
    app = await ready(pilot)
    await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, timeout=60, what="the module bar")
    await pilot.pause()
    return app


@pytest.fixture
def sessions(app_paths, server):
    other = seed(app_paths, [("user", "an older question"), ("assistant", "an older answer")], title="other")
    seed(app_paths, [], title="current")
    server.script(MODEL, Reply(text="A short answer with a list:\n\n- one\n- two\n\nDone.", token_delay=0.005))
    return other


async def test_a_turn_and_a_session_switch_never_block_the_loop(make_app, server, app_paths, sessions, monkeypatch):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _started(pilot, server, app_paths)
        screen = app.chat_screen
        current = screen.sessions.current.id
        with watching(asyncio.get_running_loop(), app.engine.store, monkeypatch) as watch:
            watch.phase = "turn"
            await type_text(pilot, "a question")
            await press_now(pilot, "enter")
            await wait_for(pilot, lambda: not screen.turns.running and app.chat.query(AssistantMessage),
                           timeout=60, what="the answer")
            watch.phase = "switch"
            screen.sessions.open(sessions)
            await wait_for(pilot, lambda: screen.sessions.current.id == sessions and "an older answer" in [
                a.text for a in app.chat.query(AssistantMessage)], timeout=60, what="the switch")
            screen.sessions.open(current)
            await wait_for(pilot, lambda: screen.sessions.current.id == current and app.chat.query(AssistantMessage),
                           timeout=60, what="switching back")
            await pilot.pause()
    assert watch.sql_on_ui == []
    assert watch.slow == []


ANSWER = "## Steps\n\n1. **Read** the `config`\n2. Run it:\n\n```python\nprint('hi')\n```\n\n- one\n- two\n"


async def test_a_theme_change_never_blocks_the_loop(make_app, server, app_paths, monkeypatch):
    seed(app_paths, [("user", "how?"), ("assistant", ANSWER)] * 3, title="answers")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _started(pilot, server, app_paths)
        with watching(asyncio.get_running_loop(), app.engine.store, monkeypatch) as watch:
            watch.phase = "theme"
            app.theme = "wits-light"
            await wait_for(pilot, lambda: _saved_theme(app_paths) == "wits-light", timeout=60,
                           what="the theme to be saved")
            await wait_for(pilot, lambda: not any(w.name == "restyle" and not w.is_finished for w in app.workers),
                           timeout=60, what="the restyle")
            await pilot.pause()
        light = Color.parse(app.current_theme.background)
        assert app.screen.styles.background == light and app.chat.background_colors[1] != Color.parse(
            app.get_theme("wits-dark").background)
    assert watch.sql_on_ui == []
    assert watch.slow == []


def _saved_theme(app_paths) -> str | None:
    import sqlite3

    with sqlite3.connect(app_paths.database, timeout=60) as conn:
        row = conn.execute("select value from state where key = 'theme'").fetchone()
    return row[0] if row else None
