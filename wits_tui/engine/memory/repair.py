"""`wits memory repair`: move a damaged memory directory aside so a fresh one starts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


def repair(directory: Path) -> Path | None:
    """Rename ``directory`` to ``<name>.broken-YYYYmmdd-HHMMSS`` (kept for inspection); None if absent."""
    directory = Path(directory)
    if not directory.exists():
        return None
    aside = directory.with_name(f"{directory.name}.broken-{datetime.now():%Y%m%d-%H%M%S}")
    n = 1
    while aside.exists():
        aside = aside.with_name(f"{aside.name}-{n}")
        n += 1
    directory.rename(aside)
    return aside
