"""The `wits` command line.

Start-up stays cheap: ``--version`` answers before anything is imported, and
each subcommand imports what it needs only when it runs.
"""

from __future__ import annotations

import argparse
import os
import sys

from wits_tui import __version__

#: Subcommand modules, each with ``register(subparsers)``.
COMMAND_MODULES = ("chat_cmd", "ask_cmd", "sessions_cmd", "history_cmd", "transfer_cmd", "config_cmd", "doctor_cmd", "memory_cmd",
                   "modules_cmd", "classify_cmd", "profile_cmd", "tools_cmd", "replay_cmd", "docs_cmd")


#: Command names that are not ``<module>_cmd``.
_ALIASES = {"module": "modules_cmd", "export": "transfer_cmd", "import": "transfer_cmd"}


def _modules_for(argv: list[str]) -> tuple[str, ...]:
    """Only the named command's module when argv names one (each module costs its
    imports; `wits ask` should not pay for the other twelve); all of them for help,
    no command, or a misspelt one, so argparse can list every choice."""
    if argv and not argv[0].startswith("-"):
        name = _ALIASES.get(argv[0], f"{argv[0]}_cmd")
        if name in COMMAND_MODULES:
            return (name,)
    return COMMAND_MODULES


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="wits",
        description="Wits: a local-first terminal assistant for local models. Run without a command to open the app.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"wits {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _modules_for(argv or []):
        importlib.import_module(f"wits_tui.cli.{name}").register(sub)
    return parser


def run() -> None:
    """The console script: ``main`` with the collector managed for a short-lived process."""
    from wits_tui.cli import heap

    heap.start()
    try:
        code = main()
    finally:
        heap.finish()
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-V", "--version"):
        print(f"wits {__version__}")
        return 0
    from wits_tui.engine.textsafe import REPLACED_NOTE, valid_text

    cleaned = [valid_text(a) for a in argv]  # invalid UTF-8 in an argument arrives as lone surrogates
    if any(replaced for _, replaced in cleaned):
        print(f"wits: note: {REPLACED_NOTE} (arguments)", file=sys.stderr)
        argv = [a for a, _ in cleaned]
    if argv:
        args = build_parser(argv).parse_args(argv)
    else:  # bare `wits`, the app: nothing to parse, and the parser would import every command's module
        args = argparse.Namespace(handler=None)

    from wits_tui.cli.context import Context, fail
    from wits_tui.settings_source import ConfigError

    # `classify --keywords-only` and the app read the validated snapshot when nothing changed: no pydantic
    # import (~150 ms) before the answer or the first frame; the app's engine validates on its own thread
    app = plain = False
    if args.handler is None:  # bare `wits`: the app, or the line mode where the terminal cannot show it
        from wits_tui.cli.chat_cmd import wants_plain

        plain = wants_plain()
        app = not plain
    try:
        ctx = Context.load(quick=app or bool(getattr(args, "keywords_only", False)))
    except ConfigError as exc:
        return fail(str(exc), code=2)
    from wits_tui.engine.errorlog import setup_logging

    # Files Wits writes are for this user only: 0600 files, 0700 directories (the database, the
    # memory and the logs hold conversations). Process-wide, so it lives here in the entry point.
    os.umask(0o077)
    loose = ctx.paths.tighten()
    if loose:
        print(f"wits: note: made {', '.join(str(p) for p in loose)} private to you (other users could read "
              "it); Wits creates its files 0600 from now on", file=sys.stderr)
    setup_logging(ctx.paths.log_dir, warnings=True)  # logs, tracebacks and warnings go to the log file, never to the screen
    handler = getattr(args, "handler", None)
    from wits_tui.cli import heap

    if handler is not None and not getattr(args, "settles_itself", False):  # ask settles after its own imports
        heap.release()
    if handler is None:  # the app releases the collector once it is ready (heap.release, see run_app)
        if plain:
            from wits_tui.cli.chat_cmd import run_plain

            heap.release()
            return run_plain(ctx)
        from wits_tui.cli.app_cmd import run_app

        return run_app(ctx)
    from wits_tui.engine.errors import WitsError

    try:
        return handler(args, ctx)
    except WitsError as exc:  # an expected failure a command did not handle itself: said, not a traceback
        return fail(exc.describe())
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `wits history | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return 0
    except Exception as exc:  # a disk fault: say which, not a traceback (the traceback goes to the log)
        import sqlite3

        from wits_tui.engine.store.db import advice

        if not isinstance(exc, (OSError, sqlite3.Error)):
            raise
        problem = advice(ctx.paths.database, exc, ctx.store_fault)
        if problem.fault == "other":
            raise
        return fail(str(problem), code=1)
    finally:
        ctx.close()
