"""Is Ollama up? A loop that asks, shows the answer in the status bar and says when it changes."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from wits_tui.ui.controllers.base import Controller

if TYPE_CHECKING:
    from wits_tui.engine.core import Health


class HealthMonitor(Controller):
    """Owns ``health``, the last answer (None before the first)."""

    health: "Health | None" = None
    #: The modules' models have been asked about (once a run, when Ollama first answers).
    modules_learnt = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checked_models: set[str] = set()  # the models looked for this run: each one is said at most once

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

    def changed(self, health: "Health") -> None:
        was, self.health = self.health, health
        self.screen.status.set_health(health)
        settings = self.screen.settings
        if health.ok:
            self.screen.setup_card.hide()
            self.check_model()
        elif health.error_type == "connection":
            self.screen.setup_card.show_for(health.host, settings.chat.default_model)
        if was is not None and was.ok != health.ok:
            if health.ok:
                self.screen.notify(f"Ollama is back at {health.host}", title="Connected")
            else:
                self.screen.notify(health.hint or health.error or "Ollama stopped answering",
                                   title="Ollama is down", severity="warning")

    def check_model(self) -> None:
        """Say at once (not at the first send) when the open chat's model is not installed: its own
        (/model) or the default. Called when Ollama answers and when a chat is shown; each model once a run."""
        session = self.screen.sessions.current
        if self.health is None or not self.health.ok or session is None:
            return
        model = self.engine.model_for(session)
        if model not in self.checked_models:
            self.checked_models.add(model)
            self.worker(self._check_model(model, session.id, own=bool(session.model)), group="model-check")

    async def _check_model(self, model: str, session_id: int, *, own: bool) -> None:
        from wits_tui.engine.model_check import missing_model

        try:
            installed = [m.name for m in await self.bridge.run(self.engine.list_models())]
        except Exception:  # noqa: BLE001 - the health loop reports a server that stops answering
            self.checked_models.discard(model)
            return
        if own:
            problem = missing_model(model, installed, pull="/pull {model}", what="this chat's model", choose="/model NAME")
        else:
            problem = missing_model(model, installed, pull="/pull {model}", what="the default model",
                                    choose="/model NAME for this chat, or chat.default_model in the config (`wits config path` shows where)")
        current = self.screen.sessions.current
        if problem and current is not None and current.id == session_id:
            await self.screen.chat.add_notice(problem, "warning")
        elif problem:
            self.checked_models.discard(model)  # another chat opened meanwhile: said when one using it is shown
        if not self.modules_learnt:
            self.modules_learnt = True
            try:  # the modules' models, known before a turn is routed to one of them
                await self.bridge.run(self.engine.learn_module_models(installed))
            except Exception:  # noqa: BLE001 - a background look-up; a turn asks again if it must
                pass
