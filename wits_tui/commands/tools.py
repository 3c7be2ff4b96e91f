"""/tools: the tools models may call, switched on or off per session."""

from __future__ import annotations

from wits_tui.commands.context import CommandContext
from wits_tui.commands.impl import UsageError, need_session
from wits_tui.commands.results import Listing, Notice, Result, Row


async def cmd_tools(ctx: CommandContext, args: str) -> Result:
    session_id = need_session(ctx)
    registry = ctx.engine.tools
    parts = args.split()
    if not parts:
        enabled = set(await ctx.db(ctx.engine.enabled_tools, session_id))
        rows = tuple(
            Row((name, "on" if name in enabled else "off",
                 ("(asks first) " if tool.side_effects else "") + tool.description),
                text=f"/tools {'off' if name in enabled else 'on'} {name}")
            for name, tool in registry.tools.items()
        )
        return Listing("Tools (this session; choose one to switch it)", ("tool", "state", "what it does"), rows,
                       empty="no tools")
    if len(parts) != 2 or parts[0].lower() not in ("on", "off"):
        raise UsageError("say on or off and the tool's name")
    on, name = parts[0].lower() == "on", parts[1]
    # Tools with side effects (Tool.side_effects; none built in) would ask the person before each run:
    # that check belongs to the turn loop, so switching one on here needs no extra question.
    await ctx.db(ctx.engine.set_tool_enabled, session_id, name, on)  # ValueError for an unknown name
    if on and not ctx.engine.settings.tools.enabled:
        return Notice(f"{name} is on for this session, but tools are switched off in the config (tools.enabled)",
                      "warning")
    return Notice(f"{name} is {'on' if on else 'off'} for this session")
