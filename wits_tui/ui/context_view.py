"""The context window in the TUI: the status bar figure, the one-time "no longer fits"
note in the chat, and the start-up warning about Ollama's default window.

``screen`` is the chat screen (:class:`wits_tui.ui.screens.chat.ChatScreen`)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from textual.css.query import NoMatches

from wits_tui.engine.catalog import short_tokens, trimmed_notice, window_warning
from wits_tui.ui import messages as msg

SOURCES = {"num_ctx": "set with /set num_ctx", "ollama": "reported by Ollama", "default": "Ollama's default, assumed"}


async def show_context(screen: Any, event: msg.ContextChanged) -> None:
    info = event.event
    session = screen.sessions.current
    if session is None or session.id != event.session_id or screen.closing:
        return
    source = SOURCES.get(info.window_source, info.window_source)
    trained = f"; trained for {short_tokens(info.trained)}" if info.trained else ""
    how = "estimated before the answer" if info.estimated else "counted by Ollama"
    screen.__dict__["_context_of"] = event.session_id
    screen.status.set_context(info.used_tokens, info.window, estimated=info.estimated,
                              warn_at=screen.settings.chat.context_warn_fraction,
                              tooltip=f"{info.model}: window {short_tokens(info.window)} ({source}{trained}); {how}")
    told: set[int] = screen.__dict__.setdefault("_trim_told", set())
    if info.estimated and info.trimmed and event.session_id not in told:
        told.add(event.session_id)  # once per session (and run)
        await screen.chat.add_notice(trimmed_notice(info.trimmed, info.window, info.trained), "warning")


async def check_window(screen: Any, session: Any) -> None:
    """After a session opens: refresh the model cache (on the engine's loop) and warn when
    Ollama's default window is smaller than the model's trained length (once per model)."""
    engine = screen.bridge.engine
    model = engine.model_for(session)
    try:
        if screen.__dict__.get("_context_of") != session.id:  # another session: its figure comes with its next turn
            screen.status.set_context(None)
        await asyncio.wait_for(screen.bridge.run(engine.catalog.refresh([model])), timeout=10)
    except (TimeoutError, NoMatches, Exception):  # noqa: BLE001 - a warning must never fail anything
        return
    num_ctx = session.option_values().get("num_ctx")
    warning = window_warning(model, engine.catalog.window(model, num_ctx))
    told: set[str] = screen.__dict__.setdefault("_window_warned", set())
    current = screen.sessions.current
    if warning and model not in told and current is not None and current.id == session.id and not screen.closing:
        told.add(model)
        with contextlib.suppress(NoMatches):
            await screen.chat.add_notice(warning, "warning")
