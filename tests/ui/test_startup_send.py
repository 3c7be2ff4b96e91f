"""Enter pressed before Wits has opened its data is not lost: the message goes out once ready."""

from __future__ import annotations

import threading

import pytest

from tests.ui.conftest import type_text, wait_for
from tests.waiting import hang_guard
from wits_tui.ui.app import default_engine

pytestmark = pytest.mark.anyio


async def test_a_message_sent_while_starting_goes_out_when_ready(make_app, server):
    gate = threading.Event()

    def slow_engine(settings, paths, options):
        gate.wait(hang_guard())  # the store takes its time to open
        return default_engine(settings, paths, options)

    app = make_app(engine_factory=slow_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await type_text(pilot, "hello while starting")
        await pilot.press("enter")
        assert not app.ready and app.prompt.text == "hello while starting"  # kept, not lost
        gate.set()
        await wait_for(pilot, lambda: server.requests_to("/api/chat"), what="the message to be sent")
        assert server.requests_to("/api/chat")[0].body["messages"][-1]["content"] == "hello while starting"
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="the answer")
        assert app.prompt.text == ""


async def test_enter_never_overtakes_the_characters_typed_before_it(make_app, server):
    """Keys that arrive together (a busy app, a paste, tmux send-keys) are handled in order:
    Enter used to be a priority binding, run as soon as the app saw it, while the
    characters before it still waited in the prompt's queue ("go⏎" sent "" or "g")."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.ready, what="the app")
        app.prompt.focus()
        await pilot.pause()
        for key, char in (("g", "g"), ("o", "o"), ("enter", "\r")):
            app.post_message(events.Key(key, char))  # all queued at once, as from a busy terminal
        await wait_for(pilot, lambda: server.requests_to("/api/chat"), what="the message to be sent")
        assert server.requests_to("/api/chat")[0].body["messages"][-1]["content"] == "go"
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="the answer")


async def test_remapped_send_key_still_sends_and_enter_then_types_a_new_line(app_paths, server):
    from tests.ui.conftest import make_settings
    from wits_tui.ui.app import WitsApp

    settings = make_settings(server.host)
    settings.keymap = {"send": "ctrl+s"}
    app = WitsApp(app_paths, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.ready, what="the app")
        await type_text(pilot, "one")
        await pilot.press("enter")
        await type_text(pilot, "two")
        assert app.prompt.text == "one\ntwo" and not server.requests_to("/api/chat")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: server.requests_to("/api/chat"), what="the message to be sent")
        assert server.requests_to("/api/chat")[0].body["messages"][-1]["content"] == "one\ntwo"
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="the answer")


async def test_a_remapped_chat_screen_key_works(app_paths, server):
    """Bindings of the chat screen keep their ids: [keymap] remaps them like the app's."""
    from tests.ui.conftest import make_settings
    from wits_tui.ui.app import WitsApp

    settings = make_settings(server.host)
    settings.keymap = {"toggle_sidebar": "f9"}
    app = WitsApp(app_paths, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.ready, what="the app")
        sidebar = app.chat_screen.sidebar
        shown = sidebar.display
        await pilot.press("f9")
        await wait_for(pilot, lambda: sidebar.display != shown, what="the sidebar to toggle")
        await pilot.press("ctrl+b")  # the old key is free again: it does nothing
        await pilot.pause()
        assert sidebar.display != shown


async def test_the_app_runs_on_settings_read_from_the_validated_snapshot(app_paths, server):
    """What bare `wits` does once the settings were validated: the UI reads the snapshot (no pydantic before the
    first frame) and the engine validates the same file again on its own thread."""
    from tests.fakes.ollama_server import Reply
    from tests.ui.conftest import MODEL, ready
    from wits_tui.settings import Settings, load_settings
    from wits_tui.settings_source import SettingsView, load_snapshot, save_snapshot
    from wits_tui.ui.app import WitsApp

    app_paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.config_file.write_text(f'[ollama]\nhost = "{server.host}"\n\n[chat]\ndefault_model = "{MODEL}"\n\n'
                                     "[memory]\nenabled = false\n")
    save_snapshot(app_paths, load_settings(app_paths))
    view = load_snapshot(app_paths)
    assert isinstance(view, SettingsView)
    server.script(MODEL, Reply(text="Snapshot answer."))
    app = WitsApp(app_paths, view)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert isinstance(app.engine.settings, Settings) and app.settings is view
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Snapshot answer." in [m.content for m in app.engine.store.messages.list(
            app.chat_screen.sessions.current.id)], what="the answer stored")
