"""The Wits app: start-up, themes, the keymap and the command palette.

Start-up paints first and opens the engine afterwards, on the engine's own thread
(:mod:`wits_tui.ui.bridge`), so nothing slow (sqlite_utils, the store, the ollama
client) is imported or run on the UI's loop. The chat itself lives in
:class:`wits_tui.ui.screens.chat.ChatScreen` and its controllers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App
from textual.binding import Binding

from wits_tui.paths import Paths
from wits_tui.ui import messages as msg
from wits_tui.ui.bridge import EngineBridge
from wits_tui.ui.keymap import keymap_for
from wits_tui.ui.paint import draw_now
from wits_tui.ui.palette import ModelsProvider, ModulesProvider, SessionsProvider, SlashCommandsProvider, ThemesProvider
from wits_tui.ui.palette_session import SessionSettingsProvider
from wits_tui.ui.screens.chat import ChatScreen
from wits_tui.ui.themes import load_themes

if TYPE_CHECKING:
    from textual.driver import Driver

    from wits_tui.engine.build import EngineOptions
    from wits_tui.engine.core import Engine, Health
    from wits_tui.settings import Settings
    from wits_tui.settings_source import SettingsView
    from wits_tui.ui.widgets.chat import ChatView
    from wits_tui.ui.widgets.prompt import PromptInput
    from wits_tui.ui.widgets.status import StatusBar

#: (settings, paths, EngineOptions) -> Engine
EngineFactory = Callable[["Settings", Paths, "EngineOptions"], Any]


def default_engine(settings: "Settings | SettingsView", paths: Paths, options: "EngineOptions | None" = None) -> "Engine":
    """The app's engine: :func:`wits_tui.engine.build.build_engine`, like every front end's. Settings the app
    started with from the validated snapshot (no pydantic before the first frame) are validated again here,
    on the engine's thread."""
    from wits_tui.engine.build import build_engine
    from wits_tui.settings_source import SettingsView

    if isinstance(settings, SettingsView):
        from wits_tui.settings import load_settings

        settings = load_settings(paths)
    return build_engine(settings, paths, options)


class WitsApp(App[None]):
    TITLE = "Wits"
    CSS_PATH = ["styles/app.tcss"]
    COMMANDS = App.COMMANDS | {SlashCommandsProvider, SessionsProvider, ModelsProvider, ModulesProvider,
                                  ThemesProvider, SessionSettingsProvider}
    BINDINGS = [
        Binding("ctrl+p", "command_palette", "Palette", id="command_palette", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(self, paths: Paths, settings: Settings, *, engine_factory: EngineFactory | None = None,
                 initial_theme: str | None = None, start_session: int | None = None,
                 replay: tuple[int, float, int] | None = None, started: Callable[[], None] | None = None) -> None:
        """``start_session``: show this session (without making it the active one);
        ``replay``: (session id, speed, from turn) to play back at start; quitting it quits the app;
        ``started``: called once the first frame is up and the engine has opened (or failed to)."""
        super().__init__()
        self.start_session = replay[0] if replay else start_session
        self.replay_at_start = replay
        self.paths = paths
        self.settings = settings
        self.engine_factory = engine_factory or default_engine
        self._started = started
        self.bridge = EngineBridge()
        self._chat_screen: ChatScreen | None = None
        self._key_seen: events.Key | None = None  # the last key that paused streams (see on_event)
        themes, self.theme_problems = load_themes(paths.user_themes_dir)
        for theme in themes.values():
            self.register_theme(theme)
        wanted = initial_theme or settings.ui.theme
        self.theme = wanted if wanted in self.available_themes else "wits-dark"
        self.set_keymap(keymap_for(settings))

    def get_default_screen(self) -> ChatScreen:
        if self._chat_screen is None:
            self._chat_screen = ChatScreen(self.settings, self.bridge, self.replay_at_start)
        return self._chat_screen

    # -- what the rest of the UI (palette, tests) reads ---------------------------------
    @property
    def chat_screen(self) -> ChatScreen:
        return self.get_default_screen()

    @property
    def engine(self) -> "Engine | None":
        return self.bridge.engine if self.bridge.is_open else None

    @property
    def ready(self) -> bool:
        return self.chat_screen.ready

    @property
    def health(self) -> "Health | None":
        return self.chat_screen.health.health

    @property
    def chat(self) -> "ChatView":
        return self.chat_screen.chat

    @property
    def prompt(self) -> "PromptInput":
        return self.chat_screen.prompt

    @property
    def status(self) -> "StatusBar":
        return self.chat_screen.status

    # -- start-up ---------------------------------------------------------------------
    def get_driver_class(self) -> "type[Driver]":
        """The terminal's driver, which also pauses streams the moment a key arrives (on its input
        thread: before the app's loop, busy drawing a frame, gets to the key)."""
        app = self

        class KeysFirst(super().get_driver_class()):  # type: ignore[misc]
            def process_message(self, message: Any) -> None:
                if isinstance(message, events.Key) and (bridge := getattr(app, "bridge", None)) is not None:
                    bridge.ui_busy()
                super().process_message(message)

        return KeysFirst

    async def on_event(self, event: events.Event) -> None:
        # keys first: streams give way until the key is drawn (once per key: a key no widget
        # handled bubbles back here, the same event again)
        if isinstance(event, events.Key) and event is not self._key_seen:
            self._key_seen = event
            key = self.bridge.ui_busy()
            # the key goes app -> screen -> widget through message queues: the refresh that draws
            # it is the one after the next
            self.call_after_refresh(self.call_after_refresh, self.bridge.ui_done, key)
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        # after the app's own key handling: a binding of the prompt's (Backspace, arrows,
        # Ctrl+U) that changed it shows now, as typed text does (PromptInput._on_key)
        if self.focused is not None and self.focused.id == "prompt":
            draw_now(self.focused, bound=True)

    def on_mount(self) -> None:
        for problem in self.theme_problems:
            self.notify(problem, title="Theme skipped", severity="warning", timeout=8)
        self.call_after_refresh(self.open_engine)

    @work(exclusive=True, group="engine", exit_on_error=False)
    async def open_engine(self) -> None:
        screen = self.chat_screen
        from wits_tui.engine.build import EngineOptions

        # the app's engine recalls and remembers, and asks the person before a tool with side effects runs
        options = EngineOptions(use_memory=True, confirm_tool=screen.confirm_tool)
        try:
            opened = await self.bridge.call(self._open, options)
        except Exception as exc:  # noqa: BLE001 - shown to the person; the app stays up
            screen.post_message(msg.EngineFailed(f"{type(exc).__name__}: {exc}"))
            return
        finally:
            if self._started is not None:
                self._started()
        screen.post_message(opened)  # dropped if the screen has gone meanwhile

    def _open(self, options: "EngineOptions") -> msg.EngineReady:
        """On the engine's thread: build and open the engine, read the first view."""
        from wits_tui.ui.controllers.sessions import TAIL

        engine = self.engine_factory(self.settings, self.paths, options)
        engine.open()
        store = engine.store
        session = (store.sessions.get(self.start_session) if self.start_session is not None
                   else store.sessions.active())
        assert session is not None  # active() creates one when there is none
        sessions = store.sessions.list()
        messages = store.messages.list(session.id, limit=TAIL + 1)
        history = [e.command for e in store.history.recent(500)]
        self.bridge.set_engine(engine)
        return msg.EngineReady(sessions, session, messages[-TAIL:], len(messages) > TAIL, history)

    # -- theme ---------------------------------------------------------------------
    _restyle_in_steps = False

    def watch_theme(self, theme: str) -> None:
        # Textual restyles next (refresh_css), in one callback: here, a stretch at a time
        self._restyle_in_steps = self.is_running and self.screen.is_mounted
        if self.bridge.is_open:
            self.save_theme(theme)

    def refresh_css(self, animate: bool = True) -> None:
        if not self._restyle_in_steps:
            super().refresh_css(animate)
            return
        self._restyle_in_steps = False
        from wits_tui.ui.restyle import restyle

        self.run_worker(restyle(self), name="restyle", group="restyle", exclusive=True, exit_on_error=False)

    @work(group="state", exit_on_error=False)
    async def save_theme(self, theme: str) -> None:
        await self.bridge.call(self.bridge.engine.store.state.set, "theme", theme)

    def exit(self, result: None = None, return_code: int = 0, message: Any = None) -> None:
        if self._chat_screen is not None:
            self._chat_screen.shut()  # its workers stop before the app tears the screens down
        super().exit(result, return_code, message)

    async def on_unmount(self) -> None:
        engine = self.engine
        await self.bridge.close(engine.aclose if engine is not None else None)
