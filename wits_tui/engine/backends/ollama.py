"""The Ollama backend, on the official `ollama` AsyncClient."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import httpx
from ollama import AsyncClient

from wits_tui.engine.backends.base import (
    BackendError,
    ChatChunk,
    Choice,
    LoadedModel,
    ModelDetails,
    ModelInfo,
    PullProgress,
)
from wits_tui.engine.backends.ollama_errors import explain
from wits_tui.engine.errors import ErrorKind
from wits_tui.settings import OllamaSettings

_STAT_FIELDS = ("total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration")


def _tls_kwargs(host: str) -> dict[str, Any]:
    """A plain-http host (the default, localhost) never does TLS, yet httpx loads the whole
    CA bundle into a new SSL context for every client (about 15 ms of each `wits ask`).
    Such a host gets an empty client context instead: it is never used, and if a request
    ever went to https it would fail verification rather than skip it."""
    if host.lower().startswith("https://"):
        return {}
    import ssl

    return {"verify": ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)}


class OllamaBackend:
    name = "ollama"

    def __init__(self, settings: OllamaSettings) -> None:
        self.settings = settings
        self.host = settings.host
        # The client's default is no timeout at all: always set both.
        self._timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.connect_timeout,
        )
        self._client: AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def client(self) -> AsyncClient:
        """The client for the running event loop (an httpx pool cannot cross loops,
        and a plain CLI may call asyncio.run more than once)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = AsyncClient(host=self.host, timeout=self._timeout, **_tls_kwargs(self.host))
            self._loop = loop
        return self._client

    def _explain(self, exc: BaseException, model: str | None = None) -> BackendError:
        return explain(exc, host=self.host, model=model, read_timeout=self.settings.read_timeout)

    async def chat(
        self,
        model: str,
        messages: list[dict[str, Any]],
        *,
        options: dict[str, Any] | None = None,
        tools: list[dict[str, Any]] | None = None,
        think: bool | str | None = None,
        keep_alive: str | None = None,
        format: dict[str, Any] | None = None,
    ) -> AsyncGenerator[ChatChunk, None]:
        """Stream an answer. ``think`` (None: not sent) is Ollama's thinking switch or
        level; ``keep_alive`` (None: the setting) how long the model stays loaded."""
        try:
            stream = await self.client.chat(
                model=model,
                messages=messages,
                stream=True,
                options=options,
                tools=tools,
                think=think,
                keep_alive=keep_alive or self.settings.keep_alive,
                format=format,
            )
            async for part in stream:
                message = part.message
                calls = [c.model_dump() for c in message.tool_calls] if message.tool_calls else None
                thinking = message.thinking or ""
                if part.done:
                    stats = {k: getattr(part, k) for k in _STAT_FIELDS}
                    yield ChatChunk(content=message.content or "", done=True, stats=stats, tool_calls=calls, thinking=thinking)
                else:
                    yield ChatChunk(content=message.content or "", tool_calls=calls, thinking=thinking)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a BackendError
            raise self._explain(exc, model) from exc

    async def version(self) -> str:
        try:
            response = await self.client._client.get("/api/version")
            response.raise_for_status()
            return str(response.json().get("version", "unknown"))
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, httpx.HTTPStatusError):
                raise BackendError(ErrorKind.SERVER_ERROR, f"{self.host} answered {exc.response.status_code}: is it an Ollama server?") from exc
            raise self._explain(exc) from exc

    async def list_models(self) -> list[ModelInfo]:
        try:
            response = await self.client.list()
        except Exception as exc:  # noqa: BLE001
            raise self._explain(exc) from exc
        out = []
        for m in response.models:
            d = m.details
            out.append(
                ModelInfo(
                    name=m.model or "",
                    size=m.size or 0,
                    family=(d.family if d else "") or "",
                    parameter_size=(d.parameter_size if d else "") or "",
                    quantization=(d.quantization_level if d else "") or "",
                    modified_at=str(m.modified_at or ""),
                )
            )
        return out

    async def show(self, model: str) -> ModelDetails:
        try:
            r = await self.client.show(model)
        except Exception as exc:  # noqa: BLE001
            raise self._explain(exc, model) from exc
        info = dict(r.modelinfo or {})
        ctx = next((v for k, v in info.items() if k.endswith(".context_length")), None)
        return ModelDetails(
            name=model,
            context_length=int(ctx) if ctx else None,
            capabilities=tuple(r.capabilities or ()),
            family=(r.details.family if r.details else "") or "",
            system=getattr(r, "system", None) or "",
            extra={"parameters": r.parameters or "", "template": r.template or ""},
        )

    async def loaded(self) -> list[LoadedModel]:
        try:
            r = await self.client.ps()
        except Exception as exc:  # noqa: BLE001
            raise self._explain(exc) from exc
        return [
            LoadedModel(
                name=m.model or "",
                size=m.size or 0,
                size_vram=m.size_vram or 0,
                expires_at=str(m.expires_at or ""),
                context_length=getattr(m, "context_length", None),
            )
            for m in r.models
        ]

    async def load(self, model: str) -> None:
        """Load ``model`` into memory now (an empty chat request with keep-alive)."""
        try:
            await self.client.chat(model=model, messages=[], keep_alive=self.settings.keep_alive)
        except Exception as exc:  # noqa: BLE001
            raise self._explain(exc, model) from exc

    async def embed(self, model: str, texts: list[str]) -> list[list[float]]:
        try:
            r = await self.client.embed(model=model, input=texts, keep_alive=self.settings.keep_alive)
        except Exception as exc:  # noqa: BLE001
            raise self._explain(exc, model) from exc
        return [list(v) for v in r.embeddings]

    async def choose(self, model: str, state: str, instructions: str, options: dict[str, str]) -> Choice:
        """A choice question to a decision model (/v1/systemone): which of ``options``
        (name -> description) fits ``state``, with each option's probability."""
        try:
            r = await self.client.systemone(
                model=model,
                state=state,
                questions={"choice": {"type": "choice", "instructions": instructions, "criteria": dict(options)}},
                keep_alive=self.settings.keep_alive,
            )
            answer = r.answers["choice"]
            return Choice(answer.choice, dict(answer.probabilities), float(answer.confidence))  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001
            raise self._explain(exc, model) from exc

    async def pull(self, model: str) -> AsyncIterator[PullProgress]:
        try:
            async for p in await self.client.pull(model, stream=True):
                yield PullProgress(status=p.status or "", completed=p.completed, total=p.total, digest=p.digest)
        except Exception as exc:  # noqa: BLE001
            err = self._explain(exc, model)
            if err.kind in (ErrorKind.STREAM_ERROR, ErrorKind.BAD_REQUEST, ErrorKind.MODEL_NOT_FOUND):
                detail = getattr(exc, "error", str(exc))
                raise BackendError(
                    err.kind, f"cannot pull '{model}': {detail}", "check the name on ollama.com/library (e.g. llama3.2:3b)"
                ) from exc
            raise err from exc

    async def create(
        self,
        model: str,
        *,
        from_: str,
        system: str | None = None,
        messages: list[dict[str, Any]] | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> AsyncIterator[str]:
        """`ollama create`: a model derived from ``from_`` with a system prompt, MESSAGE
        lines (few-shot examples) and parameters. Yields the progress statuses."""
        try:
            stream = await self.client.create(
                model=model, from_=from_, system=system or None, messages=messages or None, parameters=parameters or None, stream=True
            )
            async for p in stream:
                yield p.status or ""
        except Exception as exc:  # noqa: BLE001
            raise self._explain(exc, from_) from exc

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._loop is asyncio.get_running_loop():
            await client._client.aclose()
