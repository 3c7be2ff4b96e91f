"""A tool with side effects asks the person first, in the TUI's confirm dialog."""

from __future__ import annotations

import pytest

from tests.engine.test_tools import WRITE_NOTE, WRITTEN
from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, ready, type_text, wait_for
from wits_tui.engine.tools import BUILTINS, ToolRegistry
from wits_tui.ui.screens.confirm import ConfirmScreen

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(("key", "ran"), [("y", True), ("n", False)])
async def test_the_confirm_dialog_decides(make_app, server, key, ran):
    WRITTEN.clear()
    server.add_model(MODEL, capabilities=["completion", "tools"])  # the same model, now able to call tools
    server.script(MODEL, Reply(tool_calls=[{"function": {"name": "write_note", "arguments": {"text": "buy milk"}}}]),
                  Reply(text="done"))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.engine._tools = ToolRegistry([*BUILTINS, WRITE_NOTE])
        await type_text(pilot, "note: buy milk")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm dialog")
        assert "write_note" in app.screen.question and "buy milk" in app.screen.question
        await pilot.press(key)
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="the answer")
    assert WRITTEN == (["buy milk"] if ran else [])
