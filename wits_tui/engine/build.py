"""The one way to build an engine: :func:`build_engine` with :class:`EngineOptions`.

Every front end (the TUI, the line mode, each CLI command) builds its engine here,
so each gets the same store, recovery and backend; behaviour switches are fixed at
construction instead of being set on a running engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from wits_tui.engine.backends.base import Backend
from wits_tui.engine.core import ConfirmTool, Engine
from wits_tui.paths import Paths
from wits_tui.settings import Settings

__all__ = ["ConfirmTool", "Engine", "EngineOptions", "build_engine"]


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """How a front end uses the engine, fixed at construction.

    ``use_memory``: recall long-term memory into prompts and remember exchanges (the
    TUI and the line mode do; `wits ask` only with ``--memory``: opening LanceDB takes
    a second). It has no effect when ``memory.enabled`` is false.
    ``confirm_tool``: asked before a tool with side effects runs; without it such
    calls are declined. ``backend``: a backend to use instead of Ollama (tests, a
    library user)."""

    use_memory: bool = False
    confirm_tool: ConfirmTool | None = None
    backend: Backend | None = None


def build_engine(settings: Settings, paths: Paths, options: EngineOptions | None = None) -> Engine:
    """The one way the front ends build an engine (no I/O: the store opens on first use)."""
    options = options or EngineOptions()
    return Engine(settings, paths, backend=options.backend, use_memory=options.use_memory, confirm_tool=options.confirm_tool)
