"""Slash commands for long-term memory (/remember /forget /memory) and the jobs they start.

Memory methods that call the backend are async and run on the caller's loop; the
ones that touch LanceDB block and go through ``ctx.db`` (a thread). The memory is
opened on first use here too (a no-op once the front end has opened it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from wits_tui.commands import describe
from wits_tui.commands.context import CommandContext
from wits_tui.commands.impl import UsageError, _need_session, _one_line
from wits_tui.engine.clock import to_minute
from wits_tui.commands.results import Listing, Notice, Result, Row, StartMemoryJob

SUBCOMMANDS = ("search", "prune", "on", "off", "reembed")
MEMORY_USAGE = "/memory [search TEXT|prune [STRATEGY]|on|off|reembed]"
#: At most this many segments are listed in the /forget question.
FORGET_SHOWN = 8

Progress = Callable[[str, float | None], None]


class MemoryUnavailable(Exception):
    """Memory is switched off or broken; the message says what to do."""


async def _open_memory(ctx: CommandContext) -> Any:
    memory = ctx.engine.memory
    if memory is None:
        raise MemoryUnavailable("memory is switched off in the config (memory.enabled = false)")
    status = await ctx.db(memory.open)
    if status.state == "broken":
        raise MemoryUnavailable(f"memory is broken: {status.message}; {status.hint}")
    return memory


async def session_memories(ctx: CommandContext, session_id: int) -> int | None:
    """How many memories came from the session; None when memory is off or unreadable."""
    memory = ctx.engine.memory
    if memory is None:
        return None
    status = await ctx.db(memory.open)
    if not status.usable:
        return None
    return int(await ctx.db(memory.session_memories, session_id))


async def forget_session(ctx: CommandContext, session_id: int) -> str:
    """Remove a deleted or cleared session's memories; a sentence for the notice."""
    memory = ctx.engine.memory
    if memory is None:
        return ""
    status = await ctx.db(memory.open)
    if not status.usable:
        return f"; its memories could not be removed ({status.message}): run /forget once memory works"
    removed = await ctx.db(memory.forget_session, session_id)
    return f" and {removed} memories" if removed else ""


def also_removes(memories: int | None) -> str:
    return f" This also removes {memories} memories." if memories else ""


def _guarded(fn: Callable[[CommandContext, str], Any]) -> Callable[[CommandContext, str], Any]:
    async def run(ctx: CommandContext, args: str) -> Result:
        try:
            return await fn(ctx, args)
        except MemoryUnavailable as exc:
            return Notice(str(exc), "warning")
        except RuntimeError as exc:  # the facade's "memory is <state>" for writes it cannot do
            return Notice(str(exc), "error")
    return run


@_guarded
async def cmd_remember(ctx: CommandContext, args: str) -> Result:
    if not args:
        raise UsageError("what should I remember?")
    memory = await _open_memory(ctx)
    segment = await memory.remember(args, session_id=ctx.session_id)
    return Notice(f"remembered: {_one_line(segment.text)}")


@_guarded
async def cmd_forget(ctx: CommandContext, args: str) -> Result:
    if not args:
        raise UsageError("what should I forget? give words from it")
    memory = await _open_memory(ctx)
    found = await memory.find_for_forget(args)
    if not found:
        return Notice(f"nothing in memory matches {args!r}")
    lines = [f"  {to_minute(s.created_at)} · {_one_line(s.text, 60)}" for s in found[:FORGET_SHOWN]]
    if len(found) > FORGET_SHOWN:
        lines.append(f"  … and {len(found) - FORGET_SHOWN} more")
    question = f"Forget these {len(found)} memories?\n" + "\n".join(lines)
    if not await ctx.frontend.confirm(question):
        return Notice("kept them")
    removed = await ctx.db(memory.forget, [s.id for s in found])
    return Notice(f"forgot {removed} memories")


def _stats_line(stats: Any, recall_on: bool | None) -> str:
    parts = [f"memory: {stats.status.state}", f"{stats.segments} segments",
             f"{describe.megabytes(stats.size_bytes)} of {describe.megabytes(stats.cap_bytes)} "
             f"(prunes at {describe.megabytes(stats.threshold_bytes)})"]
    if stats.embed_model:
        parts.append(f"embeddings {stats.embed_model}")
    last = stats.last_prune
    parts.append(f"last prune {to_minute(last.get('at', ''))}: removed {last.get('removed', 0)}" if last else "never pruned")
    if recall_on is not None:
        parts.append(f"recall {'on' if recall_on else 'off'} in this session")
    return " · ".join(parts)


async def _stats(ctx: CommandContext) -> Result:
    from wits_tui.engine.memory.session_flags import recall_enabled

    memory = await _open_memory(ctx)
    stats = await ctx.db(memory.stats)
    recall_on = await ctx.db(recall_enabled, ctx.store, ctx.session_id) if ctx.session_id is not None else None
    level = "warning" if stats.status.state == "text_only" else "info"
    hint = f" ({stats.status.message})" if stats.status.state == "text_only" and stats.status.message else ""
    return Notice(_stats_line(stats, recall_on) + hint, level)


async def _search(ctx: CommandContext, text: str) -> Result:
    if not text:
        raise UsageError("what should I search for?")
    memory = await _open_memory(ctx)
    hits = await memory.search(text, 20)
    rows = []
    for h in hits:
        score = f"{h.similarity:.2f}" if h.similarity is not None else (
            f"text {h.text_score:.2f}" if h.text_score is not None else f"{h.score:.2f}")
        rows.append(Row((to_minute(h.created_at), h.segment.kind, score, _one_line(h.text, 80))))
    return Listing(f"Memory: {text}", ("when (UTC)", "kind", "similarity", "text"), tuple(rows),
                   empty=f"nothing in memory matches {text!r}")


async def _recall(ctx: CommandContext, on: bool) -> Result:
    from wits_tui.engine.memory.session_flags import set_recall_enabled

    session_id = _need_session(ctx)
    await ctx.db(set_recall_enabled, ctx.store, session_id, on)
    if on:
        return Notice("memory recall is on for this session")
    return Notice("memory recall is off for this session (answers do not use what memory holds)")


@_guarded
async def cmd_memory(ctx: CommandContext, args: str) -> Result:
    sub, _, rest = args.partition(" ")
    sub, rest = sub.lower(), rest.strip()
    if not sub:
        return await _stats(ctx)
    if sub == "search":
        return await _search(ctx, rest)
    if sub in ("on", "off") and not rest:
        return await _recall(ctx, sub == "on")
    if sub == "prune":
        from wits_tui.engine.memory.pruning import STRATEGIES

        if rest and rest not in STRATEGIES:
            raise UsageError(f"the strategy is one of {', '.join(STRATEGIES)}, not {rest!r}")
        await _open_memory(ctx)
        return StartMemoryJob("prune", rest or None)
    if sub == "reembed" and not rest:
        await _open_memory(ctx)
        return StartMemoryJob("reembed")
    raise UsageError(f"unknown /memory subcommand {sub!r}")


async def run_memory_job(memory: Any, job: StartMemoryJob, progress: Progress) -> Notice:
    """Run a prune (in a thread) or a re-embedding (on this loop), reporting ``progress(label, fraction)``
    (called from the thread for a prune). Never raises: failures come back as an error notice."""
    try:
        if job.kind == "prune":
            result = await asyncio.to_thread(
                memory.prune, job.strategy, progress=lambda p: progress(*describe.prune_progress(p)))
            return Notice(describe.prune_notice(result), "info" if result.ok else "error")
        model = memory.settings.embedding_model

        def report(p: Any) -> None:
            progress(f"memory re-embed with {p.model}: {p.done}/{p.total}", p.done / p.total if p.total else None)

        count = await memory.reembed(report)
        return Notice(f"re-embedded {count} memories with {model}" if count else f"every memory is embedded with {model}")
    except Exception as exc:  # noqa: BLE001 - shown to the person; memory must not take the front end down
        return Notice(f"memory {job.kind} failed: {type(exc).__name__}: {exc}", "error")
