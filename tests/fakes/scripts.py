"""What the fake models say, and how: scripted replies, the token splitter, the
deterministic default answers and a cheap but meaningful embedding."""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_TOKEN_RE = re.compile(r"\n+|[^\S\n]*\S+|[^\S\n]+")


def tokenize(text: str) -> list[str]:
    """Split into words that carry their leading spaces; runs of newlines are tokens.

    ``"".join(tokenize(t)) == t`` always holds.
    """
    return _TOKEN_RE.findall(text)


@dataclass
class Reply:
    """One scripted model answer (for /api/chat or /api/generate).

    Timing: the first token is sent ``first_token_delay`` s after the model is
    loaded, then one token every ``token_delay`` s (or ``1/tokens_per_second``).
    Failure modes, checked at token index N (0 = before the first token):
    ``error_after`` sends an NDJSON ``{"error": ...}`` line and ends the stream,
    ``disconnect_after`` drops the TCP connection mid-body, ``hang_after`` stops
    sending but keeps the connection open until the client or the server gives up.
    ``status`` != 200 answers with that status and ``{"error": error}`` at once.
    ``pause_after`` (with ``pause_s``) goes silent for ``pause_s`` seconds before token N,
    connection open, then carries on: a stalled stream that recovers.

    ``thinking`` is what a thinking model thinks before it answers. With ``think``
    true (or a level) in the request it streams first in ``message.thinking``; with
    ``think`` absent it is sent inline as ``<think>…</think>`` before the content,
    as older Ollama versions did; with ``think: false`` it is not sent at all.
    """

    text: str = ""
    tokens: list[str] | None = None
    thinking: str = ""
    first_token_delay: float = 0.0
    token_delay: float = 0.0
    tokens_per_second: float | None = None
    # None: automatic (the model's load_ms when it is cold, ~0 when loaded)
    load_duration_ms: float | None = None
    simulate_load: bool = False  # actually wait an explicit load_duration_ms
    status: int = 200
    error: str | None = None
    error_after: int | None = None
    disconnect_after: int | None = None
    hang_after: int | None = None
    pause_after: int | None = None
    pause_s: float = 0.0
    #: Before token ``hold_after``, wait until ``hold`` is set (a test releases it): an answer that is
    #: certainly still streaming while the test acts, however busy the machine.
    hold_after: int | None = None
    hold: Any = None  # a threading.Event
    tool_calls: list[dict[str, Any]] | None = None
    prompt_eval_count: int | None = None
    eval_count: int | None = None
    done_reason: str = "stop"

    def token_list(self) -> list[str]:
        return list(self.tokens) if self.tokens is not None else tokenize(self.text)

    def thinking_list(self) -> list[str]:
        return tokenize(self.thinking)

    @property
    def interval(self) -> float:
        if self.tokens_per_second:
            return 1.0 / self.tokens_per_second
        return self.token_delay


ReplySource = Reply | Callable[[dict], Reply]


def resolve(source: ReplySource, request: dict) -> Reply:
    return source(request) if callable(source) else source


# -- reading a request -------------------------------------------------------
def last_user_text(request: dict) -> str:
    """The last user message of a chat request, or the prompt of a generate request."""
    if isinstance(request.get("prompt"), str):
        return request["prompt"]
    for msg in reversed(request.get("messages") or []):
        if isinstance(msg, dict) and msg.get("role") == "user":
            return str(msg.get("content") or "")
    return ""


def estimate_prompt_tokens(request: dict, system: str = "") -> int:
    """A rough token count of what the model would read (≈ 4 characters a token)."""
    chars = len(system) + len(str(request.get("prompt") or "")) + len(str(request.get("system") or ""))
    messages = request.get("messages") or []
    for msg in messages:
        if isinstance(msg, dict):
            chars += len(str(msg.get("content") or "")) + len(str(msg.get("tool_calls") or ""))
    if request.get("tools"):
        chars += len(str(request["tools"]))
    return max(1, math.ceil(chars / 4) + 4 * len(messages) + (4 if system else 0))


# -- built-in answers --------------------------------------------------------
def last_user_images(request: dict) -> list[bytes]:
    """The decoded images of the last user message (the server has checked they decode)."""
    import base64

    for msg in reversed(request.get("messages") or []):
        if isinstance(msg, dict) and msg.get("role") == "user":
            return [base64.b64decode(i) for i in msg.get("images") or []]
    return [base64.b64decode(i) for i in request.get("images") or []]


def images_seen(request: dict) -> str:
    """What a vision model was shown with the last message, for answers to echo: count, sizes, hashes."""
    import hashlib

    images = last_user_images(request)
    if not images:
        return ""
    parts = [f"{len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()[:12]}" for data in images]
    return f"[I see {len(images)} image{'s' * (len(images) != 1)}: " + "; ".join(parts) + "]"


def echo_reply(request: dict) -> Reply:
    """The default answer: deterministic, and easy to assert on (with what images it saw)."""
    question = last_user_text(request).strip()
    seen = images_seen(request)
    if not question:
        return Reply(text=seen or "Hello! How can I help you today?")
    return Reply(text=f"You said: {question}" + (f"\n\n{seen}" if seen else ""))


# -- embeddings ----------------------------------------------------------------
@functools.lru_cache(maxsize=100_000)
def _slot(feature: str, dim: int) -> tuple[int, float]:
    value = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
    return value % dim, (1.0 if value >> 63 else -1.0)


def hashed_embedding(text: str, dim: int) -> list[float]:
    """Signed feature hashing of words (weight 1) and character trigrams (0.5), L2-normalised.

    Texts that share words or word pieces get a high cosine similarity.
    """
    vec = [0.0] * dim
    for word in re.findall(r"\w+", text.lower()):
        index, sign = _slot("w:" + word, dim)
        vec[index] += sign
        padded = f" {word} "
        for i in range(len(padded) - 2):
            index, sign = _slot("c:" + padded[i : i + 3], dim)
            vec[index] += 0.5 * sign
    return l2_normalize(vec)


def l2_normalize(vec: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vec))
    if norm < 1e-12:
        return [1.0] + [0.0] * (len(vec) - 1) if vec else vec
    return [v / norm for v in vec]


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (
        math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)) or 1.0
    )
