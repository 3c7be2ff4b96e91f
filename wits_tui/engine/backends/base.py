"""What the engine needs from a model server. One module per backend implements it."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from wits_tui.engine.errors import BackendError, ErrorKind

__all__ = ["Backend", "BackendError", "ChatChunk", "ErrorKind", "LoadedModel", "ModelDetails", "ModelInfo", "PullProgress"]


@dataclass(frozen=True, slots=True)
class Choice:
    """A decision model's answer to a choice question (Ollama's /v1/systemone)."""

    choice: str
    probabilities: dict[str, float]
    confidence: float


@dataclass(frozen=True, slots=True)
class ChatChunk:
    content: str = ""
    done: bool = False
    #: On the final chunk: Ollama's counters (nanoseconds for durations).
    stats: dict[str, Any] | None = None
    tool_calls: list[dict[str, Any]] | None = None
    #: What a thinking model thinks (Ollama's message.thinking), before the content.
    thinking: str = ""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    size: int = 0
    family: str = ""
    parameter_size: str = ""
    quantization: str = ""
    modified_at: str = ""


@dataclass(frozen=True, slots=True)
class ModelDetails:
    name: str
    context_length: int | None = None
    capabilities: tuple[str, ...] = ()
    family: str = ""
    system: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoadedModel:
    name: str
    size: int = 0
    size_vram: int = 0
    expires_at: str = ""
    context_length: int | None = None


@dataclass(frozen=True, slots=True)
class PullProgress:
    status: str
    completed: int | None = None
    total: int | None = None
    digest: str | None = None

    @property
    def fraction(self) -> float | None:
        if self.total and self.completed is not None:
            return min(1.0, self.completed / self.total)
        return None


@runtime_checkable
class Backend(Protocol):
    name: str
    host: str

    def chat(
        self,
        model: str,
        messages: list[dict[str, Any]],
        *,
        options: dict[str, Any] | None = None,
        tools: list[dict[str, Any]] | None = None,
        think: bool | str | None = None,
        keep_alive: str | None = None,
        format: dict[str, Any] | None = None,
    ) -> AsyncGenerator[ChatChunk, None]: ...

    async def choose(self, model: str, state: str, instructions: str, options: dict[str, str]) -> Choice: ...

    async def version(self) -> str: ...

    async def list_models(self) -> list[ModelInfo]: ...

    async def show(self, model: str) -> ModelDetails: ...

    async def loaded(self) -> list[LoadedModel]: ...

    async def load(self, model: str) -> None: ...

    async def embed(self, model: str, texts: list[str]) -> list[list[float]]: ...

    def pull(self, model: str) -> AsyncIterator[PullProgress]: ...

    async def close(self) -> None: ...
