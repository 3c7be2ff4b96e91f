"""A command's listing (sessions, history, search results, help); Enter acts on a row.

Cells are plain text (a usage like ``[md|json|html]`` is not markup); the last column
wraps to the room left, so a description is never cut mid-word.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from wits_tui.commands import Listing, Row


class ListingScreen(ModalScreen[Row | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="listing.close")]

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
        """Once the table has its size: every column as wide as its widest cell, but the
        last, which takes the room left and wraps."""
        table = self.query_one(DataTable)
        cells = [[str(c) for c in row.cells] for row in self.listing.rows]
        columns = self.listing.columns
        widths = [max([len(columns[i]), *(len(r[i]) for r in cells if i < len(r))]) for i in range(len(columns))]
        room = table.size.width - table.styles.scrollbar_size_vertical - 2 * table.cell_padding * len(columns)
        first = sum(widths[:-1])
        if first > room * 0.45:  # one long cell (a usage line) must not squeeze the last column: it wraps too
            widths[:-1] = [max(12, w * int(room * 0.45) // first) for w in widths[:-1]]
        widths[-1] = max(20, min(widths[-1], room - sum(widths[:-1])))
        for label, width in zip(columns, widths):
            table.add_column(Text(label), width=width)
        for index, row in enumerate(cells):
            table.add_row(*(Text(c) for c in row), key=str(index), height=None)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self.listing.rows[int(event.row_key.value or 0)]
        self.dismiss(row if (row.session_id is not None or row.text is not None) else None)


def enter_hint(listing: Listing) -> str:
    """What Enter does on these rows (nothing said when it does nothing)."""
    if any(r.session_id is not None for r in listing.rows):
        return "Enter opens · "
    if any(r.text is not None for r in listing.rows):
        return "Enter puts it in the prompt · "
    return ""
