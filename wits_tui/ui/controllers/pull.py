"""/pull: download a model with a progress bar; Esc stops it."""

from __future__ import annotations

import asyncio
import time

from textual.worker import Worker

from wits_tui.ui import messages as msg
from wits_tui.ui.controllers.base import Controller, error_text

OWNER = "pull"  # of the progress bar


STOPPED = "stopped"  # the error a pull stopped with Esc reports: not a failure


class PullJob(Controller):
    worker_: Worker[None] | None = None

    @property
    def running(self) -> bool:
        w = self.worker_
        return w is not None and not w.is_finished and not w.is_cancelled

    async def start(self, model: str) -> None:
        if self.running:
            await self.screen.chat.add_notice("a pull is already running; Esc stops it", "warning")
            return
        self.worker_ = self.worker(self._run(model), group="pull", exclusive=True)

    def stop(self) -> bool:
        if not self.running or self.worker_ is None:
            return False
        self.worker_.cancel()
        return True

    async def _run(self, model: str) -> None:
        screen, engine = self.screen, self.engine
        error: str | None = None
        last = 0.0
        stream = self.bridge.stream(lambda: engine.pull(model))
        try:
            async for p in stream:
                now = time.monotonic()
                if now - last > 0.1 or p.fraction == 1.0:
                    last = now
                    pct = "" if p.fraction is None else f" {p.fraction:.0%}"
                    screen.job.show(f"pull {model}: {p.status}{pct}", p.fraction, owner=OWNER)
        except asyncio.CancelledError:
            error = STOPPED
            raise
        except Exception as exc:  # noqa: BLE001 - reported in the chat
            error = error_text(exc)
        finally:
            stream.cancel()
            screen.post_message(msg.PullFinished(model, error))  # dropped if the screen is closing

    async def finished(self, event: msg.PullFinished) -> None:
        self.screen.job.hide(OWNER)
        self.screen.slash.cache.pop("models", None)
        if event.error == STOPPED:
            await self.screen.chat.add_notice(f"pull {event.model} stopped (what was downloaded is kept: "
                                              f"/pull {event.model} goes on from there)", "warning")
        elif event.error:
            await self.screen.chat.add_notice(f"pull {event.model} failed: {event.error}", "error")
        else:
            await self.screen.chat.add_notice(f"pulled {event.model}")
