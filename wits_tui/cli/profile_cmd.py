"""`wits profile show|reset [--user NAME]`: what personalised routing knows about you."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from wits_tui.cli.context import Context, fail, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("profile", help="your routing profile: preferences, topics, feedback")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("show", help="show the profile")
    a.add_argument("--user", help="profile name (default: routing.user, else the OS user name)")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(handler=cmd_show)
    a = actions.add_parser("reset", help="forget the profile")
    a.add_argument("--user", help="profile name (default: routing.user, else the OS user name)")
    a.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    a.set_defaults(handler=cmd_reset)


def _user(args: argparse.Namespace, ctx: Context) -> str:
    from wits_tui.engine.routing.profiles import default_user

    return args.user or default_user(ctx.settings.routing.user)


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    p = ctx.store.profiles.get(_user(args, ctx))
    if args.json:
        print_json(asdict(p))
        return 0
    if p.created_at is None:
        print(f"no profile for {p.user} yet: it grows with every answered message")
        return 0
    print(f"profile {p.user}: {p.interactions} messages since {p.created_at[:10]}")
    print(f"  feedback: {p.feedback_positive} good, {p.feedback_negative} bad, {p.feedback_neutral} neutral")
    domains = sorted(p.domain_prefs.items(), key=lambda kv: -kv[1])
    print("  domains:  " + (", ".join(f"{d} {int(n)}" for d, n in domains) or "-"))
    mods = sorted(p.module_prefs.items(), key=lambda kv: -kv[1])
    print("  modules:  " + (", ".join(f"{m} {v:+g}" for m, v in mods) or "-"))
    print("  topics:   " + (", ".join(f"{t} ({n})" for t, n in p.top_topics(12)) or "-"))
    return 0


def cmd_reset(args: argparse.Namespace, ctx: Context) -> int:
    user = _user(args, ctx)
    if not args.yes:
        if not sys.stdin.isatty():
            return fail(f"refusing to reset the profile of {user} without confirmation: add --yes", code=2)
        if input(f"Forget the routing profile of {user}? [y/N] ").strip().lower() not in ("y", "yes"):
            print("kept")
            return 1
    existed = ctx.store.profiles.reset(user)
    print(f"reset the profile of {user}" if existed else f"there was no profile for {user}")
    return 0
