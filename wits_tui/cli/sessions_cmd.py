"""`wits sessions list|new|rename|archive|delete`."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from wits_tui.cli.context import Context, fail, print_json, print_table
from wits_tui.engine.clock import to_minute
from wits_tui.engine.textsafe import terminal_safe


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sessions", help="list, create, rename, archive and delete chat sessions")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    a = actions.add_parser("list", help="sessions, newest first")
    a.add_argument("--all", action="store_true", help="include archived sessions")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(handler=cmd_list)

    a = actions.add_parser("new", help="start a new session and make it the active one")
    a.add_argument("title", nargs="*", help="title (default: made from the first message)")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(handler=cmd_new)

    a = actions.add_parser("rename", help="give a session a new title")
    a.add_argument("session", help="session id or title")
    a.add_argument("title", nargs="+", help="the new title")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(handler=cmd_rename)

    a = actions.add_parser("archive", help="hide a session from the list (kept on disk)")
    a.add_argument("session", help="session id or title")
    a.add_argument("--undo", action="store_true", help="bring an archived session back")
    a.set_defaults(handler=cmd_archive)

    a = actions.add_parser("delete", help="delete a session and its messages")
    a.add_argument("session", help="session id or title")
    a.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    a.set_defaults(handler=cmd_delete)


def _find(ctx: Context, ref: str):
    from wits_tui.engine.store import SessionNotFound

    try:
        return ctx.store.sessions.find(ref)
    except SessionNotFound as exc:
        raise SystemExit(fail(str(exc))) from None


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    sessions = ctx.store.sessions.list(include_archived=args.all)
    active = ctx.store.sessions.active_id()
    if args.json:
        print_json([{**asdict(s), "active": s.id == active} for s in sessions])
        return 0
    rows = [
        [("* " if s.id == active else "  ") + str(s.id), s.title, s.message_count, to_minute(s.updated_at),
         "archived" if s.archived else ""]
        for s in sessions
    ]
    print_table(["id", "title", "messages", "updated (UTC)", ""], rows, empty="no sessions yet: `wits sessions new` starts one")
    return 0


def cmd_new(args: argparse.Namespace, ctx: Context) -> int:
    session = ctx.store.sessions.create(" ".join(args.title) or None)
    ctx.store.sessions.switch(session.id)
    if args.json:
        print_json(asdict(session))
    else:
        print(f"created session {session.id}: {terminal_safe(session.title)}")
    return 0


def cmd_rename(args: argparse.Namespace, ctx: Context) -> int:
    session = _find(ctx, args.session)
    try:
        session = ctx.store.sessions.rename(session.id, " ".join(args.title))
    except ValueError as exc:
        return fail(str(exc), code=2)
    if args.json:
        print_json(asdict(session))
    else:
        print(f"renamed session {session.id}: {terminal_safe(session.title)}")
    return 0


def cmd_archive(args: argparse.Namespace, ctx: Context) -> int:
    session = _find(ctx, args.session)
    ctx.store.sessions.set_archived(session.id, not args.undo)
    print(f"{'unarchived' if args.undo else 'archived'} session {session.id}: {terminal_safe(session.title)}")
    return 0


def cmd_delete(args: argparse.Namespace, ctx: Context) -> int:
    session = _find(ctx, args.session)
    memory = _session_memory(ctx)
    try:
        memories = memory.session_memories(session.id) if memory is not None else 0
        if not args.yes:
            if not sys.stdin.isatty():
                return fail(f"refusing to delete session {session.id} without confirmation: add --yes", code=2)
            also = f" This also removes {memories} memories." if memories else ""
            answer = input(f"Delete session {session.id} '{session.title}' and its "
                           f"{session.message_count or 'all'} messages?{also} [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("kept")
                return 1
        ctx.store.sessions.delete(session.id)
        forgot = memory.forget_session(session.id) if memory is not None else 0
    finally:
        if memory is not None:
            memory.close()
    print(f"deleted session {session.id}: {terminal_safe(session.title)}" + (f" and {forgot} memories" if forgot else ""))
    return 0


def _session_memory(ctx: Context):
    """The memory, opened, when it is on and exists (a deleted session's memories go with it)."""
    if not ctx.settings.memory.enabled or not ctx.paths.memory_dir.exists():
        return None
    memory = ctx.engine().memory
    if memory is None:
        return None
    status = memory.open()
    if not status.usable:
        print(f"wits: memory is {status.state}: the session's memories stay ({status.message}; {status.hint})",
              file=sys.stderr)
        memory.close()
        return None
    return memory
