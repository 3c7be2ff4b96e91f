"""Is Ollama up? A loop that asks, shows the answer in the status bar and says when it changes."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from wits_tui.ui.controllers.base import Controller

if TYPE_CHECKING:
    from wits_tui.engine.core import Health


class HealthMonitor(Controller):
    """Owns ``health``, the last answer (None before the first)."""

    health: "Health | None" = None

    def start(self) -> None:
        self.worker(self._loop(), group="health", exclusive=True)

    async def _loop(self) -> None:
        from wits_tui.engine.core import Health

        settings = self.screen.settings.ollama
        while True:
            try:
                health = await self.bridge.run(self.engine.health())
            except Exception as exc:  # noqa: BLE001 - shown as "down"; the loop goes on
                health = Health(ok=False, host=settings.host, error=str(exc))
            self.changed(health)
            # Down: look again soon, so the app recovers by itself when Ollama comes up.
            await asyncio.sleep(settings.health_interval if health.ok else min(2.0, settings.health_interval))

    #: The configured model has been looked for (once a run, when Ollama first answers).
    model_checked = False

    def changed(self, health: "Health") -> None:
        was, self.health = self.health, health
        self.screen.status.set_health(health)
        settings = self.screen.settings
        if health.ok:
            self.screen.setup_card.hide()
            if not self.model_checked:
                self.model_checked = True
                self.worker(self._check_model(settings.chat.default_model), group="model-check")
        elif health.error_type == "connection":
            self.screen.setup_card.show_for(health.host, settings.chat.default_model)
        if was is not None and was.ok != health.ok:
            if health.ok:
                self.screen.notify(f"Ollama is back at {health.host}", title="Connected")
            else:
                self.screen.notify(health.hint or health.error or "Ollama stopped answering",
                                   title="Ollama is down", severity="warning")

    async def _check_model(self, model: str) -> None:
        """Say at once when the configured model is not installed (not at the first send)."""
        from wits_tui.engine.model_check import missing_model

        try:
            installed = [m.name for m in await self.bridge.run(self.engine.list_models())]
        except Exception:  # noqa: BLE001 - the health loop reports a server that stops answering
            return
        problem = missing_model(model, installed, pull="/pull {model}", what="the default model",
                                choose="/model NAME for this chat, or chat.default_model in the config (`wits config path` shows where)")
        if problem:
            await self.screen.chat.add_notice(problem, "warning")
        try:  # the modules' models, known before a turn is routed to one of them
            await self.bridge.run(self.engine.learn_module_models(installed))
        except Exception:  # noqa: BLE001 - a background look-up; a turn asks again if it must
            pass
