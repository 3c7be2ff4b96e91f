"""A theme change restyles the app a stretch at a time.

Textual applies a new theme in one callback (``App.refresh_css``): reparse every
stylesheet, restyle every node, lay the screen out again. With a session open that
was 55-80 ms of the UI thread's CPU in one go (idle; more under load), during which
no key is handled. :func:`restyle` does the same work in steps of about
:data:`STEP_S` of CPU, yielding to the loop between them, with painting held back
until the last step so no frame shows half a theme. (Drawing the restyled screen is
one frame, as after any change that touches everything.)
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from textual.widget import Widget

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode

STEP_S = 0.008


async def restyle(app: "App") -> None:
    """What ``App.refresh_css(animate=False)`` does, in steps."""
    app._begin_batch()  # no frame until every node has its new style
    try:
        stylesheet = app.stylesheet
        stylesheet.set_variables(app.get_css_variables())
        stylesheet.reparse()
        await asyncio.sleep(0)
        screen = app.screen
        nodes: list[DOMNode] = list(app.walk_children(with_self=True))
        for other in app.screen_stack:
            if other is not screen:
                nodes += other.walk_children(with_self=True)
        cache: dict = {}  # shared by all steps, as Stylesheet.update_nodes shares it within one call
        step_end = time.thread_time() + STEP_S
        for node in nodes:
            if node.is_attached:
                stylesheet.apply(node, animate=False, cache=cache)
                if isinstance(node, Widget) and node.is_scrollable:
                    _scrollbars(stylesheet, node, cache)
            if time.thread_time() > step_end:
                await asyncio.sleep(0)
                step_end = time.thread_time() + STEP_S
        for each in app.screen_stack:
            each._css_update_count = app._css_update_count
        await asyncio.sleep(0)
        if screen.is_mounted:  # a step of its own: laying the screen out again is 10-20 ms
            screen._refresh_layout(app.size)
    finally:
        app._end_batch()


def _scrollbars(stylesheet, node: Widget, cache: dict) -> None:
    """The scrollbars a scrollable widget shows (as ``Stylesheet.update_nodes`` restyles them)."""
    vertical = node.show_vertical_scrollbar and node.scrollbar_size_vertical
    horizontal = node.show_horizontal_scrollbar and node.scrollbar_size_horizontal
    if vertical:
        stylesheet.apply(node.vertical_scrollbar, cache=cache)
    if horizontal:
        stylesheet.apply(node.horizontal_scrollbar, cache=cache)
    if vertical and horizontal:
        stylesheet.apply(node.scrollbar_corner, cache=cache)
