"""`/docs`: document collections from the TUI and the line mode, and the index job they start.

Indexing is long: ``/docs add`` and ``/docs update`` return a :class:`StartDocsJob` that the
front end runs with :func:`run_docs_job`, showing progress and cancelling it on Esc.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Callable
from typing import Any, Literal

from wits_tui.commands.context import CommandContext
from wits_tui.commands.impl import UsageError, need_session, one_line
from wits_tui.commands.results import Listing, Notice, Result, Row, StartDocsJob
from wits_tui.engine.clock import to_minute

SUBCOMMANDS = ("use", "drop", "add", "update", "reembed", "remove", "search")
DOCS_USAGE = "/docs [use|drop NAME | add PATH… | update | reembed | search]"

Progress = Callable[[str, float | None], None]


async def _list(ctx: CommandContext) -> Result:
    from wits_tui.engine.docs.session import attached

    docs = ctx.engine.docs
    colls = await ctx.db(docs.collections)
    used = set(await ctx.db(attached, ctx.store, ctx.session_id)) if ctx.session_id is not None else set()
    rows = tuple(Row(("*" if c.name in used else "", c.name, str(c.files), str(c.chunks), ", ".join(c.roots),
                      to_minute(c.updated_at)), text=f"/docs use {c.name}") for c in colls)
    return Listing("Document collections (* = used in this session)", ("", "name", "files", "passages", "folders", "updated (UTC)"),
                   rows, empty="no collections yet: /docs add PATH --name NAME (or `wits docs add`)")


async def _use(ctx: CommandContext, name: str, on: bool) -> Result:
    from wits_tui.engine.docs.session import attached, set_attached

    session_id = need_session(ctx)
    if not name:
        raise UsageError("which collection?")
    current = await ctx.db(attached, ctx.store, session_id)
    if on:
        await ctx.db(ctx.engine.docs.need, name)
        await ctx.db(set_attached, ctx.store, session_id, [*current, name])
        return Notice(f"answers in this session now use {name} and cite its passages (/docs drop {name} stops it)")
    if name not in current:
        return Notice(f"{name} is not used in this session", "warning")
    await ctx.db(set_attached, ctx.store, session_id, [n for n in current if n != name])
    return Notice(f"answers in this session no longer use {name}")


def _add_args(args: str) -> tuple[list[str], str | None]:
    try:
        words = shlex.split(args)
    except ValueError as exc:
        raise UsageError(f"cannot read the paths: {exc}") from exc
    name = None
    if "--name" in words:
        i = words.index("--name")
        if i + 1 >= len(words):
            raise UsageError("--name needs a name")
        name = words[i + 1]
        del words[i:i + 2]
    if not words:
        raise UsageError("which folders or files?")
    return words, name


async def _search(ctx: CommandContext, text: str) -> Result:
    if not text:
        raise UsageError("what should I search for?")
    docs = ctx.engine.docs
    names = [c.name for c in await ctx.db(docs.collections)]
    if not names:
        return Notice("there are no collections yet: /docs add PATH --name NAME", "warning")
    found, mode = await docs.search(names, text, 20)
    rows = tuple(Row((p.location, p.heading, one_line(p.text, 70))) for p in found)
    note = "" if mode == "hybrid" else " (by words only: the embedding model did not answer)"
    return Listing(f"Documents: {text}{note}", ("where", "section", "text"), rows, empty=f"nothing matches {text!r}")


async def cmd_docs(ctx: CommandContext, args: str) -> Result:
    sub, _, rest = args.partition(" ")
    sub, rest = sub.lower(), rest.strip()
    if not sub:
        return await _list(ctx)
    if sub in ("use", "drop"):
        return await _use(ctx, rest, sub == "use")
    if sub == "add":
        paths, name = _add_args(rest)
        coll = await ctx.db(ctx.engine.docs.add, paths, name)
        return StartDocsJob(coll.name)
    if sub == "update":
        names = [rest] if rest else [c.name for c in await ctx.db(ctx.engine.docs.collections)]
        for n in names:
            await ctx.db(ctx.engine.docs.need, n)
        if not names:
            return Notice("there are no collections yet: /docs add PATH --name NAME", "warning")
        return StartDocsJob(*names)
    if sub == "reembed":
        docs = ctx.engine.docs
        if not await ctx.db(docs.collections):
            return Notice("there are no collections yet: /docs add PATH --name NAME", "warning")
        model = docs.settings.embedding_model
        if not await ctx.frontend.confirm(f"Embed every collection again with {model}? (searches find nothing "
                                          "until it is done; the embeddings of unchanged text are cached per model)"):
            return Notice("kept the index as it is")
        return StartDocsJob(*await ctx.db(docs.forget_vectors))
    if sub == "remove":
        if not rest:
            raise UsageError("which collection?")
        await ctx.db(ctx.engine.docs.need, rest)
        if not await ctx.frontend.confirm(f"Remove collection {rest} and its passages? (the files stay)"):
            return Notice("kept it")
        files = await ctx.db(ctx.engine.docs.remove, rest)
        return Notice(f"removed collection {rest} ({files} files)")
    if sub == "search":
        return await _search(ctx, rest)
    raise UsageError(f"unknown /docs subcommand {sub!r}")


async def complete_docs(ctx: CommandContext, prefix: str) -> list[str]:
    sub, space, rest = prefix.partition(" ")
    if space and sub in ("use", "drop", "update", "remove"):
        names = [c.name for c in await ctx.db(ctx.engine.store.docs.list)]
        return [f"{sub} {n}" for n in names if n.startswith(rest)]
    return [s for s in SUBCOMMANDS if s.startswith(prefix)]


async def run_docs_job(engine: Any, job: StartDocsJob, progress: Progress) -> Notice:
    """Index the job's collections, reporting ``progress(label, fraction)``. Cancelling keeps what
    was done. Never raises: failures come back as an error notice."""
    lines: list[str] = []
    level: Literal["info", "warning", "error"] = "info"
    for name in job.names:
        try:
            report = await engine.docs.index(name, lambda p: progress(p.line(), p.fraction))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - shown to the person; the front end goes on
            return Notice(f"indexing {name} failed: {exc}", "error")
        lines.append(report.summary())
        if report.failed:
            lines += [f"  failed: {path}: {why}" for path, why in report.failed[:5]]
        if not report.ok:
            level = "warning" if report.cancelled else "error"
            break
    return Notice("\n".join(lines), level)
