"""Slash commands for modules and routing (/module /feedback /profile /train) and /replay.

Like :mod:`wits_tui.commands.impl`: store and router calls run off the event loop
(``ctx.db``); the result is typed and the front end renders it.
"""

from __future__ import annotations

from pathlib import Path

from wits_tui.commands.context import CommandContext
from wits_tui.commands.impl import UsageError, need_session
from wits_tui.commands.results import Listing, Notice, Result, Row, StartReplay, StartTraining, SwitchModule

FEEDBACK_WORDS = ("good", "bad", "neutral")
_FEEDBACK_ALIASES = {"+": "good", "-": "bad", "good": "good", "bad": "bad", "neutral": "neutral"}


async def router(ctx: CommandContext):
    """The engine's router (built on first use, which reads module files: off the loop)."""
    return await ctx.db(lambda: ctx.engine.router)


async def cmd_module(ctx: CommandContext, args: str) -> Result:
    session_id = need_session(ctx)
    r = await router(ctx)
    if not args:
        session = await ctx.db(ctx.store.sessions.get, session_id)
        entries = await r.modules()
        keys = ", ".join(f"{e.key} {e.name}" if e.key else e.name for e in entries)
        return Notice(f"module: {session.pinned_module or 'auto'}  (/module NAME|KEY|auto; modules: {keys})")
    from wits_tui.engine.routing.router import UnknownModule

    try:
        session = await ctx.db(r.pin, session_id, args)
    except UnknownModule as exc:
        return Notice(f"{exc}; /module lists them", "error")
    if session.pinned_module is None:
        return SwitchModule(None, "automatic routing: each message goes to the module that fits it")
    return SwitchModule(session.pinned_module, f"module {session.pinned_module} answers in this session")


def feedback_word(word: str) -> str:
    """``good|bad|neutral`` (or ``+``/``-``); raises UsageError for anything else."""
    try:
        return _FEEDBACK_ALIASES[word.strip().lower()]
    except KeyError:
        raise UsageError(f"say good, bad or neutral, not {word!r}") from None


async def rate(ctx: CommandContext, word: str, message_id: int | None = None) -> Notice:
    """Feedback about an answer: ``message_id``'s, else the last answer of the session."""
    session_id = need_session(ctx)
    kind = feedback_word(word)
    messages = await ctx.db(ctx.store.messages.list, session_id, limit=200)
    answers = [m for m in messages if m.role == "assistant" and (message_id is None or m.id == message_id)]
    if not answers:
        return Notice("there is no answer to rate yet", "warning")
    answer = answers[-1]
    if not answer.module:
        return Notice("that answer was not routed to a module, so there is nothing to learn from it", "warning")
    r = await router(ctx)
    await ctx.db(r.feedback, kind, module=answer.module)
    return Notice(f"noted: {kind} answer from {answer.module}")


async def cmd_feedback(ctx: CommandContext, args: str) -> Result:
    if not args or " " in args.strip():
        raise UsageError("say good, bad or neutral")
    return await rate(ctx, args)


def _prefs(prefs: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in sorted(prefs.items(), key=lambda kv: (-kv[1], kv[0]))) or "-"


async def cmd_profile(ctx: CommandContext, args: str) -> Result:
    if args:
        raise UsageError("/profile takes no arguments (`wits profile reset` clears it)")
    r = await router(ctx)
    p = await ctx.db(r.profile)
    rows = [
        ("user", p.user),
        ("interactions", str(p.interactions)),
        ("feedback", f"{p.feedback_positive} good · {p.feedback_negative} bad · {p.feedback_neutral} neutral"),
        ("domains", _prefs(p.domain_prefs)),
        ("modules", _prefs(p.module_prefs)),
        ("topics", ", ".join(f"{w} {n}" for w, n in p.top_topics(12)) or "-"),
    ]
    return Listing(f"Routing profile: {p.user}", ("what", "value"), tuple(Row(r_) for r_ in rows))


async def cmd_train(ctx: CommandContext, args: str) -> Result:
    parts = args.split()
    if len(parts) not in (2, 3):
        raise UsageError("give the module and a JSON-lines file of prompt/completion pairs")
    from wits_tui.engine.routing.router import UnknownModule

    r = await router(ctx)
    try:
        name = await ctx.db(r.resolve, parts[0])
    except UnknownModule as exc:
        return Notice(f"{exc}; /module lists them", "error")
    if name is None:
        raise UsageError("'auto' is not a module")
    files = [p if p.is_absolute() else ctx.export_dir / p for p in map(Path, parts[1:])]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        return Notice(f"no such file: {', '.join(missing)}", "error")
    return StartTraining(name, files[0], files[1] if len(files) > 1 else None)


def _speed(text: str) -> float | None:
    try:
        value = float(text.rstrip("x×"))
    except ValueError:
        return None
    return value if value >= 0 else None


async def cmd_replay(ctx: CommandContext, args: str) -> Result:
    """``/replay`` (this session), ``/replay SESSION``, ``/replay SESSION SPEED``."""
    parts = args.split()
    speed = 1.0
    if len(parts) >= 2 and _speed(parts[-1]) is not None:
        speed = _speed(parts.pop())  # type: ignore[assignment]
    if parts:
        from wits_tui.engine.store import SessionNotFound

        try:
            session = await ctx.db(ctx.store.sessions.find, " ".join(parts))
        except SessionNotFound:
            return Notice(f"no session '{' '.join(parts)}'; /sessions lists them", "error")
        session_id = session.id
    else:
        session_id = need_session(ctx)
    turns = await ctx.db(ctx.store.recordings.turns, session_id)
    if not turns:
        return Notice(f"session {session_id} has nothing recorded to replay", "warning")
    return StartReplay(session_id, speed)
