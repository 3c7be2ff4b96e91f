"""`wits chat [--plain]`, and which mode bare `wits` opens."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys

from wits_tui.cli.context import Context, fail


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "chat",
        help="chat: the full-screen app, or the line mode with --plain",
        description="Chat. The line mode (--plain) is chosen by itself when TERM=dumb or stdout is not a terminal; "
        "with stdin not a terminal, each line read is a message or a /command.",
    )
    p.add_argument("--plain", action="store_true", help="line mode: plain text, one message after another")
    p.add_argument("-s", "--session", metavar="ID", help="session id or title (default: the active session)")
    p.add_argument("-m", "--model", help="model to use (default: the session's, else chat.default_model)")
    p.set_defaults(handler=cmd_chat)


def wants_plain(forced: bool = False) -> bool:
    return forced or os.environ.get("TERM") == "dumb" or not sys.stdout.isatty()


def cmd_chat(args: argparse.Namespace, ctx: Context) -> int:
    if not wants_plain(args.plain):
        from wits_tui.cli.app_cmd import run_app

        return run_app(ctx)
    return run_plain(ctx, args.session, args.model)


def run_plain(ctx: Context, session_ref: str | None = None, model: str | None = None) -> int:
    from wits_tui.engine.build import EngineOptions
    from wits_tui.engine.store import SessionNotFound
    from wits_tui.plain.app import PlainChat

    engine = ctx.engine(EngineOptions(use_memory=True))
    session_id = None
    if session_ref:
        try:
            session_id = engine.store.sessions.find(session_ref).id
        except SessionNotFound as exc:
            return fail(str(exc), code=2)
    interactive = sys.stdin.isatty()
    chat = PlainChat(engine, session_id=session_id, model=model, interactive=interactive)

    async def go() -> int:
        try:
            if interactive:
                return await chat.run()
            # bytes that are not UTF-8 (a `git diff` of a Latin-1 file) arrive escaped; handle() replaces them
            lines = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape")
            return await chat.run_lines(lines)
        finally:
            await engine.aclose()

    try:
        return asyncio.run(go())
    except KeyboardInterrupt:
        return 130
