"""The classifier's example messages, embedded in the background once the engine is open.

On a fresh home that is a few hundred texts for the embedding model (batched, then cached in
SQLite); turns never wait for it: until it is done they are routed by keywords. When it takes
longer than ``NOTICE_AFTER_S`` a notice says so, and another when it is done.
"""

from __future__ import annotations

import time

from wits_tui.ui.controllers.base import Controller
from wits_tui.ui.controllers.memory import until_quiet

#: Quiet when the bank comes from the cache or a fast server; a notice when people would wait.
NOTICE_AFTER_S = 5.0


class RoutingBank(Controller):
    def start(self) -> None:
        routing = self.screen.settings.routing
        # Headless (tests, `wits export`): left to the first turn as before, so snapshot runs stay
        # deterministic; the engine side (batches, progress, turns not waiting) has its own tests.
        if routing.enabled and routing.use_embeddings and not self.screen.app.is_headless:
            self.worker(self._prepare(), group="routing-bank", exclusive=True)

    async def _prepare(self) -> None:
        for w in [w for w in self.screen.workers if w.group == "memory-open" and w.node is self.screen]:
            try:  # one heavy start-up job at a time: both load the CPU (lancedb's import, JSON vectors)
                await w.wait()
            except Exception:  # noqa: BLE001 - the memory's failure is shown by its own controller
                pass
        await until_quiet(self.screen)
        started = time.monotonic()
        counts: list[int] = [0, 0]  # done, total (written on the engine's thread)

        def progress(done: int, total: int) -> None:
            counts[:] = [done, total]

        def notice() -> None:
            done, total = counts
            if done < total:
                shown.append(True)
                self.screen.notify(f"Embedding example messages for routing ({done}/{total}) in the background; "
                                   "until then messages are routed by keywords.", title="Routing")

        shown: list[bool] = []
        timer = self.screen.set_timer(NOTICE_AFTER_S, notice)
        try:
            router = await self.bridge.call(lambda: self.engine.router)
            ok = await self.bridge.run(router.prepare(progress))
        finally:
            timer.stop()
        if ok and shown:
            self.screen.notify(f"Routing by meaning is ready ({counts[1]} examples, {time.monotonic() - started:.0f} s).",
                               title="Routing")
