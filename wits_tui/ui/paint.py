"""Draw a typed key at once instead of at the next frame tick.

Textual paints on a timer that keeps its phase (60 a second): while an answer or
a thought streams, the timer never pauses, so a key the prompt has just handled
waits up to a frame (17 ms) for its tick, and longer when the tick's callback
queues behind the stream's on a busy interpreter. The timeline of the thinking
benchmark showed keys handled 1-2 ms after they arrived and drawn 4-29 ms later.

:func:`draw_now` does what the tick would do (``Screen._on_timer_update``: lay out
what needs it, paint what is dirty) right after the key is handled. It uses
Textual internals, as :mod:`wits_tui.ui.restyle` does; a Textual that renames
them makes it a no-op (keys are then drawn at the next tick, as before).
"""

from __future__ import annotations

from textual.events import Key
from textual.message_pump import MessagePump
from textual.messages import Layout
from textual.widget import Widget


def draw_now(widget: Widget, bound: bool = False) -> bool:
    """Paint ``widget``'s pending repaint (and whatever else the screen has pending) now.

    ``bound``: called after one of the widget's bindings ran (from the app, once the key came
    back to it): the widget's own task may have handed its repaint to the screen already, so
    it is painted whether or not it still says so. False when it is left to the next tick:
    more keys are queued (the last of a burst draws them all), the app batches updates, or a
    layout is pending (the widget's own styles, scroll or size go the usual way).
    A Textual whose internals moved gets a no-op (False)."""
    try:
        if widget._layout_required or widget._scroll_required or widget._refresh_styles_required:
            return False
        if not (widget._repaint_required or bound) or _keys_queued(widget) or _keys_queued(widget.app):
            return False
        screen = widget.screen
        if widget.app._batch_count or not screen.is_current or not widget.display:
            return False
        if bound and any(isinstance(m, Layout) for m in _queued(screen)):
            return False
        update = screen._on_timer_update
        widget._repaint_required = False  # as Widget._check_refresh does before posting Update
        screen._dirty_widgets.add(widget)
    except AttributeError:
        return False
    update()
    return True


def _keys_queued(pump: MessagePump) -> bool:
    """More keys wait in ``pump``'s queue (other messages, such as the prompt's own
    ``Changed`` for each key, do not delay the drawing)."""
    return any(isinstance(message, Key) for message in _queued(pump))


def _queued(pump: MessagePump) -> list[object]:
    """The messages waiting in ``pump``'s queue (Textual's own queue class keeps them in ``values``)."""
    return list(pump._message_queue.values)
