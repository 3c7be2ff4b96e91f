"""The Wits app: layout, start-up and the health check.

Start-up paints first and opens the engine afterwards in a thread worker, so
nothing slow (sqlite_utils, the store, the ollama client) is imported before
the first frame. Turns and slash commands live in :mod:`wits_tui.ui.turns` and
:mod:`wits_tui.ui.actions`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer

from wits_tui.paths import Paths
from wits_tui.settings import Settings
from wits_tui.ui import messages as msg
from wits_tui.ui import modules, replay
from wits_tui.ui.actions import ActionsMixin
from wits_tui.ui.memory import MemoryMixin
from wits_tui.ui.modules import ModulesMixin
from wits_tui.ui.palette import ModelsProvider, ModulesProvider, SessionsProvider, SlashCommandsProvider, ThemesProvider
from wits_tui.ui.replay import ReplayMixin
from wits_tui.ui.themes import load_themes
from wits_tui.ui.turns import TurnsMixin
from wits_tui.ui.widgets.chat import ChatView
from wits_tui.ui.widgets.chat_scroll import SCROLL_BINDINGS
from wits_tui.ui.widgets.module_bar import ModuleBar
from wits_tui.ui.widgets.progress import JobProgress
from wits_tui.ui.widgets.prompt import CompletionMenu, PromptInput
from wits_tui.ui.widgets.sidebar import SessionList, Sidebar
from wits_tui.ui.widgets.status import StatusBar

EngineFactory = Callable[[Settings, Paths], Any]
TAIL = 40  # messages shown when a session opens; older ones load on scrolling up


def default_engine(settings: Settings, paths: Paths) -> Any:
    from wits_tui.engine.core import Engine

    return Engine(settings, paths)


class WitsApp(TurnsMixin, ActionsMixin, ModulesMixin, ReplayMixin, MemoryMixin, App[None]):
    TITLE = "Wits"
    CSS_PATH = ["styles/app.tcss"]
    COMMANDS = App.COMMANDS | {SlashCommandsProvider, SessionsProvider, ModelsProvider, ModulesProvider,
                                  ThemesProvider}
    BINDINGS = [
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="toggle_sidebar"),
        Binding("escape", "stop", "Stop", id="stop", show=False),
        Binding("ctrl+n", "new_session", "New", id="new_session"),
        Binding("f2", "rename_session", "Rename", id="rename_session"),
        Binding("ctrl+l", "focus_prompt", "Prompt", id="focus_prompt", show=False),
        Binding("ctrl+s", "focus_sessions", "Sessions", id="focus_sessions", show=False),
        Binding("ctrl+p", "command_palette", "Palette", id="command_palette", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        *modules.BINDINGS,
        *replay.BINDINGS,
        *SCROLL_BINDINGS,
    ]

    def __init__(self, paths: Paths, settings: Settings, *, engine_factory: EngineFactory | None = None,
                 initial_theme: str | None = None, start_session: int | None = None,
                 replay: tuple[int, float, int] | None = None) -> None:
        """``start_session``: show this session (without making it the active one);
        ``replay``: (session id, speed, from turn) to play back at start; quitting it quits the app."""
        super().__init__()
        self.start_session = replay[0] if replay else start_session
        self.replay_at_start = replay
        self.paths = paths
        self.settings = settings
        self.engine: Any = None
        self.engine_factory = engine_factory or default_engine
        self.session: Any = None
        self.health: Any = None
        self.ready = False
        self.command_cache: dict[str, Any] = {}
        themes, self.theme_problems = load_themes(paths.user_themes_dir)
        for theme in themes.values():
            self.register_theme(theme)
        wanted = initial_theme or settings.ui.theme
        self.theme = wanted if wanted in self.available_themes else "wits-dark"
        self.set_keymap(settings.keymap)

    def compose(self):
        with Horizontal(id="main"):
            sidebar = Sidebar(id="sidebar")
            sidebar.display = self.settings.ui.show_sidebar
            yield sidebar
            with Vertical(id="chat-column"):
                yield ChatView(id="chat")
                yield JobProgress(id="job")
                yield ModuleBar(id="modules")
                yield CompletionMenu(id="completions")
                yield PromptInput(id="prompt", placeholder="Message Wits…  (/ for commands)")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def chat(self) -> ChatView:
        return self.query_one(ChatView)

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        self.query_one(JobProgress).hide()
        menu = self.query_one(CompletionMenu)
        menu.hide()
        self.prompt.menu = menu
        self.prompt.focus()
        for problem in self.theme_problems:
            self.notify(problem, title="Theme skipped", severity="warning", timeout=8)
        self.call_after_refresh(self.open_engine)

    # -- start-up ---------------------------------------------------------------
    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def open_engine(self) -> None:
        try:
            engine = self.engine_factory(self.settings, self.paths)
            engine.open()
            store = engine.store
            session = (store.sessions.get(self.start_session) if self.start_session is not None
                       else store.sessions.active())
            sessions = store.sessions.list()
            messages = store.messages.list(session.id, limit=TAIL + 1)
            history = [e.command for e in store.history.recent(500)]
        except Exception as exc:  # shown to the person; the app stays up
            self.post_message(msg.EngineFailed(f"{type(exc).__name__}: {exc}"))
            return
        more = len(messages) > TAIL
        self.engine = engine
        self.post_message(msg.EngineReady(sessions, session, messages[-TAIL:], more, history))

    async def on_engine_ready(self, event: msg.EngineReady) -> None:
        self.prompt.past = event.history
        await self._show_session(event.session, event.messages, event.has_more)
        self.query_one(SessionList).show(event.sessions, event.session.id)
        self.ready = True
        self.engine.confirm_tool = self.confirm_tool
        if self.send_when_ready:
            self.send_when_ready = False
            self.prompt.action_submit()  # what is in the prompt now, as the person left it
        self.health_loop()
        self.load_modules()
        self.start_memory()
        if self.replay_at_start is not None:
            self.start_replay(*self.replay_at_start, quit_after=True)

    async def confirm_tool(self, name: str, arguments: Any) -> bool:
        """Asked by the engine (inside the turn's worker) before a tool with side effects runs."""
        from wits_tui.ui.actions import TuiFrontend

        shown = json.dumps(arguments, ensure_ascii=False)[:200]
        return await TuiFrontend(self).confirm(f"Let the model run {name} with {shown}?")

    async def on_engine_failed(self, event: msg.EngineFailed) -> None:
        self.status.query_one("#status-health").update("✗ cannot start")
        await self.chat.add_notice(f"Wits could not open its data: {event.error}", "error")

    async def _show_session(self, session: Any, messages: list[Any], has_more: bool,
                            focus_message_id: int | None = None) -> None:
        self.session = session
        await self.chat.show_session(session.id, messages, has_more, focus_message_id)
        self.status.set_session(session.id, session.title)
        self.status.set_model(self.engine.model_for(session))
        self.module_bar.set_pinned(session.pinned_module)

    # -- health ------------------------------------------------------------------
    @work(exclusive=True, group="health", exit_on_error=False)
    async def health_loop(self) -> None:
        interval = self.settings.ollama.health_interval
        while True:
            try:
                health = await self.engine.health()
            except Exception as exc:
                health = SimpleNamespace(ok=False, host=self.settings.ollama.host, version=None, error=str(exc), hint=None)
            self.post_message(msg.HealthChanged(health))
            # Down: look again soon, so the app recovers by itself when Ollama comes up.
            await asyncio.sleep(interval if health.ok else min(2.0, interval))

    async def on_health_changed(self, event: msg.HealthChanged) -> None:
        if self._shutting_down():
            return
        was = self.health
        self.health = event.health
        self.status.set_health(event.health)
        if was is not None and was.ok != event.health.ok:
            if event.health.ok:
                self.notify(f"Ollama is back at {event.health.host}", title="Connected")
            else:
                self.notify(event.health.hint or event.health.error or "Ollama stopped answering",
                            title="Ollama is down", severity="warning")

    # -- sessions ------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="open-session", exit_on_error=False)
    def open_session(self, session_id: int, focus_message_id: int | None = None) -> None:
        store = self.engine.store
        session = store.sessions.switch(session_id)
        if focus_message_id is None:
            messages = store.messages.list(session_id, limit=TAIL + 1)
            more = len(messages) > TAIL
            messages = messages[-TAIL:]
        else:
            older = store.messages.list(session_id, limit=TAIL // 2 + 1, before_id=focus_message_id + 1)
            newer = store.messages.list(session_id, limit=TAIL // 2, after_id=focus_message_id)
            more, messages = len(older) > TAIL // 2, older[-(TAIL // 2):] + newer
        self.post_message(msg.SessionOpened(session, messages, more, focus_message_id))
        self.refresh_sessions()

    async def on_session_opened(self, event: msg.SessionOpened) -> None:
        if self._shutting_down():
            return
        await self._show_session(event.session, event.messages, event.has_more, event.focus_message_id)

    @work(thread=True, group="sessions", exit_on_error=False)
    def refresh_sessions(self) -> None:
        store = self.engine.store
        self.post_message(msg.SessionsLoaded(store.sessions.list(), store.sessions.active_id()))

    def _shutting_down(self) -> bool:
        """A worker's report can arrive while the app closes and its widgets are gone."""
        return not self.screen_stack or not self.screen_stack[0].query(StatusBar)

    def on_sessions_loaded(self, event: msg.SessionsLoaded) -> None:
        if self._shutting_down():
            return
        self.query_one(SessionList).show(event.sessions, event.active_id)
        current = next((s for s in event.sessions if self.session is not None and s.id == self.session.id), None)
        if current is not None:
            self.session = current
            self.status.set_session(current.id, current.title)
            self.status.set_model(self.engine.model_for(current))

    @on(SessionList.Chosen)
    def _session_chosen(self, event: SessionList.Chosen) -> None:
        if self.ready:
            self.open_session(event.session_id)

    @work(thread=True, group="older", exit_on_error=False)
    def load_older(self, session_id: int, before_id: int) -> None:
        messages = self.engine.store.messages.list(session_id, limit=TAIL + 1, before_id=before_id)
        self.post_message(msg.OlderLoaded(session_id, messages[-TAIL:], len(messages) > TAIL))

    def on_load_older(self, event: msg.LoadOlder) -> None:
        if self.ready:
            self.load_older(event.session_id, event.before_id)

    async def on_older_loaded(self, event: msg.OlderLoaded) -> None:
        await self.chat.prepend(event.session_id, event.messages, event.has_more)

    @work(thread=True, group="older", exit_on_error=False)
    def load_newer(self, session_id: int, after_id: int) -> None:
        messages = self.engine.store.messages.list(session_id, limit=TAIL + 1, after_id=after_id)
        self.post_message(msg.NewerLoaded(session_id, messages[:TAIL], len(messages) > TAIL))

    def on_load_newer(self, event: msg.LoadNewer) -> None:
        if self.ready:
            self.load_newer(event.session_id, event.after_id)

    async def on_newer_loaded(self, event: msg.NewerLoaded) -> None:
        await self.chat.append_newer(event.session_id, event.messages, event.has_more)

    @work(thread=True, group="older", exit_on_error=False)
    def load_edge(self, session_id: int, first: bool) -> None:
        store = self.engine.store
        messages = store.messages.list(session_id, limit=TAIL + 1, **({"after_id": 0} if first else {}))
        page = messages[:TAIL] if first else messages[-TAIL:]
        self.post_message(msg.EdgeLoaded(session_id, first, page, len(messages) > TAIL))

    def on_load_edge(self, event: msg.LoadEdge) -> None:
        if self.ready:
            self.load_edge(event.session_id, event.first)

    async def on_edge_loaded(self, event: msg.EdgeLoaded) -> None:
        await self.chat.show_edge(event.session_id, event.first, event.messages, event.has_more)

    def action_chat_scroll(self, how: str) -> None:
        self.chat.scroll_key(how)

    # -- theme ---------------------------------------------------------------------
    def watch_theme(self, theme: str) -> None:
        if self.ready:
            self.save_theme(theme)

    @work(thread=True, group="state", exit_on_error=False)
    def save_theme(self, theme: str) -> None:
        self.engine.store.state.set("theme", theme)

    # -- keys ------------------------------------------------------------------------
    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(Sidebar)
        sidebar.display = not sidebar.display

    def action_focus_prompt(self) -> None:
        self.prompt.focus()

    def action_focus_sessions(self) -> None:
        sidebar = self.query_one(Sidebar)
        sidebar.display = True
        self.query_one(SessionList).focus()

    async def on_unmount(self) -> None:
        if self.engine is not None:
            try:
                await self.engine.aclose()
            except Exception:
                pass
