"""Placeholder screen until the TUI lands."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from wits_tui.paths import Paths
from wits_tui.settings import Settings


class WitsApp(App[None]):
    TITLE = "Wits"

    def __init__(self, paths: Paths, settings: Settings) -> None:
        super().__init__()
        self.paths = paths
        self.settings = settings

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Wits is being built. Try `wits --help`.", id="placeholder")
        yield Footer()
