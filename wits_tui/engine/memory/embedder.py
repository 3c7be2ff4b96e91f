"""Embeddings from the backend (`/api/embed`), batched and cached.

Async: call it on the event loop that owns the backend.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from wits_tui.engine.backends.base import Backend
from wits_tui.engine.errors import BackendError, EmbeddingUnavailable, ErrorKind

__all__ = ["Embedder", "EmbeddingUnavailable"]

log = logging.getLogger("wits.memory")


class Embedder:
    def run_sync(self, coro: Any) -> Any:
        """Run a coroutine that embeds on a fresh event loop (a plain command, a test) and
        close the backend's client on that loop, which cannot outlive it."""

        async def go() -> Any:
            try:
                return await coro
            finally:
                await self.backend.close()

        return asyncio.run(go())

    def __init__(self, backend: Backend, *, batch_size: int = 32, cache_size: int = 2048) -> None:
        self.backend = backend
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
        self.requests = 0  # calls to the backend, for tests and stats

    async def embed(self, model: str, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text; cached texts are not sent again. Raises EmbeddingUnavailable."""
        out: list[list[float] | None] = [self._cache.get((model, t)) for t in texts]
        missing = list(dict.fromkeys(t for t, v in zip(texts, out) if v is None))
        fresh: dict[str, list[float]] = {}
        for i in range(0, len(missing), self.batch_size):
            batch = missing[i : i + self.batch_size]
            try:
                vectors = await self.backend.embed(model, batch)
            except BackendError as err:
                raise EmbeddingUnavailable(model, err) from err
            finally:
                self.requests += 1
            if len(vectors) != len(batch) or any(not v for v in vectors):
                raise EmbeddingUnavailable(model, BackendError(ErrorKind.UNSUPPORTED, f"'{model}' returned no embeddings"))
            fresh.update(zip(batch, vectors))
        for text, vector in fresh.items():
            self._remember(model, text, vector)
        return [v if v is not None else fresh[t] for t, v in zip(texts, out)]

    def _remember(self, model: str, text: str, vector: list[float]) -> None:
        self._cache[(model, text)] = vector
        self._cache.move_to_end((model, text))
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
