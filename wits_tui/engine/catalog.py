"""What the engine knows about models, kept off the turn's path.

``/api/show`` (capabilities, trained context length) is asked once per model and
``/api/ps`` (what is loaded, and with which context window) is refreshed in the
background after each turn and when a frontend asks; a turn reads the cache, so
no extra request leaves before the answer's (the first turn with a model not
seen before is the exception: it must know whether the model can think).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from wits_tui.engine.backends.base import Backend, BackendError, LoadedModel, ModelDetails


def canonical(name: str) -> str:
    """'llama3.2' -> 'llama3.2:latest', as Ollama names it."""
    name = name.strip()
    return name if ":" in name.rsplit("/", 1)[-1] else name + ":latest"


@dataclass(frozen=True, slots=True)
class Window:
    """The context window a model runs with: ``tokens``, where that figure comes from
    ("num_ctx" set by the session or module, "ollama" reported by /api/ps, "default"
    assumed from Ollama's default), and the ``trained`` length (None: unknown)."""

    tokens: int
    source: str
    trained: int | None

    @property
    def below_trained(self) -> bool:
        """Ollama's default cut the window below what the model was trained for."""
        return self.source != "num_ctx" and self.trained is not None and self.tokens < self.trained


class ModelCatalog:
    def __init__(self, backend: Callable[[], Backend], default_num_ctx: int) -> None:
        self._backend = backend
        self.default_num_ctx = default_num_ctx
        self._details: dict[str, ModelDetails] = {}
        self._loaded: dict[str, LoadedModel] = {}
        self.loaded_at: float | None = None  # time.monotonic() of the last /api/ps

    def cached(self, model: str) -> ModelDetails | None:
        return self._details.get(canonical(model))

    def loaded(self, model: str) -> LoadedModel | None:
        return self._loaded.get(canonical(model))

    def loaded_models(self) -> list[LoadedModel]:
        return list(self._loaded.values())

    async def details(self, model: str) -> ModelDetails | None:
        """/api/show, asked once per model (None when it cannot be asked)."""
        key = canonical(model)
        if key not in self._details:
            try:
                self._details[key] = await self._backend().show(model)
            except BackendError:
                return None  # a chat request will report the problem
        return self._details[key]

    async def refresh_loaded(self) -> list[LoadedModel]:
        """/api/ps now (raises BackendError when the server cannot be asked)."""
        models = await self._backend().loaded()
        self._loaded = {canonical(m.name): m for m in models}
        self.loaded_at = time.monotonic()
        return models

    async def refresh(self, models: list[str]) -> None:
        """Fill the cache for ``models`` and refresh what is loaded; errors are kept quiet
        (a background refresh must never fail anything)."""
        for model in dict.fromkeys(models):
            await self.details(model)
        try:
            await self.refresh_loaded()
        except BackendError:
            pass

    def forget(self, model: str) -> None:
        """A model was pulled or changed: ask /api/show again next time."""
        self._details.pop(canonical(model), None)

    def window(self, model: str, num_ctx: int | None = None) -> Window:
        details = self.cached(model)
        trained = details.context_length if details else None
        if num_ctx:
            return Window(int(num_ctx), "num_ctx", trained)
        running = self.loaded(model)
        if running is not None and running.context_length:
            return Window(int(running.context_length), "ollama", trained)
        default = self.default_num_ctx
        return Window(min(default, trained) if trained else default, "default", trained)


def short_tokens(n: int) -> str:
    """3100 -> '3.1k', 8192 -> '8k', 131072 -> '128k', 950 -> '950'."""
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024}k"
    if n >= 1000:
        text = f"{n / 1000:.1f}".rstrip("0").rstrip(".") if n < 10_000 else str(round(n / 1000))
        return text + "k"
    return str(n)


def suggested_num_ctx(window: int, trained: int | None) -> int:
    """A window four times the current one (a power of two), at most the trained length."""
    size = 1 << max(window * 4 - 1, 1).bit_length()
    return min(size, trained) if trained else size


def window_warning(model: str, window: Window) -> str | None:
    """Said at start when Ollama's default cuts the window below the trained length."""
    if not window.below_trained or window.trained is None:
        return None
    return (
        f"{model} was trained for {short_tokens(window.trained)} tokens of context but Ollama runs it with "
        f"{short_tokens(window.tokens)} (its default): /set num_ctx {suggested_num_ctx(window.tokens, window.trained)} "
        "for this session, or OLLAMA_CONTEXT_LENGTH for the server"
    )


def trimmed_notice(trimmed: int, window: int, trained: int | None = None) -> str:
    """Said once when older messages no longer fit the window."""
    what = "1 older message no longer fits" if trimmed == 1 else f"{trimmed} older messages no longer fit"
    return f"{what} the {short_tokens(window)} window: /set num_ctx {suggested_num_ctx(window, trained)} or /compact"
