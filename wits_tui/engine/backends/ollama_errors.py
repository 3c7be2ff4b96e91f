"""Turning whatever the ollama client or httpx raises into a BackendError people understand."""

from __future__ import annotations

import json

import httpx
from ollama import ResponseError

from wits_tui.engine.backends.base import (
    BAD_REQUEST,
    CONNECTION,
    DISCONNECTED,
    MODEL_NOT_FOUND,
    SERVER_ERROR,
    STREAM_ERROR,
    TIMEOUT,
    UNSUPPORTED,
    BackendError,
)


def explain(exc: BaseException, *, host: str, model: str | None = None, read_timeout: float | None = None) -> BackendError:
    """Map an exception from a call to Ollama to a BackendError with a fix."""
    what = f"model '{model}'" if model else "Ollama"
    if isinstance(exc, BackendError):
        return exc
    # In streaming calls the client lets httpx.ConnectError through untouched;
    # in the others it raises the builtin ConnectionError.
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, ConnectionError)):
        return BackendError(
            CONNECTION,
            f"cannot reach Ollama at {host}",
            "start it with `ollama serve`, or point ollama.host (or $OLLAMA_HOST) at the right server",
        )
    if isinstance(exc, httpx.TimeoutException):
        waited = f" within {read_timeout:g} s" if read_timeout else ""
        return BackendError(
            TIMEOUT,
            f"{what} sent nothing{waited}",
            "a large model may still be loading: try again, or raise ollama.read_timeout in the config",
        )
    if isinstance(exc, ResponseError):
        detail = str(exc.error).strip()
        status = exc.status_code
        if status == 404 and "page not found" in detail.lower():  # the server lacks the endpoint itself
            return BackendError(
                UNSUPPORTED,
                f"Ollama at {host} does not offer this (it answered 404 page not found)",
                "update Ollama (`ollama --version` says which you run): older servers lack this endpoint",
                status=status,
            )
        if status == 404:
            name = model or "the model"
            return BackendError(
                MODEL_NOT_FOUND,
                f"{what} is not installed on {host}",
                f"run `ollama pull {name}` (or /pull {name}), or choose an installed model with /model",
                status=status,
            )
        if status == 501:  # e.g. embeddings asked of a chat-only model
            return BackendError(
                UNSUPPORTED,
                f"{what} cannot do that: {detail}",
                "choose a model with that capability (for embeddings e.g. nomic-embed-text)",
                status=status,
            )
        if status is not None and status >= 500:
            return BackendError(
                SERVER_ERROR,
                f"Ollama failed running {what}: {detail}",
                "the model may not fit in memory: try a smaller model, or see `ollama ps` and the server log",
                status=status,
            )
        if status == -1:  # an {"error": ...} line in the middle of a stream
            return BackendError(
                STREAM_ERROR,
                f"{what} stopped with an error: {detail}",
                "try again; if it repeats, try another model or check the server log",
            )
        return BackendError(BAD_REQUEST, f"Ollama refused the request for {what}: {detail}", "check the model name and options", status=status)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.NetworkError, httpx.StreamError)):
        return BackendError(
            DISCONNECTED,
            f"the connection to Ollama at {host} dropped mid-answer",
            "Ollama may have crashed or restarted: try again",
        )
    if isinstance(exc, json.JSONDecodeError):
        return BackendError(STREAM_ERROR, f"Ollama sent a garbled answer for {what}", "check that ollama.host points at an Ollama server")
    return BackendError(SERVER_ERROR, f"unexpected error talking to Ollama: {type(exc).__name__}: {exc}", "see the log file for details")
