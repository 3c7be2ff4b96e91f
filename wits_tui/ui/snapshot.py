"""An SVG screenshot of a session's chat as the TUI renders it (``wits export --format svg``).

The app runs headless at a fixed size, shows the session (without making it the
active one), and the screen is exported once the messages are on it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

SIZE = (120, 40)
#: Seconds to wait for the store, the first health check and the module bar.
SETTLE_S = 5.0


async def _render(app: Any, size: tuple[int, int]) -> str:
    async with app.run_test(size=size) as pilot:
        deadline = time.monotonic() + SETTLE_S
        while time.monotonic() < deadline and not (app.ready and app.health is not None and app.chat_screen.module_bar.entries):
            await pilot.pause(0.05)
        app.prompt.cursor_blink = False
        await pilot.pause(0.2)
        return app.export_screenshot(title=f"Wits session {app.start_session}")


def session_svg(paths: Any, settings: Any, session_id: int, size: tuple[int, int] = SIZE) -> str:
    """The chat of ``session_id`` as an SVG document."""
    from wits_tui.cli.app_cmd import saved_theme
    from wits_tui.ui.app import WitsApp

    app = WitsApp(paths, settings, start_session=session_id, initial_theme=saved_theme(paths.database))
    return asyncio.run(_render(app, size))
