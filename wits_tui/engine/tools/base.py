"""What a tool is, and what calling one gives back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from wits_tui.engine.errors import ToolFailed

__all__ = ["Args", "Tool", "ToolContext", "ToolFailed", "ToolOutcome"]


class Args(BaseModel):
    """Base for tool argument models: unknown fields are errors the model is told about."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    args: type[Args]
    run: Callable[[Any, "ToolContext"], Awaitable[Any]]
    example: dict[str, Any]
    side_effects: bool = False  # such tools would ask the user first (none built in)

    def schema(self) -> dict[str, Any]:
        """The function description Ollama sends to the model (JSON schema from the args model)."""
        params = self.args.model_json_schema()
        params.pop("title", None)
        for prop in params.get("properties", {}).values():
            prop.pop("title", None)
        return {"type": "function", "function": {"name": self.name, "description": self.description, "parameters": params}}


@dataclass
class ToolContext:
    """What tools may use: allowed directories, the memory (once there is one)."""

    allowed_dirs: list[str] = field(default_factory=list)
    memory: Callable[[], Any] | None = None  # gives the memory store (or None), opened only when asked
    session_id: int | None = None


@dataclass(frozen=True)
class ToolOutcome:
    name: str
    arguments: Any
    ok: bool
    content: str  # what the model reads (JSON text)
    error_type: str | None = None
    duration_ms: float = 0.0
