"""The slash command implementations: ``async def cmd_x(ctx, args) -> Result``.

They talk to the engine's store off the event loop (``ctx.db``), ask the person
through ``ctx.frontend`` and return a typed result; they never print.
"""

from __future__ import annotations

from typing import Any

from wits_tui.commands.context import CommandContext
from wits_tui.commands.results import (
    ClearChat,
    Listing,
    ManageQueue,
    Notice,
    Result,
    Row,
    SetTheme,
    StartEdit,
    StartPull,
    StartRetry,
    SwitchSession,
)
from wits_tui.engine.clock import to_minute

EXPORT_FORMATS = ("md", "json", "html")


class UsageError(Exception):
    """Bad arguments; the runner adds the usage line."""


def one_line(text: str, width: int = 70) -> str:
    """``text`` flattened to one line of at most ``width`` characters (for listings and notices)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def need_session(ctx: CommandContext) -> int:
    """The open session's id; a :class:`UsageError` when there is none yet."""
    if ctx.session_id is None:
        raise UsageError("there is no open session yet")
    return ctx.session_id


async def cmd_new(ctx: CommandContext, args: str) -> Result:
    if not args:
        # An untitled session nobody wrote in is reused: "New chat"s do not pile up.
        empty = next((s for s in await ctx.db(ctx.store.sessions.list)
                      if s.message_count == 0 and s.title == "New chat"), None)
        if empty is not None:
            await ctx.db(ctx.store.sessions.switch, empty.id)
            return SwitchSession(empty.id, f"session {empty.id} is new and empty: write in it")
    session = await ctx.db(ctx.store.sessions.create, args or None)
    await ctx.db(ctx.store.sessions.switch, session.id)
    return SwitchSession(session.id, f"new session {session.id}: {session.title}")


async def cmd_sessions(ctx: CommandContext, args: str) -> Result:
    if args:
        raise UsageError("/sessions takes no arguments")
    sessions = await ctx.db(ctx.store.sessions.list)
    rows = tuple(
        Row(((" *" if s.id == ctx.session_id else "  ") + str(s.id), s.title, str(s.message_count), to_minute(s.updated_at)),
            session_id=s.id)
        for s in sessions
    )
    return Listing("Sessions", ("id", "title", "messages", "updated (UTC)"), rows, empty="no sessions yet")


async def cmd_switch(ctx: CommandContext, args: str) -> Result:
    if not args:
        raise UsageError("which session? give its id or title")
    from wits_tui.engine.store import SessionNotFound

    try:
        session = await ctx.db(ctx.store.sessions.find, args)
    except SessionNotFound:
        shown = args if len(args) <= 80 else args[:77] + '...'
        return Notice(f"no session '{shown}'; /sessions lists them", "error")
    await ctx.db(ctx.store.sessions.switch, session.id)
    return SwitchSession(session.id, f"session {session.id}: {session.title}")


async def cmd_rename(ctx: CommandContext, args: str) -> Result:
    session_id = need_session(ctx)
    if not args:
        raise UsageError("give the new title")
    session = await ctx.db(ctx.store.sessions.rename, session_id, args)
    return Notice(f"renamed session {session.id}: {session.title}", sessions_changed=True)


async def cmd_delete(ctx: CommandContext, args: str) -> Result:
    from wits_tui.commands import memory
    from wits_tui.engine.store import SessionNotFound

    if args:
        try:
            session = await ctx.db(ctx.store.sessions.find, args)
        except SessionNotFound:
            return Notice(f"no session '{args}'; /sessions lists them", "error")
    else:
        session = await ctx.db(ctx.store.sessions.get, need_session(ctx))
    session_id = session.id
    count = await ctx.db(ctx.store.messages.count, session_id)
    memories = await memory.session_memories(ctx, session_id)
    if not await ctx.frontend.confirm(f"Delete session {session.id} '{session.title}' and its {count} messages?"
                                      + memory.also_removes(memories)):
        return Notice("kept the session")
    await ctx.db(ctx.store.sessions.delete, session_id)
    forgot = await memory.forget_session(ctx, session_id)
    text = f"deleted session {session.id}: {session.title}{forgot}"
    if session_id != ctx.session_id:
        return Notice(text, sessions_changed=True)  # another session: stay where you are
    nxt = await ctx.db(ctx.store.sessions.active)  # the newest remaining, else a new one
    return SwitchSession(nxt.id, text)


async def cmd_clear(ctx: CommandContext, args: str) -> Result:
    if args:
        raise UsageError("/clear takes no arguments")
    session_id = need_session(ctx)
    from wits_tui.commands import memory

    count = await ctx.db(ctx.store.messages.count, session_id)
    if count == 0:
        return Notice("this session has no messages")
    memories = await memory.session_memories(ctx, session_id)
    if not await ctx.frontend.confirm(f"Delete all {count} messages of this session?" + memory.also_removes(memories)):
        return Notice("kept the messages")
    await ctx.db(ctx.store.messages.clear, session_id)
    forgot = await memory.forget_session(ctx, session_id)
    return ClearChat(session_id, f"cleared {count} messages{forgot}")


async def cmd_history(ctx: CommandContext, args: str) -> Result:
    limit = 20
    if args:
        if not args.isdigit() or int(args) < 1:
            raise UsageError(f"N must be a whole number of at least 1, not {args!r}")
        limit = int(args)
    entries = await ctx.db(ctx.store.history.recent, limit)
    rows = tuple(Row((str(e.id), to_minute(e.created_at), one_line(e.command)), session_id=e.session_id, text=e.command)
                 for e in entries)
    return Listing(f"History (last {limit})", ("id", "when (UTC)", "command"), rows, empty="the history is empty")


async def cmd_search(ctx: CommandContext, args: str) -> Result:
    if not args:
        raise UsageError("what should I search for?")
    messages = await ctx.db(ctx.store.messages.search, args, 30)
    entries = await ctx.db(ctx.store.history.search, args, 20)

    def where(m: Any) -> int:  # a hit in an earlier version opens at the question that replaced it
        return m.id if m.superseded_by is None else ctx.store.messages.current_version(m)

    targets = await ctx.db(lambda: [where(m) for m in messages])
    rows = [Row((m.role + (" (earlier version)" if m.superseded_by is not None else ""), to_minute(m.created_at),
                 one_line(m.content)), session_id=m.session_id, message_id=target) for m, target in zip(messages, targets)]
    rows += [Row(("typed", to_minute(e.created_at), one_line(e.command)), session_id=e.session_id, text=e.command)
             for e in entries]
    return Listing(f"Search: {args}", ("from", "when (UTC)", "text"), tuple(rows), empty=f"nothing matches {args!r}")


async def cmd_pull(ctx: CommandContext, args: str) -> Result:
    if not args or " " in args:
        raise UsageError("give one model name, e.g. /pull llama3.2")
    return StartPull(args)


async def cmd_retry(ctx: CommandContext, args: str) -> Result:
    need_session(ctx)
    return StartRetry(args or None)


async def cmd_edit(ctx: CommandContext, args: str) -> Result:
    need_session(ctx)
    return StartEdit(args)


QUEUE_USAGE = "/queue [clear|send]"


async def cmd_queue(ctx: CommandContext, args: str) -> Result:
    action = args.strip().lower() or "list"
    if action not in ("list", "clear", "send"):
        return Notice(f"{QUEUE_USAGE}: not {args.strip()!r}. /queue lists what waits, clear drops it, send sends it now",
                      "error")
    return ManageQueue(action)  # type: ignore[arg-type]


async def cmd_export(ctx: CommandContext, args: str) -> Result:
    from wits_tui.engine import transfer  # the same writers as `wits export`

    fmt = (args or "md").lower()
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"the format is {' or '.join(EXPORT_FORMATS)}, not {args!r}")
    session_id = need_session(ctx)
    if fmt == "json":  # with the attachments' contents, so `wits import` brings them back
        body = await ctx.db(transfer.export_json, ctx.store, session_id, ctx.engine.blobs)
    else:
        writer = {"md": transfer.export_markdown, "html": transfer.export_html}[fmt]
        body = await ctx.db(writer, ctx.store, session_id)
    path = ctx.export_dir / f"wits-session-{session_id}.{fmt}"
    await ctx.db(path.write_text, body, encoding="utf-8")
    hint = " (`wits import` reads it back)" if fmt == "json" else ""
    return Notice(f"exported session {session_id} to {path}{hint}")


async def cmd_theme(ctx: CommandContext, args: str) -> Result:
    if not args:
        current = f"theme: {ctx.theme}; " if ctx.theme else ""
        return Notice(f"{current}themes: {', '.join(ctx.themes)}  (/theme NAME)")
    if args not in ctx.themes:
        return Notice(f"no theme '{args}'; there are: {', '.join(ctx.themes)}", "error")
    await ctx.db(ctx.store.state.set, "theme", args)
    return SetTheme(args, f"theme: {args}")
