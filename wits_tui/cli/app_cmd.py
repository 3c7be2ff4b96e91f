"""Bare `wits`: the full-screen app."""

from __future__ import annotations

from wits_tui.cli.context import Context


def run_app(ctx: Context) -> int:
    from wits_tui.engine.peek import saved_theme
    from wits_tui.ui.app import WitsApp

    # the app builds its engine (build_engine) in a worker after the first frame
    WitsApp(ctx.paths, ctx.settings, initial_theme=saved_theme(ctx.paths.database)).run()
    return 0
