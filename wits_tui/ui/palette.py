"""Command palette (Ctrl+P) providers: slash commands, sessions, models, themes.

Data is loaded in ``startup`` (off the keystroke path): sessions through a
thread, models from the engine; the palette stays usable while Ollama is down.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from wits_tui.ui.markup import escape


class _ListProvider(Provider):
    """A provider over a fixed list of (title, help, callback) made in ``startup``."""

    items: list[tuple[str, str, Any]]

    async def load(self) -> list[tuple[str, str, Any]]:
        raise NotImplementedError

    async def startup(self) -> None:
        try:
            self.items = await self.load()
        except Exception:
            self.items = []

    async def discover(self) -> Hits:
        for title, help_, callback in self.items:
            yield DiscoveryHit(title, callback, help=escape(help_))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_, callback in self.items:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=escape(help_))


class SlashCommandsProvider(_ListProvider):
    """Every slash command; those that need an argument fill the prompt instead."""

    async def load(self):
        from wits_tui.commands import COMMANDS

        screen = self.app.chat_screen  # type: ignore[attr-defined]
        items = []
        for cmd in COMMANDS.values():
            needs_arg = cmd.usage.split(" ", 1)[-1].startswith(("TITLE", "ID", "NAME", "TEXT", "good")) and " " in cmd.usage
            if needs_arg:
                callback = partial(screen.slash.fill_prompt, f"/{cmd.name} ")
            else:
                callback = partial(screen.slash.run, f"/{cmd.name}")
            items.append((f"/{cmd.name}", f"{cmd.help}  ({cmd.usage})", callback))
        return items


class SessionsProvider(_ListProvider):
    async def load(self):
        screen = self.app.chat_screen  # type: ignore[attr-defined]
        if not screen.ready:
            return []
        sessions = await screen.bridge.call(screen.bridge.engine.store.sessions.list)
        return [(f"Open session: {s.title}", f"#{s.id} · {s.message_count} messages",
                 partial(screen.sessions.open, s.id)) for s in sessions]


class ModelsProvider(_ListProvider):
    async def load(self):
        screen = self.app.chat_screen  # type: ignore[attr-defined]
        if not screen.ready:
            return []
        models = await asyncio.wait_for(screen.bridge.run(screen.bridge.engine.list_models()), timeout=3)
        return [(f"Use model: {m.name}", " · ".join(x for x in (m.parameter_size, m.family) if x),
                 partial(screen.slash.run, f"/model {m.name}")) for m in models]


class ThemesProvider(_ListProvider):
    async def load(self):
        screen = self.app.chat_screen  # type: ignore[attr-defined]
        names = sorted(self.app.available_themes, key=lambda n: (not n.startswith("wits-"), n))
        return [(f"Theme: {n}", "bundled" if n.startswith("wits-") else "",
                 partial(screen.slash.run, f"/theme {n}")) for n in names]


class ModulesProvider(_ListProvider):
    """Switch module: pin one on this session, or go back to automatic routing."""

    async def load(self):
        screen = self.app.chat_screen  # type: ignore[attr-defined]
        if not screen.ready:
            return []
        bridge = screen.bridge
        router = await bridge.call(lambda: bridge.engine.router)
        items = [("Switch module: auto", "route each message to the module that fits it",
                  partial(screen.modules.switch, None))]
        for e in await bridge.run(router.modules()):
            key = f"key {e.key} · " if e.key else ""
            items.append((f"Switch module: {e.name}", f"{key}{e.description}", partial(screen.modules.switch, e.name)))
        return items
