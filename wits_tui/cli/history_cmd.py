"""`wits history [--search TEXT] [--limit N]`."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from wits_tui.cli.context import Context, print_json, print_table


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="what you typed at the prompt, newest first")
    p.add_argument("-s", "--search", metavar="TEXT", help="full-text search (words match as prefixes)")
    p.add_argument("-n", "--limit", type=_positive, default=20, metavar="N", help="how many entries (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_history)


def cmd_history(args: argparse.Namespace, ctx: Context) -> int:
    history = ctx.store.history
    entries = history.search(args.search, args.limit) if args.search else history.recent(args.limit)
    if args.json:
        print_json([asdict(e) for e in entries])
        return 0
    empty = f"nothing in the history matches {args.search!r}" if args.search else "the history is empty"
    rows = [[e.id, e.created_at[:19].replace("T", " "), e.command] for e in entries]
    print_table(["id", "when (UTC)", "command"], rows, empty=empty)
    return 0
