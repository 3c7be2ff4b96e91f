"""/train: fit a module on examples, with a progress bar, on the engine's loop."""

from __future__ import annotations

from typing import Any

from textual.worker import Worker

from wits_tui.ui import messages as msg
from wits_tui.ui.controllers.base import Controller

OWNER = "train"  # of the progress bar


class TrainingJob(Controller):
    worker_: Worker[None] | None = None

    @property
    def running(self) -> bool:
        w = self.worker_
        return w is not None and not w.is_finished and not w.is_cancelled

    async def start(self, module: str, data: Any, validation: Any) -> None:
        if self.running:
            await self.screen.chat.add_notice("a training is already running", "warning")
            return
        self.worker_ = self.worker(self._run(module, data, validation), group="train", exclusive=True)

    async def _run(self, module: str, data: Any, validation: Any) -> None:
        screen = self.screen
        outcome = await self.bridge.run(_train(self.engine, module, data, validation, screen.post_message))
        screen.post_message(outcome)

    def update(self, event: msg.TrainUpdate) -> None:
        self.screen.job.show(event.text, event.fraction, owner=OWNER)

    async def finished(self, event: msg.TrainFinished) -> None:
        self.screen.job.hide(OWNER)
        await self.screen.chat.add_notice(event.text, event.level)
        self.screen.modules.load()


async def _train(engine: Any, module: str, data: Any, validation: Any, post: Any) -> msg.TrainFinished:
    """On the engine loop: train, and say how it went (progress is posted as it goes)."""
    import asyncio

    from wits_tui.engine.routing.training import TrainingDataError, progress_line, train_module

    def progress(p: Any) -> None:
        fraction = p.done / p.total if p.total else None
        post(msg.TrainUpdate(f"train {module}: {progress_line(p)}", fraction))

    try:
        router = await asyncio.to_thread(lambda: engine.router)
        record = await train_module(module, registry=router.registry, store=engine.store, backend=engine.backend,
                                    data=data, validation=validation, on_progress=progress)
        await asyncio.to_thread(router.reload)
    except TrainingDataError as exc:
        return msg.TrainFinished(module, str(exc), "error")
    except Exception as exc:  # noqa: BLE001 - reported in the chat
        return msg.TrainFinished(module, f"training {module} failed: {exc}", "error")
    report = record.report
    v = report.get("validation")
    score = (f"; validation exact {v['exact_match']:.0%}, similarity {v['mean_similarity']:.2f}"
             if isinstance(v, dict) else "")
    return msg.TrainFinished(
        module, f"trained {module}: {report['examples']} examples; model {report.get('derived_model')}{score}")
