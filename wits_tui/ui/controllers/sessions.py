"""Which session is shown: opening, switching, the sidebar list, older messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.worker import Worker

from wits_tui.engine.textsafe import safe_fields, terminal_safe
from wits_tui.ui.controllers.base import Controller

if TYPE_CHECKING:
    from wits_tui.engine.store import Store
    from wits_tui.engine.store.records import Session

TAIL = 40  # messages shown when a session opens; older ones load on scrolling up


@dataclass(frozen=True, slots=True)
class SessionView:
    """What opening a session reads from the store (on the engine thread)."""

    session: "Session"
    messages: list[Any]
    has_more: bool
    focus_message_id: int | None = None


def read_session(store: "Store", session_id: int, focus_message_id: int | None = None,
                 *, switch: bool = True) -> SessionView:
    """Sync; run on the engine thread. ``switch``: make it the active session too."""
    session = store.sessions.switch(session_id) if switch else store.sessions.get(session_id)
    if focus_message_id is None:
        messages = store.messages.list(session_id, limit=TAIL + 1)
        return SessionView(session, messages[-TAIL:], len(messages) > TAIL)
    older = store.messages.list(session_id, limit=TAIL // 2 + 1, before_id=focus_message_id + 1)
    newer = store.messages.list(session_id, limit=TAIL // 2, after_id=focus_message_id)
    return SessionView(session, older[-(TAIL // 2):] + newer, len(older) > TAIL // 2, focus_message_id)


def shown(rows: list[Any], field: str) -> list[Any]:
    """Copies of stored rows fit for the terminal: control characters made visible."""
    return [safe_fields(r, field) for r in rows]


class SessionsController(Controller):
    """Owns ``current``, the session on screen (None until the engine is open)."""

    current: "Session | None" = None

    async def show(self, view: SessionView) -> None:
        screen = self.screen
        await screen.chat.show_session(view.session.id, shown(view.messages, "content"), view.has_more,
                                       view.focus_message_id)
        self.current = view.session  # once it is on screen (as stored: a rename starts from the real title)
        screen.status.set_session(view.session.id, terminal_safe(view.session.title))
        screen.status.set_model(self.engine.model_for(view.session))
        screen.module_bar.set_pinned(view.session.pinned_module)
        screen.health.check_model()
        from wits_tui.ui.context_view import check_window

        self.worker(check_window(screen, view.session), group="context", exclusive=True)

    def open(self, session_id: int, focus_message_id: int | None = None) -> Worker[None]:
        return self.worker(self._open(session_id, focus_message_id), group="open-session", exclusive=True)

    async def _open(self, session_id: int, focus_message_id: int | None) -> None:
        view = await self.bridge.call(read_session, self.engine.store, session_id, focus_message_id)
        await self.show(view)
        self.refresh()

    def refresh(self) -> None:
        self.worker(self._refresh(), group="sessions")

    async def _refresh(self) -> None:
        store = self.engine.store
        sessions, active_id = await self.bridge.call(lambda: (store.sessions.list(), store.sessions.active_id()))
        self.show_list(sessions, active_id)

    def show_list(self, sessions: list[Any], active_id: int | None) -> None:
        screen = self.screen
        screen.session_list.show(shown(sessions, "title"), active_id)
        current = next((s for s in sessions if self.current is not None and s.id == self.current.id), None)
        if current is not None:
            self.current = current
            screen.status.set_session(current.id, terminal_safe(current.title))
            screen.status.set_model(self.engine.model_for(current))

    def load_older(self, session_id: int, before_id: int) -> None:
        self.worker(self._load_older(session_id, before_id), group="older")

    async def _load_older(self, session_id: int, before_id: int) -> None:
        messages = await self.bridge.call(self.engine.store.messages.list, session_id, limit=TAIL + 1,
                                          before_id=before_id)
        await self.screen.chat.prepend(session_id, shown(messages[-TAIL:], "content"), len(messages) > TAIL,
                                       before_id)

    def load_newer(self, session_id: int, after_id: int) -> None:
        self.worker(self._load_newer(session_id, after_id), group="older")

    async def _load_newer(self, session_id: int, after_id: int) -> None:
        messages = await self.bridge.call(self.engine.store.messages.list, session_id, limit=TAIL + 1,
                                          after_id=after_id)
        await self.screen.chat.append_newer(session_id, shown(messages[:TAIL], "content"), len(messages) > TAIL,
                                            after_id)

    def load_edge(self, session_id: int, first: bool) -> None:
        """The first page of the session (Ctrl+Home past what the chat holds) or the last one."""
        self.worker(self._load_edge(session_id, first), group="older")

    async def _load_edge(self, session_id: int, first: bool) -> None:
        store = self.engine.store
        if first:
            messages = await self.bridge.call(store.messages.list, session_id, limit=TAIL + 1, after_id=0)
            page = messages[:TAIL]
        else:
            messages = await self.bridge.call(store.messages.list, session_id, limit=TAIL + 1)
            page = messages[-TAIL:]
        await self.screen.chat.show_edge(session_id, first, shown(page, "content"), len(messages) > TAIL)
