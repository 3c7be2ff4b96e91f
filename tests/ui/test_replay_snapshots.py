"""Snapshot replays: recorded sessions (tests/ui/replays/*.json) played back at speed 0
must render the same way. Add one with ``python -m tests.ui.record_replay NAME --session ID``."""

from __future__ import annotations

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, ready, seed, type_text, wait_for, wait_for_workers
from tests.ui.record_replay import load_fixture
from tests.ui.test_snapshots import CONVERSATION, SIZE

REPLAYS = ["code_answer", "routed_chat", "error_fallback", "long_stream"]


def imported(paths, name: str) -> int:
    from wits_tui.engine.store import Store

    with Store(paths.database) as store:
        return load_fixture(name, store)


async def replayed(pilot) -> None:
    app = await ready(pilot)
    await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
    await wait_for(pilot, lambda: app.chat_screen.replay.state is not None and app.chat_screen.replay.state.done and not app.chat.streaming,
                   what="the replay to end")
    await wait_for_workers(pilot)


@pytest.mark.parametrize("name", REPLAYS)
def test_replay_renders_the_same(snap_compare, make_app, app_paths, name):
    session_id = imported(app_paths, name)
    assert snap_compare(make_app(replay=(session_id, 0.0, 1)), terminal_size=SIZE, run_before=replayed)


def test_module_bar_pinned_and_routed_label(snap_compare, make_app, app_paths, server):
    """A live routed answer's label (module · why) and the bar with a pinned module."""
    seed(app_paths, CONVERSATION[:2], title="Counting words")
    server.script(MODEL, Reply(text="Use `sorted(words, key=len)`."))

    async def run(pilot):
        app = await ready(pilot)
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
        await type_text(pilot, "Write a python function that sorts words by length")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running and app.chat_screen.module_bar.entries[0].loaded, what="the answer")
        await pilot.press("alt+2")
        await wait_for(pilot, lambda: app.engine.store.sessions.get(app.chat_screen.sessions.current.id).pinned_module == "math_expert",
                       what="the pin")
        await wait_for(pilot, lambda: not any(w.is_running for w in app.workers if w.group in ("switch", "modules")),
                       what="the pre-warm")
        await wait_for_workers(pilot)
        app.status.set_speed(None, None)  # measured live (tok/s, first token): differs on every run
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run)
