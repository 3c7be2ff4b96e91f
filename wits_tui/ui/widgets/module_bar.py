"""The module bar: one line with the modules and their keys, "auto" or the pinned
module, and a dot for modules whose model is loaded. It only shows what it is given.
When the full names do not fit its width (a narrow terminal, the sidebar open, many
modules) it drops its title and cuts names to :data:`COMPACT` letters."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.containers import Horizontal
from textual.widgets import Label

AUTO = "auto"
COMPACT = 4  # letters of a module's name the bar keeps on a narrow terminal


def short_name(name: str) -> str:
    """What the bar shows: "code_expert" -> "code", "base_module" -> "base"."""
    for suffix in ("_expert", "_module"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


class ModuleBar(Horizontal):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entries: list[Any] = []  # ModuleEntry
        self.pinned: str | None = None

    def compose(self):
        yield Label("modules", classes="bar-title")
        yield Label("0 auto", id="module-auto", classes="module")

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    async def show(self, entries: list[Any], pinned: str | None) -> None:
        """Rebuild the labels (modules or their loaded state changed)."""
        if [(e.name, e.key, e.loaded) for e in entries] != [(e.name, e.key, e.loaded) for e in self.entries]:
            self.entries = list(entries)
            await self.query(".module.-named").remove()
            await self.mount_all([self._label(e) for e in self.entries])
        self.set_pinned(pinned)
        self._fit(self.outer_size.width)

    compact = False  # the full names do not fit: names cut to COMPACT letters, no "modules" title

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)  # the whole bar, its padding too

    def full_width(self) -> int:
        """Cells from the bar's left edge to the end of the last full name (app.tcss: #modules
        padding 2, its title's margin 1, each module's padding 1 on each side); the padding after
        the last name may be cut off."""
        names = ["0 auto", *(self._text(e, compact=False) for e in self.entries)]
        return 2 + len("modules") + 1 + sum(len(n) + 2 for n in names) - 1

    def _fit(self, width: int) -> None:
        """``width``: the bar's, padding included (as :meth:`full_width` counts)."""
        if width:  # 0: not laid out yet
            self.set_compact(self.full_width() > width)

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self.set_class(compact, "-compact")
            for label, entry in zip(self.query(".module.-named"), self.entries):
                label.update(self._text(entry))  # type: ignore[attr-defined]

    def _text(self, entry: Any, compact: bool | None = None) -> str:
        dot = "●" if entry.loaded else ""
        key = f"{entry.key} " if entry.key else ""
        name = short_name(entry.name)
        return f"{key}{name[:COMPACT] if (self.compact if compact is None else compact) else name}{dot}"

    def _label(self, entry: Any) -> Label:
        label = Label(self._text(entry), classes="module -named", markup=False)
        label.tooltip = (f"{entry.name}: {entry.description}\nmodel {entry.model}"
                         + (" (loaded)" if entry.loaded else ""))
        label.module_name = entry.name  # type: ignore[attr-defined]
        return label

    def set_pinned(self, pinned: str | None) -> None:
        """Mark the pinned module (None: automatic routing). Cheap: no remount."""
        self.pinned = pinned
        self.query_one("#module-auto").set_class(pinned is None, "-active")
        for label in self.query(".module.-named"):
            label.set_class(getattr(label, "module_name", None) == pinned, "-active")

    def next_after(self, current: str | None) -> str | None:
        """The module after ``current`` in bar order; after the last comes auto (None)."""
        order: list[str | None] = [None, *self.names]
        return order[(order.index(current) + 1) % len(order)] if current in order else None
