"""Module switching, feedback and training in the TUI (a mixin of the app).

A switch shows at once (the bar is updated in the key handler); pinning and
pre-warming the model then run in a worker.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import work
from textual.binding import Binding

from wits_tui.ui import messages as msg
from wits_tui.ui.widgets.module_bar import ModuleBar

#: Ctrl+digit reaches the app only in terminals with the kitty keyboard protocol (tmux
#: and xterm send a bare digit or NUL). Alt+digit arrives as ESC digit, which Textual
#: reads as the macOS Option character of that digit (ESC 2 -> "™"), so those key
#: names are bound too. Priority: the prompt would otherwise insert them as text.
#: Someone who types these characters remaps ``module_N`` in [keymap].
ALT_DIGIT = {"1": "inverted_exclamation_mark", "2": "trade_mark_sign", "3": "pound_sign", "4": "cent_sign",
             "5": "infinity", "6": "section_sign", "7": "pilcrow_sign", "8": "bullet", "9": "ª", "0": "º"}
BINDINGS = [
    *(Binding(f"ctrl+{k},alt+{k},{ALT_DIGIT[str(k)]}", f"pin_module('{k}')", f"Module {k}", id=f"module_{k}",
              show=False, priority=True) for k in range(1, 10)),
    Binding("ctrl+0,alt+0,º", "auto_module", "Auto", id="auto_module", show=False, priority=True),
    Binding("f5", "auto_module", "Auto", id="auto_module_f5", show=False),
    Binding("f4", "cycle_module", "Module", id="cycle_module"),
]


class ModulesMixin:
    """Needs the app's ``engine``, ``session``, ``ready``, ``chat`` and ``notify``."""

    @property
    def module_bar(self) -> ModuleBar:
        # The main screen's bar, also while a dialog or the palette is on top.
        return self.screen_stack[0].query_one(ModuleBar)

    @work(exclusive=True, group="modules", exit_on_error=False)
    async def load_modules(self) -> None:
        try:
            router = await asyncio.to_thread(lambda: self.engine.router)
            entries = await router.modules(with_loaded=True)
        except Exception as exc:  # the bar stays as it was; chatting still works
            self.notify(f"cannot list the modules: {exc}", severity="warning")
            return
        self.post_message(msg.ModulesLoaded(entries, self.session.pinned_module if self.session else None))

    async def on_modules_loaded(self, event: msg.ModulesLoaded) -> None:
        pinned = self.session.pinned_module if self.session else event.pinned
        bars = self.screen_stack[0].query(ModuleBar) if self.screen_stack else []
        for bar in bars:  # none while the app shuts down
            await bar.show(event.entries, pinned)

    # -- switching -------------------------------------------------------------------
    def action_pin_module(self, key: str) -> None:
        entry = next((e for e in self.module_bar.entries if e.key == key), None)
        if entry is None:
            self.notify(f"no module has the key {key}", severity="warning", timeout=3)
        else:
            self.switch_module(entry.name)

    def action_cycle_module(self) -> None:
        self.switch_module(self.module_bar.next_after(self.module_bar.pinned))

    def action_auto_module(self) -> None:
        self.switch_module(None)

    def switch_module(self, module: str | None, *, pin: bool = True) -> None:
        """Show the switch now; pin (unless already done) and pre-warm in a worker."""
        if not self.ready or self.session is None:
            return
        self.module_bar.set_pinned(module)
        self.session.pinned_module = module
        self.apply_switch(self.session.id, module, self.session.model, pin)

    @work(exclusive=True, group="switch", exit_on_error=False)
    async def apply_switch(self, session_id: int, module: str | None, session_model: str | None, pin: bool) -> None:
        try:
            router = await asyncio.to_thread(lambda: self.engine.router)
            if pin:
                await asyncio.to_thread(router.pin, session_id, module or "auto")
            if module is not None and self.settings.routing.prewarm_on_switch:
                await router.prewarm(module, session_model=session_model)
        except Exception as exc:
            self.notify(f"switching to {module or 'auto'}: {getattr(exc, 'message', None) or exc}",
                        severity="warning")
        self.load_modules()

    # -- feedback ----------------------------------------------------------------------
    def on_feedback_given(self, event: msg.FeedbackGiven) -> None:
        if self.ready:
            self.give_feedback(event.word, event.message_id)

    @work(group="feedback", exit_on_error=False)
    async def give_feedback(self, word: str, message_id: int | None) -> None:
        from wits_tui.commands.routing import rate

        notice = await rate(self.command_context(), word, message_id)
        self.notify(notice.text, severity="information" if notice.level == "info" else notice.level, timeout=3)

    # -- training ------------------------------------------------------------------------
    training_running: bool = False

    @work(exclusive=True, group="train", exit_on_error=False)
    async def run_train(self, module: str, data: Any, validation: Any) -> None:
        from wits_tui.engine.routing.training import TrainingDataError, progress_line, train_module

        self.training_running = True

        def progress(p: Any) -> None:
            fraction = p.done / p.total if p.total else None
            self.post_message(msg.TrainUpdate(f"train {module}: {progress_line(p)}", fraction))

        try:
            router = await asyncio.to_thread(lambda: self.engine.router)
            record = await train_module(module, registry=router.registry, store=self.engine.store,
                                        backend=self.engine.backend, data=data, validation=validation,
                                        on_progress=progress)
            await asyncio.to_thread(router.reload)
        except TrainingDataError as exc:
            self.post_message(msg.TrainFinished(module, str(exc), "error"))
        except Exception as exc:
            self.post_message(msg.TrainFinished(module, f"training {module} failed: {exc}", "error"))
        else:
            report = record.report
            v = report.get("validation")
            score = (f"; validation exact {v['exact_match']:.0%}, similarity {v['mean_similarity']:.2f}"
                     if isinstance(v, dict) else "")
            self.post_message(msg.TrainFinished(
                module, f"trained {module}: {report['examples']} examples; model {report.get('derived_model')}{score}"))
        finally:
            self.training_running = False

    def on_train_update(self, event: msg.TrainUpdate) -> None:
        from wits_tui.ui.widgets.progress import JobProgress

        self.query_one(JobProgress).show(event.text, event.fraction, owner="train")

    async def on_train_finished(self, event: msg.TrainFinished) -> None:
        from wits_tui.ui.widgets.progress import JobProgress

        self.query_one(JobProgress).hide("train")
        await self.chat.add_notice(event.text, event.level)
        self.load_modules()
