"""The `wits` command line.

Start-up stays cheap: ``--version`` answers before anything is imported, and
each subcommand imports what it needs only when it runs.
"""

from __future__ import annotations

import argparse
import sys

from wits_tui import __version__

#: Subcommand modules, each with ``register(subparsers)``.
COMMAND_MODULES = ("chat_cmd", "ask_cmd", "sessions_cmd", "history_cmd", "transfer_cmd", "config_cmd", "doctor_cmd", "memory_cmd", "modules_cmd", "classify_cmd", "profile_cmd", "tools_cmd", "replay_cmd")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="wits",
        description="Wits: a local-first terminal assistant for local models. Run without a command to open the app.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"wits {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"wits_tui.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-V", "--version"):
        print(f"wits {__version__}")
        return 0
    parser = build_parser()
    args = parser.parse_args(argv)

    from wits_tui.cli.context import Context, fail
    from wits_tui.settings import ConfigError

    try:
        ctx = Context.load()
    except ConfigError as exc:
        return fail(str(exc), code=2)
    from wits_tui.engine.errorlog import setup_logging

    setup_logging(ctx.paths.log_dir)  # logs and tracebacks go to the log file, never to the screen
    handler = getattr(args, "handler", None)
    if handler is None:
        from wits_tui.cli.chat_cmd import run_plain, wants_plain

        if wants_plain():
            return run_plain(ctx)
        from wits_tui.cli.app_cmd import run_app

        return run_app(ctx)
    try:
        return handler(args, ctx)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `wits history | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return 0
    finally:
        ctx.close()
