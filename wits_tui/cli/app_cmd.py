"""Bare `wits`: the full-screen app."""

from __future__ import annotations

import sys

from wits_tui.cli.context import Context

#: How long a thread may hold the interpreter while another waits for it (CPython's default
#: is 5 ms). The engine's thread parses a fast model's stream without pause; the UI's thread
#: waits for the interpreter every time it comes back from the terminal or its event loop's
#: poll, up to this long each time. Measured in `benchmarks.run thinking` (key press while a
#: thought streams at full speed, 30 presses, load ~2): p50/p95 51-73/113-126 ms at 5 ms,
#: 33-47/76-109 ms at 1 ms, 34-35/59-67 ms at 0.5 ms.
SWITCH_INTERVAL_S = 0.0005
# Textual's frame rate stays its default (60/s): what is typed is drawn as soon as it is handled
# (wits_tui/ui/paint.py), so a faster frame timer (TEXTUAL_FPS=120) would mostly cost CPU.


def prepare_process() -> None:
    """What a process showing the app sets for itself (not the app: tests run it in-process)."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def run_app(ctx: Context) -> int:
    from wits_tui.cli import heap
    from wits_tui.engine.peek import saved_theme
    from wits_tui.ui.app import WitsApp

    prepare_process()
    # the app builds its engine (build_engine) in a worker after the first frame; the collector
    # stays off until then (start-up only creates objects that live as long as the app), then
    # full collections wait for quiet moments (heap.defer_full)
    WitsApp(ctx.paths, ctx.settings, initial_theme=saved_theme(ctx.paths.database), started=heap.defer_full).run()
    return 0
