"""The context window in the TUI: the status bar figure, the one-time "no longer fits"
note in the chat, and the start-up warning about Ollama's default window."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from textual.css.query import NoMatches

from wits_tui.engine.catalog import short_tokens, trimmed_notice, window_warning
from wits_tui.ui import messages as msg

#: Sessions already told that older messages no longer fit (once per session and app run).
_TOLD: set[tuple[int, int]] = set()


async def show_context(app: Any, event: msg.ContextChanged) -> None:
    info = event.event
    session = getattr(app, "session", None)
    if session is None or session.id != event.session_id or not app.is_running:
        return
    source = {"num_ctx": "set with /set num_ctx", "ollama": "reported by Ollama",
              "default": "Ollama's default, assumed"}.get(info.window_source, info.window_source)
    trained = f"; trained for {short_tokens(info.trained)}" if info.trained else ""
    how = "estimated before the answer" if info.estimated else "counted by Ollama"
    app.status.set_context(info.used_tokens, info.window, estimated=info.estimated,
                           warn_at=app.settings.chat.context_warn_fraction,
                           tooltip=f"{info.model}: window {short_tokens(info.window)} ({source}{trained}); {how}")
    key = (id(app), event.session_id)
    if info.estimated and info.trimmed and key not in _TOLD:
        _TOLD.add(key)
        await app.chat.add_notice(trimmed_notice(info.trimmed, info.window, info.trained), "warning")


async def check_window(app: Any, session: Any) -> None:
    """After a session opens: refresh the model cache and warn when Ollama's default
    window is smaller than the model's trained length (shown once per model)."""
    engine = app.engine
    model = engine.model_for(session)
    try:
        app.status.set_context(None)
        await asyncio.wait_for(engine.catalog.refresh([model]), timeout=10)
    except (asyncio.TimeoutError, NoMatches, Exception):  # noqa: BLE001 - a warning must never fail anything
        return
    num_ctx = session.option_values().get("num_ctx")
    warning = window_warning(model, engine.catalog.window(model, num_ctx))
    told: set[str] = app.__dict__.setdefault("_window_warned", set())
    if warning and model not in told and getattr(app, "session", None) is session:
        told.add(model)
        with contextlib.suppress(NoMatches):  # the app may be closing
            await app.chat.add_notice(warning, "warning")
