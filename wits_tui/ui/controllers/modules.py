"""The module bar: listing modules, switching and pinning them, and feedback on answers.

A switch shows at once (the bar is updated in the key handler); pinning and
pre-warming the model then run on the engine's loop.
"""

from __future__ import annotations

import asyncio

from textual.binding import Binding

from wits_tui.ui.controllers.base import Controller, error_text

#: Ctrl+digit reaches the app only in terminals with the kitty keyboard protocol (tmux
#: and xterm send a bare digit or NUL); Alt+digit where the terminal reports it as such,
#: and in tmux/xterm with the opt-in preset of ui/keymap.py.
BINDINGS = [
    *(Binding(f"ctrl+{k},alt+{k}", f"pin_module('{k}')", f"Module {k}", id=f"module_{k}", show=False, priority=True)
      for k in range(1, 10)),
    Binding("ctrl+0,alt+0", "auto_module", "Auto", id="auto_module", show=False, priority=True),
    Binding("f5", "auto_module", "Auto", id="auto_module_f5", show=False),
    Binding("f4", "cycle_module", "Module", id="cycle_module"),
]


class ModulesController(Controller):
    def load(self) -> None:
        self.worker(self._load(), group="modules", exclusive=True)

    async def _load(self) -> None:
        engine = self.engine
        try:
            router = await self.bridge.call(lambda: engine.router)
            entries = await self.bridge.run(router.modules(with_loaded=True))
        except Exception as exc:  # noqa: BLE001 - the bar stays as it was; chatting still works
            self.screen.notify(f"cannot list the modules: {exc}", severity="warning")
            return
        session = self.screen.sessions.current
        await self.screen.module_bar.show(entries, session.pinned_module if session else None)

    # -- switching -------------------------------------------------------------------
    def pin_key(self, key: str) -> None:
        entry = next((e for e in self.screen.module_bar.entries if e.key == key), None)
        if entry is None:
            self.screen.notify(f"no module has the key {key}", severity="warning", timeout=3)
        else:
            self.switch(entry.name)

    def cycle(self) -> None:
        bar = self.screen.module_bar
        self.switch(bar.next_after(bar.pinned))

    def switch(self, module: str | None, *, pin: bool = True) -> None:
        """Show the switch now; pin (unless already done) and pre-warm in a worker."""
        session = self.screen.sessions.current
        if not self.screen.ready or session is None:
            return
        self.screen.module_bar.set_pinned(module)
        session.pinned_module = module
        self.worker(self._apply(session.id, module, session.model, pin), group="switch", exclusive=True)

    async def _apply(self, session_id: int, module: str | None, session_model: str | None, pin: bool) -> None:
        engine, prewarm = self.engine, self.screen.settings.routing.prewarm_on_switch

        async def apply() -> None:
            router = await asyncio.to_thread(lambda: engine.router)
            if pin:
                await asyncio.to_thread(router.pin, session_id, module or "auto")
            if module is not None and prewarm:
                await router.prewarm(module, session_model=session_model)

        try:
            await self.bridge.run(apply())
        except Exception as exc:  # noqa: BLE001 - said, and the bar is reloaded
            self.screen.notify(f"switching to {module or 'auto'}: {error_text(exc)}", severity="warning")
        self.load()

    # -- feedback ----------------------------------------------------------------------
    def feedback(self, word: str, message_id: int | None) -> None:
        if self.screen.ready:
            self.worker(self._feedback(word, message_id), group="feedback")

    async def _feedback(self, word: str, message_id: int | None) -> None:
        from wits_tui.commands.routing import rate

        notice = await self.bridge.run(rate(self.screen.slash.context(), word, message_id))
        level = "information" if notice.level == "info" else notice.level
        self.screen.notify(notice.text, severity=level, timeout=3)  # type: ignore[arg-type]
