"""`wits export SESSION --format md|json|html|svg` and `wits import FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wits_tui.cli.context import Context, fail

FORMATS = ("md", "json", "html", "svg")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write a session as Markdown, JSON (re-importable), HTML or an SVG screenshot")
    p.add_argument("session", help="session id or title")
    p.add_argument("-f", "--format", choices=FORMATS, default="md", help="output format (default md)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("import", help="import a session from a JSON export (as a new session)")
    p.add_argument("file", type=Path, help="a file written by `wits export --format json`")
    p.set_defaults(handler=cmd_import)


def render(ctx: Context, session_id: int, fmt: str) -> str:
    from wits_tui.engine import transfer

    if fmt == "md":
        return transfer.export_markdown(ctx.store, session_id)
    if fmt == "json":
        from wits_tui.engine.attachments import Blobs

        return transfer.export_json(ctx.store, session_id, Blobs(ctx.paths.attachments_dir))
    if fmt == "html":
        return transfer.export_html(ctx.store, session_id)
    from wits_tui.ui.snapshot import session_svg

    return session_svg(ctx.paths, ctx.settings, session_id)


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    from wits_tui.engine.store import SessionNotFound

    try:
        session = ctx.store.sessions.find(args.session)
    except SessionNotFound as exc:
        return fail(str(exc), code=2)
    text = render(ctx, session.id, args.format)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            return fail(f"cannot write {args.output}: {exc.strerror or exc}", code=1)
        print(f"wrote session {session.id} as {args.format} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    from wits_tui.engine.attachments import Blobs
    from wits_tui.engine.transfer import ImportProblem, import_file

    try:
        session_id = import_file(ctx.store, args.file, Blobs(ctx.paths.attachments_dir))
    except ImportProblem as exc:
        return fail(f"{exc}; nothing was imported", code=2)
    session = ctx.store.sessions.get(session_id)
    print(f"imported {args.file} as session {session.id}: {session.title}")
    return 0
