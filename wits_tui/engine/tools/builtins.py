"""The built-in tools."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field

from wits_tui.engine.tools.base import Args, Tool, ToolContext, ToolFailed
from wits_tui.engine.tools.calculator import CalculatorArgs, run_calculator
from wits_tui.engine.tools.files import ListDirArgs, ReadFileArgs, run_list_dir, run_read_file


class TimeArgs(Args):
    timezone: str = Field("UTC", min_length=1, max_length=64, description="IANA time zone, e.g. 'Europe/Paris' or 'UTC'.")


async def run_current_time(args: TimeArgs, ctx: ToolContext) -> dict[str, str]:
    try:
        zone = ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ToolFailed(f"unknown time zone {args.timezone!r}: use an IANA name such as 'Europe/Paris'") from None
    now = datetime.now(zone)
    return {"timezone": args.timezone, "iso": now.isoformat(timespec="seconds"), "weekday": now.strftime("%A")}


class MemorySearchArgs(Args):
    query: str = Field(min_length=1, max_length=500, description="What to look for in long-term memory.")
    limit: int = Field(5, ge=1, le=20, description="How many segments at most.")


async def run_memory_search(args: MemorySearchArgs, ctx: ToolContext) -> dict[str, object]:
    memory = ctx.memory() if ctx.memory else None
    if memory is None:
        raise ToolFailed("long-term memory is switched off")
    hits = await memory.search(args.query, limit=args.limit)
    return {"query": args.query, "results": [{"text": h.text, "created_at": h.created_at} for h in hits]}


BUILTINS: tuple[Tool, ...] = (
    Tool("calculator", "Exact arithmetic on numbers (fractions stay exact).", CalculatorArgs, run_calculator,
         {"expression": "(1/3 + 2.5) * 12"}),
    Tool("current_time", "The current date and time in a time zone.", TimeArgs, run_current_time, {"timezone": "Europe/Paris"}),
    Tool("memory_search", "Search the user's long-term memory of earlier conversations and notes.", MemorySearchArgs,
         run_memory_search, {"query": "the user's favourite editor"}),
    Tool("read_file", "Read a text file inside the directories the user allowed.", ReadFileArgs, run_read_file,
         {"path": "notes/todo.md"}),
    Tool("list_dir", "List a directory inside the directories the user allowed.", ListDirArgs, run_list_dir, {"path": "."}),
)
