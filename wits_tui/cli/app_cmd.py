"""Bare `wits`: the full-screen app."""

from __future__ import annotations

from wits_tui.cli.context import Context


def run_app(ctx: Context) -> int:
    from wits_tui.cli import heap
    from wits_tui.engine.peek import saved_theme
    from wits_tui.ui.app import WitsApp

    # the app builds its engine (build_engine) in a worker after the first frame; the collector
    # stays off until then (start-up only creates objects that live as long as the app)
    WitsApp(ctx.paths, ctx.settings, initial_theme=saved_theme(ctx.paths.database), started=heap.defer_full).run()
    return 0
