"""This session's own settings: /think, /system, /set, /unset, and /compact."""

from __future__ import annotations

from wits_tui.commands.context import CommandContext
from wits_tui.commands.impl import UsageError, need_session, one_line
from wits_tui.commands.results import Listing, Notice, Result, Row, SwitchSession
from wits_tui.engine.session_params import EXAMPLES, OPTION_NAMES, describe_option, parse_option, parse_think

THINK_USAGE = "/think [on|off|low|medium|high|default]"
SYSTEM_USAGE = "/system [TEXT | --replace TEXT | reset]"
SET_USAGE = "/set [NAME VALUE]"


async def cmd_think(ctx: CommandContext, args: str) -> Result:
    session_id = need_session(ctx)
    default = ctx.engine.settings.chat.think
    if not args:
        session = await ctx.db(ctx.store.sessions.get, session_id)
        now = session.think or f"{default} (the default)"
        return Notice(f"thinking: {now}  ({THINK_USAGE}; used by models that can think)")
    choice = parse_think(args)
    await ctx.db(ctx.store.sessions.set_think, session_id, choice)
    said = f"{choice} for this session" if choice else f"back to the default ({default})"
    return Notice(f"thinking: {said}")


async def cmd_system(ctx: CommandContext, args: str) -> Result:
    session_id = need_session(ctx)
    if not args:
        session = await ctx.db(ctx.store.sessions.get, session_id)
        if not session.system_prompt:
            return Notice("no system prompt of this session's own (the module's applies); /system TEXT adds one")
        how = "replaces the module's" if session.system_mode == "replace" else "added after the module's"
        return Notice(f"system prompt ({how}): {one_line(session.system_prompt, 200)}")
    if args.lower() == "reset":
        await ctx.db(ctx.store.sessions.set_system, session_id, None)
        return Notice("system prompt: back to the module's")
    mode = "add"
    if args.startswith("--replace"):
        mode, args = "replace", args[len("--replace"):].strip()
        if not args:
            raise UsageError("give the text that replaces the module's system prompt")
    await ctx.db(ctx.store.sessions.set_system, session_id, args, mode)
    how = "replaces the module's" if mode == "replace" else "added after the module's"
    return Notice(f"system prompt set for this session ({how})")


async def cmd_set(ctx: CommandContext, args: str) -> Result:
    session_id = need_session(ctx)
    session = await ctx.db(ctx.store.sessions.get, session_id)
    values = session.option_values()
    if not args:
        rows = tuple(
            Row((name, str(values[name]) if name in values else "—", describe_option(name)), text=f"/set {name} ")
            for name in OPTION_NAMES
        )
        return Listing("Model options of this session (/set NAME VALUE, /unset NAME)", ("option", "value", "what it is"), rows)
    name, _, raw = args.partition(" ")
    if not raw.strip():
        name = name.lower()
        if name in OPTION_NAMES:
            raise UsageError(f"give a value, e.g. /set {name} {EXAMPLES[name]}")
        parse_option(name, "")  # names the unknown option
    value = parse_option(name, raw)
    values[name.lower()] = value
    await ctx.db(ctx.store.sessions.set_options, session_id, values)
    return Notice(f"{name.lower()} = {value} for this session")


async def cmd_unset(ctx: CommandContext, args: str) -> Result:
    session_id = need_session(ctx)
    if not args:
        raise UsageError(f"which option? one of {', '.join(OPTION_NAMES)}")
    session = await ctx.db(ctx.store.sessions.get, session_id)
    values = session.option_values()
    name = args.strip().lower()
    if name not in values:
        if name not in OPTION_NAMES:
            parse_option(name, "")  # names the unknown option
        return Notice(f"{name} is not set in this session")
    del values[name]
    await ctx.db(ctx.store.sessions.set_options, session_id, values)
    return Notice(f"{name}: back to the default")


async def cmd_compact(ctx: CommandContext, args: str) -> Result:
    from wits_tui.engine.backends.base import BackendError
    from wits_tui.engine.compact import NothingToCompact

    session_id = need_session(ctx)
    keep = 2
    if args:
        if not args.isdigit():
            raise UsageError(f"KEEP is how many recent messages stay as they are (a number), not {args!r}")
        keep = int(args)
    try:
        summary = await ctx.engine.compact(session_id, keep)
    except NothingToCompact as exc:
        return Notice(str(exc))
    except BackendError as exc:
        return Notice(f"could not compact: {exc.message}; {exc.hint}".rstrip("; "), "error")
    return SwitchSession(session_id, f"older messages now reach the model as this summary by {summary.model} "
                         "(the originals stay in the session and its exports)", message_id=summary.id, sessions_changed=False)
