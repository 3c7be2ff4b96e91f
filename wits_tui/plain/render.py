"""Command results and engine events as plain lines: no colour, no cursor tricks."""

from __future__ import annotations

from typing import IO

from wits_tui.commands import Listing, Notice, StartReplay, describe
from wits_tui.engine.catalog import short_tokens
from wits_tui.engine.events import ContextInfo, Fallback, MemoryRecalled, Stalled, ToolResult, TurnDone, TurnError

DIM, RESET = "\x1b[2m", "\x1b[0m"

PREFIX = {"info": "", "warning": "warning: ", "error": "error: "}


def notice(n: Notice) -> str:
    return f"{PREFIX.get(n.level, '')}{n.text}"


def listing(result: Listing) -> str:
    if not result.rows:
        return result.empty
    rows = [tuple(result.columns), *(r.cells for r in result.rows)]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(result.columns))]
    lines = [result.title]
    for n, row in enumerate(rows):
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _tty(out: IO[str]) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def thinking(text: str, out: IO[str], first: bool) -> str:
    """A piece of thinking: dimmed on a terminal, after a "thinking:" label otherwise."""
    if _tty(out):
        return f"{DIM}{text}{RESET}"
    return ("thinking: " if first else "") + text


def thinking_end(out: IO[str]) -> str:
    return "" if _tty(out) else "\n[end of thinking]"


def context(info: ContextInfo | None) -> str | None:
    if info is None:
        return None
    return f"context {short_tokens(info.used_tokens)} / {short_tokens(info.window)}"


def done(ev: TurnDone, info: ContextInfo | None = None) -> str:
    parts = [ev.model]
    if ev.stats.ttft_ms is not None:
        parts.append(f"{ev.stats.ttft_ms / 1000:.1f} s to first token")
    if ev.stats.tokens_per_s:
        parts.append(f"{ev.stats.tokens_per_s:.0f} tokens/s")
    used = context(info)
    if used:
        parts.append(used)
    return f"[{' · '.join(parts)}]"


def error(ev: TurnError) -> str:
    kept = " (the partial answer is kept)" if ev.partial_text else ""
    return f"error: {ev.message}{kept}. Fix: {ev.hint}"


def stalled(ev: Stalled) -> str:
    """"[no tokens for 20 s — Ctrl+C stops; still waiting]": the turn goes on."""
    from wits_tui.engine.stall import notice

    return f"[{notice(ev, 'Ctrl+C stops')}; still waiting]"


def fallback(ev: Fallback) -> str:
    return f"note: {ev.from_model} failed ({ev.reason}); trying {ev.to_model}"


def memory_used(ev: MemoryRecalled) -> str:
    n = len(ev.segments)
    return f"memory used: {n} segment{'s' if n != 1 else ''}"


def tool_result(ev: ToolResult) -> str:
    return describe.tool_line(ev.name, ev.arguments, ok=ev.ok, content=ev.content, error_type=ev.error_type,
                              duration_ms=ev.duration_ms)


def replay(result: StartReplay) -> str:
    return f"replay is a full-screen feature: run `wits replay {result.session_id}`"
