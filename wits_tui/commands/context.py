"""What a command gets to work with."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Frontend(Protocol):
    """What a command may ask of the front end that runs it."""

    async def confirm(self, question: str) -> bool:
        """Ask a yes/no question; True means yes."""
        ...


@dataclass
class CommandContext:
    """``engine`` is a :class:`wits_tui.engine.core.Engine` (or anything with the
    same ``store``, ``model_for`` and ``list_models``). ``session_id`` is the
    session the person is looking at. ``themes`` are the theme names the front end
    can show, ``theme`` the one in use. ``cache`` is kept by the front end between calls (completion data)."""

    engine: Any
    session_id: int | None
    frontend: Frontend
    themes: Sequence[str] = ()
    theme: str | None = None  # the one in use, where the front end has themes
    export_dir: Path = field(default_factory=Path.cwd)
    cache: dict[str, Any] = field(default_factory=dict)
    #: Files for the next message (``Attachment``s), owned by the front end; /attach and /detach change it.
    attachments: list[Any] = field(default_factory=list)

    @property
    def store(self) -> Any:
        return self.engine.store

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a (sync, thread-safe) store call off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def model_names(self, max_age: float = 30.0) -> list[str] | None:
        """Installed model names (cached for ``max_age`` s); None if the server cannot be asked."""
        cached = self.cache.get("models")
        if cached is not None and time.monotonic() - cached[0] < max_age:
            return cached[1]
        try:
            names = sorted(m.name for m in await self.engine.list_models())
        except Exception:
            return None
        self.cache["models"] = (time.monotonic(), names)
        return names
