"""What every command gets: paths, validated settings, and the store on demand."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

from wits_tui.paths import Paths, resolve_paths
from wits_tui.settings import Settings, load_settings


def fail(message: str, code: int = 1) -> int:
    """Print a one-line (or short) reason on stderr and return the exit code."""
    from wits_tui.engine.textsafe import terminal_safe

    print(terminal_safe(f"wits: {message}"), file=sys.stderr)
    return code


@dataclass
class Context:
    paths: Paths
    settings: Settings
    _store: Any = field(default=None, repr=False)
    #: Why the store was opened read-only ("read_only" or "full"), else None.
    store_fault: str | None = None

    @classmethod
    def load(cls) -> "Context":
        paths = resolve_paths()
        return cls(paths=paths, settings=load_settings(paths))

    @property
    def store(self):  # -> wits_tui.engine.store.Store
        if self._store is None:
            from wits_tui.engine.store import DatabaseError, Store

            try:
                self.paths.ensure()
                self._store = Store(self.paths.database, history_max_entries=self.settings.history.max_entries)
            except (DatabaseError, OSError) as exc:
                if getattr(exc, "kind", "read_only") not in ("read_only", "full") or not self.paths.database.exists():
                    raise
                # a read-only home: reading commands still show what is there
                self._store = Store(self.paths.database, read_only=True)
                self.store_fault = getattr(exc, "kind", "read_only")
                why = "the disk is full" if getattr(exc, "kind", "") == "full" else f"{self.paths.data_dir} cannot be written"
                print(f"wits: note: {why}: showing what is there; nothing new can be saved until "
                      f"{'there is space' if 'full' in why else 'it is writable'}", file=sys.stderr)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


def print_table(columns: list[str], rows: list[list[Any]], empty: str = "nothing to show") -> None:
    """A readable table on a terminal (plain, aligned text when piped)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
    from rich import box

    from wits_tui.engine.textsafe import terminal_safe

    # piped output (logs, CI, `| less`) keeps each row on one line instead of wrapping at 80
    console = Console() if sys.stdout.isatty() else Console(width=200)
    if not rows:
        console.print(f"[dim]{empty}[/dim]", highlight=False)
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, highlight=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        # Text, not markup: a title like "[red]x" is shown as typed; control characters made visible
        table.add_row(*(Text("" if v is None else terminal_safe(str(v))) for v in row))
    console.print(table)
