"""Long jobs started by slash commands in the line mode: progress as plain lines."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from wits_tui.commands import StartDocsJob, StartMemoryJob, StartTraining
from wits_tui.plain import render

Say = Callable[[str], None]


def _progress_printer(say: Say) -> Callable[[str, float | None], None]:
    """Prints a progress line when it changes (tenths of a fraction), so a pipe is not flooded."""
    last: list[str] = []

    def progress(label: str, fraction: float | None) -> None:
        line = label if fraction is None else f"{label} {int(fraction * 10) * 10}%"
        if not last or last[-1] != line:
            last.append(line)
            say(line)

    return progress


async def memory_job(say: Say, engine: Any, job: StartMemoryJob) -> None:
    from wits_tui.commands.memory import run_memory_job

    say(render.notice(await run_memory_job(engine.memory, job, _progress_printer(say))))


async def train(say: Say, engine: Any, job: StartTraining) -> None:
    from wits_tui.engine.routing.training import TrainingDataError, progress_line, train_module

    progress = _progress_printer(say)
    try:
        router = await asyncio.to_thread(lambda: engine.router)
        record = await train_module(
            job.module, registry=router.registry, store=engine.store, backend=engine.backend, data=job.data,
            validation=job.validation,
            on_progress=lambda p: progress(f"train {job.module}: {progress_line(p)}", p.done / p.total if p.total else None))
        await asyncio.to_thread(router.reload)
    except TrainingDataError as exc:
        say(f"error: {exc}")
        return
    except Exception as exc:  # noqa: BLE001 - reported, the chat goes on
        say(f"error: training {job.module} failed: {exc}")
        return
    report = record.report
    say(f"trained {job.module}: {report['examples']} examples; model {report.get('derived_model')}")


async def docs_job(say: Say, engine: Any, job: StartDocsJob) -> None:
    """Index collections; Ctrl+C stops (what was indexed is kept)."""
    from wits_tui.commands.docs import run_docs_job

    shown: list[int] = []

    def progress(line: str, fraction: float | None) -> None:  # a line per tenth, not per file
        step = -1 if fraction is None else int(fraction * 10)
        if step >= 0 and (not shown or shown[-1] != step):
            shown.append(step)
            say(line)

    say(render.notice(await run_docs_job(engine, job, progress)))
