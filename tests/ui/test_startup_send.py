"""Enter pressed before Wits has opened its data is not lost: the message goes out once ready."""

from __future__ import annotations

import threading

import pytest

from tests.ui.conftest import type_text, wait_for
from wits_tui.ui.app import default_engine

pytestmark = pytest.mark.anyio


async def test_a_message_sent_while_starting_goes_out_when_ready(make_app, server):
    gate = threading.Event()

    def slow_engine(settings, paths):
        gate.wait(10)  # the store takes its time to open
        return default_engine(settings, paths)

    app = make_app(engine_factory=slow_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await type_text(pilot, "hello while starting")
        await pilot.press("enter")
        assert not app.ready and app.prompt.text == "hello while starting"  # kept, not lost
        gate.set()
        await wait_for(pilot, lambda: server.requests_to("/api/chat"), what="the message to be sent")
        assert server.requests_to("/api/chat")[0].body["messages"][-1]["content"] == "hello while starting"
        await wait_for(pilot, lambda: not app.turn_running, what="the answer")
        assert app.prompt.text == ""
