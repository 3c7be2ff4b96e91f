"""A command's listing (sessions, history, search results, help); Enter acts on a row.

Cells are plain text (a usage like ``[md|json|html]`` is not markup); the last column
wraps to the room left, so a description is never cut mid-word.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from wits_tui.commands import Listing, Row


class ListingScreen(ModalScreen[Row | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="listing.close")]
    #: Under 100 columns the dialog takes the whole width (app.tcss: ``.dialog-screen.-narrow``).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(self, listing: Listing) -> None:
        super().__init__(classes="dialog-screen")
        self.listing = listing

    def compose(self):
        with Vertical(classes="dialog listing") as box:
            box.border_title = self.listing.title
            if self.listing.rows:
                yield DataTable(cursor_type="row", zebra_stripes=True)
                yield Label(f"[dim]{enter_hint(self.listing)}Esc closes[/dim]", classes="dialog-help")
            else:
                yield Label(self.listing.empty, classes="empty")
                yield Label("[dim]Esc closes[/dim]", classes="dialog-help")

    def on_mount(self) -> None:
        if self.listing.rows:
            self.call_after_refresh(self._fill)

    def _fill(self) -> None:
        """Once the table has its size: the columns shown (``shown_columns``) and their widths
        (``column_widths``); cells wrap."""
        table = self.query_one(DataTable)
        cells = [[str(c) for c in row.cells] for row in self.listing.rows]
        columns = self.listing.columns
        natural = [max([len(columns[i]), *(len(r[i]) for r in cells if i < len(r))]) for i in range(len(columns))]

        def room(n: int) -> int:  # cells for n columns' text
            return table.size.width - table.styles.scrollbar_size_vertical - 2 * table.cell_padding * n

        shown = shown_columns(natural, self.listing.optional, room)
        keep = [shown.index(i) for i in self.listing.keep if i in shown]
        for i, width in zip(shown, column_widths([natural[i] for i in shown], room(len(shown)), keep)):
            table.add_column(Text(columns[i]), width=width)
        for index, row in enumerate(cells):
            table.add_row(*(Text(row[i] if i < len(row) else "") for i in shown), key=str(index), height=None)
        if left_out := [columns[i] for i in range(len(columns)) if i not in shown]:
            help_line = self.query_one(".dialog-help", Label)
            help_line.update(f"[dim]{enter_hint(self.listing)}Esc closes · {', '.join(left_out)} "
                             "hidden at this width[/dim]")
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self.listing.rows[int(event.row_key.value or 0)]
        self.dismiss(row if (row.session_id is not None or row.text is not None) else None)


#: A narrowed column keeps at least this many cells; the last column LAST_MIN while the others can narrow.
NARROWEST = 8
LAST_MIN = 20
#: When the columns do not all fit, the last one (a description) keeps up to this share of the room.
LAST_SHARE = 0.55


def shown_columns(natural: list[int], optional: Sequence[int], room: Callable[[int], int]) -> list[int]:
    """The indexes of the columns to show: all, unless they do not fit ``room(number of columns)`` at their
    widest; then the ``optional`` ones are left out in their order until the rest fit (or none is left)."""
    shown = list(range(len(natural)))
    for i in optional:
        if sum(natural[j] for j in shown) <= room(len(shown)):
            break
        shown.remove(i)
    return shown


def column_widths(natural: list[int], room: int, keep: Sequence[int] = ()) -> list[int]:
    """Widths for columns whose widest cells are ``natural``, in ``room`` cells. All fit: each as wide as its
    widest cell. Otherwise the last column keeps up to :data:`LAST_SHARE` of the room and the widest of the
    others are narrowed first, to the same width (their cells wrap): a long usage line must not squeeze the
    description, and narrow columns (a size, a quantisation) are never widened or cut because another is long.
    The ``keep`` columns (a model's name) keep their width while the others can narrow to NARROWEST and the last one
    to LAST_MIN instead.
    Only when even that does not fit does the last column go below LAST_MIN; only below NARROWEST each do
    columns run past the room (the table then scrolls sideways)."""
    *rest, last = natural
    if sum(natural) <= room:
        return natural
    budget = max(room - min(last, max(LAST_MIN, math.ceil(room * LAST_SHARE))), sum(min(w, NARROWEST) for w in rest))
    kept = {i for i in keep if i < len(rest)}
    least = sum(w if i in kept else min(w, NARROWEST) for i, w in enumerate(rest))  # the others at their narrowest
    if kept and least <= max(budget, room - min(last, LAST_MIN)):
        budget = max(budget, least)  # the last column down to LAST_MIN, if it must, before a kept one wraps
        others = _narrowed([w for i, w in enumerate(rest) if i not in kept], budget - sum(rest[i] for i in kept))
        rest = [w if i in kept else next(others) for i, w in enumerate(rest)]
    else:
        rest = list(_narrowed(rest, budget))
    return [*rest, min(last, max(room - sum(rest), NARROWEST))]


def _narrowed(widths: list[int], budget: int) -> Iterator[int]:
    """``widths`` with the widest cut to one width (not below NARROWEST) until they fit ``budget``."""
    cap = max(widths, default=0)
    while cap > NARROWEST and sum(min(w, cap) for w in widths) > budget:
        cap -= 1
    return (min(w, cap) for w in widths)


def enter_hint(listing: Listing) -> str:
    """What Enter does on these rows (nothing said when it does nothing)."""
    if any(r.session_id is not None for r in listing.rows):
        return "Enter opens · "
    if any(r.text is not None for r in listing.rows):
        return "Enter puts it in the prompt · "
    return ""
