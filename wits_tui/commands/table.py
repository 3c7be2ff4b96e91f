"""The command table, the runner and completion."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from wits_tui.commands import attach, copying, docs, impl, memory, models, routing, session_params, tools
from wits_tui.commands.context import CommandContext
from wits_tui.commands.parser import parse
from wits_tui.commands.results import Listing, Notice, Result, Row
from wits_tui.engine.errors import MemoryUnavailable, WitsError
from wits_tui.settings_choices import PRUNING_STRATEGIES as STRATEGIES

Runner = Callable[[CommandContext, str], Awaitable[Result]]
Completer = Callable[[CommandContext, str], Awaitable[list[str]]]


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    usage: str
    help: str
    run: Runner
    complete: Completer | None = None


async def _sessions(ctx: CommandContext, prefix: str) -> list[str]:
    sessions = await ctx.db(ctx.store.sessions.list, False, 200)
    low = prefix.lower()
    return [s.title for s in sessions if s.title.lower().startswith(low) or str(s.id).startswith(low)]


async def _models(ctx: CommandContext, prefix: str) -> list[str]:
    return [n for n in (await ctx.model_names() or []) if n.startswith(prefix)]


async def _chat_models(ctx: CommandContext, prefix: str) -> list[str]:
    """Installed models that can chat (embedding-only ones left out)."""
    try:
        names = [i.name for i, _ in await models.chat_models(ctx)]
    except Exception:
        return []
    return sorted(n for n in names if n.startswith(prefix))


async def _think_choices(ctx: CommandContext, prefix: str) -> list[str]:
    return [w for w in ("on", "off", "low", "medium", "high", "default") if w.startswith(prefix)]


async def _option_names(ctx: CommandContext, prefix: str) -> list[str]:
    from wits_tui.engine.session_params import OPTION_NAMES

    return [n for n in OPTION_NAMES if n.startswith(prefix)]


async def _themes(ctx: CommandContext, prefix: str) -> list[str]:
    return [t for t in ctx.themes if t.startswith(prefix)]


async def _formats(ctx: CommandContext, prefix: str) -> list[str]:
    return [f for f in impl.EXPORT_FORMATS if f.startswith(prefix)]


async def _modules(ctx: CommandContext, prefix: str) -> list[str]:
    r = await routing.router(ctx)
    return [n for n in ["auto", *(e.name for e in await r.modules())] if n.startswith(prefix)]


async def _queue_actions(ctx: CommandContext, prefix: str) -> list[str]:
    return [a for a in ("clear", "send") if a.startswith(prefix)]


async def _feedback(ctx: CommandContext, prefix: str) -> list[str]:
    return [w for w in routing.FEEDBACK_WORDS if w.startswith(prefix)]


async def _memory_args(ctx: CommandContext, prefix: str) -> list[str]:
    if prefix.startswith("prune "):
        return [f"prune {s}" for s in STRATEGIES if f"prune {s}".startswith(prefix)]
    return [s for s in memory.SUBCOMMANDS if s.startswith(prefix)]


async def _tool_args(ctx: CommandContext, prefix: str) -> list[str]:
    return [f"{w} {n}" for w in ("on", "off") for n in ctx.engine.tools.names() if f"{w} {n}".startswith(prefix)]


async def cmd_help(ctx: CommandContext, args: str) -> Result:
    name = args.lstrip("/").lower()
    if name:
        cmd = COMMANDS.get(name)
        if cmd is None:
            return _unknown(name)
        return Notice(f"{cmd.usage} — {cmd.help}")
    rows = tuple(Row((c.usage, c.help), text=f"/{c.name} ") for c in COMMANDS.values())
    return Listing("Slash commands", ("command", "what it does"), rows)


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("new", "/new [TITLE]", "start a new session", impl.cmd_new),
        Command("sessions", "/sessions", "list the sessions; choose one to open it", impl.cmd_sessions),
        Command("switch", "/switch ID|TITLE", "open another session", impl.cmd_switch, _sessions),
        Command("rename", "/rename TITLE", "rename this session", impl.cmd_rename),
        Command("delete", "/delete [ID|TITLE]", "delete this session, or the one named (asks first)",
                impl.cmd_delete, _sessions),
        Command("clear", "/clear", "delete this session's messages (asks first)", impl.cmd_clear),
        Command("history", "/history [N]", "what you typed, newest first", impl.cmd_history),
        Command("search", "/search TEXT", "search messages and history; choose a result to open it", impl.cmd_search),
        Command("model", "/model [NAME]", "list the chat models (size, context, tools/thinking, loaded) or use NAME here",
                models.cmd_model, _chat_models),
        Command("think", session_params.THINK_USAGE, "thinking for this session (models that can think)",
                session_params.cmd_think, _think_choices),
        Command("system", session_params.SYSTEM_USAGE,
                "this session's system prompt: added after the module's, or replacing it with --replace; reset drops it",
                session_params.cmd_system),
        Command("set", session_params.SET_USAGE, "model options of this session (temperature, num_ctx, seed, ...)",
                session_params.cmd_set, _option_names),
        Command("unset", "/unset NAME", "an option of this session back to its default", session_params.cmd_unset,
                _option_names),
        Command("compact", "/compact [KEEP]", "replace older turns, for the model, with a summary it writes",
                session_params.cmd_compact),
        Command("pull", "/pull NAME", "download a model from the Ollama library", impl.cmd_pull, _models),
        Command("retry", "/retry [MODEL]", "answer the last message again", impl.cmd_retry, _models),
        Command("attach", attach.ATTACH_USAGE,
                "attach images (for vision models) or text files to your next message; no PATH: list them",
                attach.cmd_attach, attach.complete_path),
        Command("detach", attach.DETACH_USAGE, "remove an attachment before sending (all: every one)", attach.cmd_detach,
                attach.complete_detach),
        Command("copy", copying.COPY_USAGE,
                "copy the last answer (N: the Nth from the end), or its code block M, to the clipboard", copying.cmd_copy),
        Command("edit", "/edit [TEXT]", "ask TEXT in place of your last message (the old turn is kept as an earlier "
                "version); alone, load it into the prompt to change it", impl.cmd_edit),
        Command("queue", impl.QUEUE_USAGE, "messages sent while an answer streams: list them, drop them, send them now",
                impl.cmd_queue, _queue_actions),
        Command("export", f"/export [{'|'.join(impl.EXPORT_FORMATS)}]", "write this session to a file",
                impl.cmd_export, _formats),
        Command("theme", "/theme [NAME]", "show or change the theme", impl.cmd_theme, _themes),
        Command("module", "/module [NAME|KEY|auto]", "pin a module on this session, or route automatically",
                routing.cmd_module, _modules),
        Command("feedback", "/feedback good|bad|neutral", "rate the last answer (teaches routing)",
                routing.cmd_feedback, _feedback),
        Command("profile", "/profile", "your routing profile: preferences, topics, feedback", routing.cmd_profile),
        Command("train", "/train NAME DATA [VALIDATION]", "train a module from prompt/completion JSON lines",
                routing.cmd_train, _modules),
        Command("replay", "/replay [SESSION] [SPEED]", "play a recorded session back (speed 0: instant)",
                routing.cmd_replay, _sessions),
        Command("remember", "/remember TEXT", "keep a note in long-term memory", memory.cmd_remember),
        Command("forget", "/forget QUERY", "remove what memory holds about QUERY (shows it, asks first)",
                memory.cmd_forget),
        Command("memory", memory.MEMORY_USAGE,
                f"memory size and state; search; prune (STRATEGY: {', '.join(STRATEGIES)}); recall on/off; re-embed",
                memory.cmd_memory, _memory_args),
        Command("docs", docs.DOCS_USAGE,
                "documents answered from with cited sources: use/drop NAME, add PATH… [--name N], update [NAME], "
                "remove NAME, search TEXT",
                docs.cmd_docs, docs.complete_docs),
        Command("tools", "/tools [on|off NAME]", "the tools models may call; switch one for this session",
                tools.cmd_tools, _tool_args),
        Command("help", "/help [COMMAND]", "the slash commands", cmd_help),
    )
}


def arguments(cmd: Command) -> str:
    """What the usage says after the command's name, ending in " — " (or nothing)."""
    rest = cmd.usage.partition(" ")[2]
    return f"{rest} — " if rest else ""


def _unknown(name: str) -> Notice:
    close = difflib.get_close_matches(name, list(COMMANDS), n=4, cutoff=0.6)
    hint = f"did you mean {' or '.join('/' + c for c in close)}? " if close else ""
    return Notice(f"unknown command /{name}: {hint}/help lists the commands", "error")


async def run_command(text: str, ctx: CommandContext) -> Result:
    """Run a typed slash command. Never raises for bad input: unknown commands,
    bad arguments and store errors come back as a one-line error Notice."""
    inv = parse(text)
    if inv is None:
        return Notice("not a command (commands start with /)", "error")
    if not inv.name:
        return await cmd_help(ctx, "")
    cmd = COMMANDS.get(inv.name)
    if cmd is None:
        return _unknown(inv.name)
    try:
        return await cmd.run(ctx, inv.args)
    except impl.UsageError as exc:
        return Notice(f"{exc}; usage: {cmd.usage}", "error")
    except WitsError as exc:  # the one place an expected engine failure becomes a notice
        return Notice(exc.describe(), "warning" if isinstance(exc, MemoryUnavailable) else "error")
    except (LookupError, ValueError) as exc:
        return Notice(f"/{cmd.name}: {exc}", "error")
    except Exception as exc:  # noqa: BLE001 - a command never takes the chat down; the traceback goes to the log
        logging.getLogger("wits.commands").exception("/%s failed", cmd.name)
        return Notice(f"/{cmd.name} failed: {type(exc).__name__}: {str(exc)[:200]} (details in the log)", "error")


async def complete(text: str, ctx: CommandContext, limit: int = 12) -> list[tuple[str, str]]:
    """Completions for a partly typed command: (text to put in the prompt, help).

    ``"/th"`` -> [("/theme ", "show or change the theme")];
    ``"/theme wits-l"`` -> [("/theme wits-light", "")].
    """
    if not text.startswith("/") or text.startswith("//") or "\n" in text:
        return []
    head, space, rest = text[1:].partition(" ")
    if not space:
        low = head.lower()
        return [(f"/{c.name} ", arguments(c) + c.help) for c in COMMANDS.values() if c.name.startswith(low)]
    cmd = COMMANDS.get(head.lower())
    if cmd is None or cmd.complete is None:
        return []
    try:
        values = await cmd.complete(ctx, rest.strip())
    except Exception:
        return []
    return [(f"/{cmd.name} {v}", "") for v in values if v != rest.strip()][:limit]
