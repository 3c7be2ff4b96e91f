"""First start without Ollama: a card says how to set it up (it goes once the server answers:
tests/ui/test_chat.py::test_ollama_down_then_up)."""

from __future__ import annotations

from tests.ui.conftest import make_settings, ready, wait_for


def test_setup_card_when_ollama_cannot_be_reached(snap_compare, app_paths):
    from wits_tui.ui.app import WitsApp

    app = WitsApp(app_paths, make_settings("http://127.0.0.1:9"))  # the discard port: nothing answers

    async def down(pilot):
        await ready(pilot, healthy=False)
        await wait_for(pilot, lambda: app.chat_screen.setup_card.display, what="the setup card")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=down)
