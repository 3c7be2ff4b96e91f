"""`wits replay SESSION [--speed N] [--from TURN]`: play a recorded session back in the app."""

from __future__ import annotations

import argparse

from wits_tui.cli.context import Context, fail


def _speed(text: str) -> float:
    try:
        value = float(text.rstrip("x×"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"the speed is a number (2 = twice as fast, 0 = instant), not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the speed cannot be negative (0 plays it instantly)")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help="play a recorded session back in the app, with its original pacing",
                       description="Plays the session back with no model or network needed. "
                                   "Space pauses and resumes, n plays one more turn, q quits.")
    p.add_argument("session", help="session id or title")
    p.add_argument("--speed", type=_speed, default=1.0, metavar="N",
                   help="pace multiplier: 2 is twice as fast, 0 is instant (default 1)")
    p.add_argument("--from", dest="from_turn", type=int, default=1, metavar="TURN",
                   help="start at this turn (default 1)")
    p.set_defaults(handler=cmd_replay)


def cmd_replay(args: argparse.Namespace, ctx: Context) -> int:
    from wits_tui.engine.store import SessionNotFound

    try:
        session = ctx.store.sessions.find(args.session)
    except SessionNotFound as exc:
        return fail(str(exc), code=2)
    turns = ctx.store.recordings.turns(session.id)
    if turns == 0:
        return fail(f"session {session.id} has nothing recorded to replay", code=1)
    if not 1 <= args.from_turn <= turns:
        return fail(f"--from must be between 1 and {turns} (the session has {turns} recorded turns)", code=2)
    ctx.close()  # the app opens the store itself

    from wits_tui.cli.app_cmd import prepare_process
    from wits_tui.engine.peek import saved_theme
    from wits_tui.ui.app import WitsApp

    prepare_process()
    WitsApp(ctx.paths, ctx.settings, initial_theme=saved_theme(ctx.paths.database),
            replay=(session.id, args.speed, args.from_turn)).run()
    return 0
