"""A command's listing (sessions, history, search results, help); Enter opens a row."""

from __future__ import annotations

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
                yield Label("[dim]Enter opens · Esc closes[/dim]", classes="dialog-help")
            else:
                yield Label(self.listing.empty, classes="empty")
                yield Label("[dim]Esc closes[/dim]", classes="dialog-help")

    def on_mount(self) -> None:
        if self.listing.rows:
            table = self.query_one(DataTable)
            table.add_columns(*self.listing.columns)
            for index, row in enumerate(self.listing.rows):
                table.add_row(*row.cells, key=str(index))
            table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self.listing.rows[int(event.row_key.value or 0)]
        self.dismiss(row if (row.session_id is not None or row.text is not None) else None)
