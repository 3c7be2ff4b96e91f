"""Bare `wits`: the full-screen app."""

from __future__ import annotations

from wits_tui.cli.context import Context


def run_app(ctx: Context) -> int:
    from wits_tui.ui.app import WitsApp

    WitsApp(ctx.paths, ctx.settings).run()
    return 0
