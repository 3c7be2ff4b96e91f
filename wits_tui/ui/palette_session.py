"""Command palette provider for this session's own settings: thinking, system prompt and
the model options of /set, each shown with its current value."""

from __future__ import annotations

from functools import partial
from typing import Any

from wits_tui.ui.palette import _ListProvider


class SessionSettingsProvider(_ListProvider):
    async def load(self) -> list[tuple[str, str, Any]]:
        from wits_tui.commands.impl import one_line
        from wits_tui.engine.session_params import OPTION_NAMES, describe_option

        screen = self.app.chat_screen  # type: ignore[attr-defined]
        current = screen.sessions.current if screen.ready else None
        if current is None:
            return []
        session = await screen.bridge.call(screen.bridge.engine.store.sessions.get, current.id)
        default = screen.settings.chat.think
        items: list[tuple[str, str, Any]] = []
        for choice in ("on", "off", "low", "medium", "high"):
            now = " (now)" if (session.think or default) == choice else ""
            items.append((f"Thinking: {choice}{now}", "this session; models that can think",
                          partial(screen.slash.run, f"/think {choice}")))
        system = one_line(session.system_prompt, 60) if session.system_prompt else "none of its own"
        items.append((f"System prompt of this session: {system}", "added after the module's, or --replace",
                      partial(screen.slash.fill_prompt, "/system ")))
        values = session.option_values()
        for name in OPTION_NAMES:
            now = f" = {values[name]}" if name in values else " (default)"
            items.append((f"Set {name}{now}", describe_option(name), partial(screen.slash.fill_prompt, f"/set {name} ")))
        return items
