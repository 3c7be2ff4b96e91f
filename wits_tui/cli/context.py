"""What every command gets: paths, validated settings, and the engine (and its store) on demand."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wits_tui.paths import Paths, resolve_paths
from wits_tui.settings_source import SettingsView, load_snapshot, save_snapshot

if TYPE_CHECKING:
    from wits_tui.engine.build import EngineOptions
    from wits_tui.engine.core import Engine
    from wits_tui.engine.store import Store
    from wits_tui.settings import Settings


def fail(message: str, code: int = 1) -> int:
    """Print a one-line (or short) reason on stderr and return the exit code."""
    from wits_tui.engine.textsafe import terminal_safe

    print(terminal_safe(f"wits: {message}"), file=sys.stderr)
    return code


@dataclass
class Context:
    paths: Paths
    settings: Settings
    _engine: "Engine | None" = field(default=None, repr=False)
    #: Why the store was opened read-only ("read_only" or "full"), else None.
    store_fault: str | None = None
    _read_only_store: "Store | None" = field(default=None, repr=False)

    @classmethod
    def load(cls, quick: bool = False) -> "Context":
        """Paths and validated settings. ``quick``: the snapshot of the settings validated last
        time, when they were made from the same file, variables and schema (no pydantic import;
        see :mod:`wits_tui.settings_source`); the engine validates them again when it is built."""
        paths = resolve_paths()
        if quick and (view := load_snapshot(paths)) is not None:
            return cls(paths=paths, settings=view)  # type: ignore[arg-type]
        from wits_tui.settings import load_settings

        settings = load_settings(paths)
        if quick:
            save_snapshot(paths, settings)
        return cls(paths=paths, settings=settings)

    def engine(self, options: "EngineOptions | None" = None) -> "Engine":
        """The command's engine, built on first call with ``options`` (built by
        :func:`~wits_tui.engine.build.build_engine`, like every front end's)."""
        if isinstance(self.settings, SettingsView):  # a quick command that needs more after all
            from wits_tui.settings import load_settings

            self.settings = load_settings(self.paths)
        if self._engine is None:
            from wits_tui.engine.build import build_engine

            self._engine = build_engine(self.settings, self.paths, options)
        elif options is not None:
            raise RuntimeError("the engine was built already; pass its options on the first call")
        return self._engine

    @property
    def store(self) -> "Store":
        """The engine's store: opening it marks answers cut off by a dead writer as interrupted.
        On a home that cannot be written (or a full disk) the store opens read-only, so reading
        commands still show what is there."""
        from wits_tui.engine.errors import DatabaseError

        try:
            return self.engine().store
        except (DatabaseError, OSError) as exc:
            fault = exc.fault if isinstance(exc, DatabaseError) else "read_only"
            if fault not in ("read_only", "full") or not self.paths.database.exists():
                raise
        from wits_tui.engine.core import Engine
        from wits_tui.engine.store import Store

        # a read-only home: reading commands still show what is there (no recovery: it writes)
        store = Store(self.paths.database, read_only=True)
        self._engine = Engine(self.settings, self.paths, store=store)
        self._read_only_store = store
        self.store_fault = fault
        why = "the disk is full" if fault == "full" else f"{self.paths.data_dir} cannot be written"
        print(f"wits: note: {why}: showing what is there; nothing new can be saved until "
              f"{'there is space' if fault == 'full' else 'it is writable'}", file=sys.stderr)
        return store

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        if self._read_only_store is not None:
            self._read_only_store.close()
            self._read_only_store = None


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


def print_table(columns: list[str], rows: list[list[Any]], empty: str = "nothing to show") -> None:
    """A readable table on a terminal (plain, aligned text when piped)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

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
