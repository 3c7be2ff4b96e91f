"""A scripted, Ollama-compatible HTTP server for tests and manual trials.

It speaks enough of the real Ollama REST API for the official ``ollama`` client
(``ollama.Client`` / ``ollama.AsyncClient``) to work against it unmodified, and it
never touches the network beyond its own loopback socket.

    from tests.fakes.ollama_server import ScriptedOllama, Reply

    with ScriptedOllama() as server:            # 127.0.0.1 on a free port
        server.add_model("llama3.2:1b", capabilities=["completion", "tools"])
        server.script("llama3.2:1b", Reply(text="Hello there", token_delay=0.01))
        client = ollama.Client(host=server.host)
        ...
        server.requests                          # [(method, path, json_body), ...]

Manual trials:  python -m tests.fakes.ollama_server --port 11434 --demo
"""

from __future__ import annotations

import argparse
import itertools
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from .demo import install_demo
from .http_base import FakeHTTPServer
from .http_handler import OllamaHandler
from .models import Embedder, FakeModel, model_key, now_local
from .scripts import Reply, ReplySource, echo_reply, hashed_embedding, l2_normalize, resolve

__all__ = ["FakeModel", "RecordedRequest", "Reply", "ScriptedOllama", "install_demo", "main"]


class RecordedRequest(NamedTuple):
    method: str
    path: str
    body: Any  # the parsed JSON body (None when there was none)


class ScriptedOllama:
    """A fake Ollama server whose models answer with scripted replies."""

    #: /api/embed on a model without the "embedding" capability. Real Ollama's runner
    #: answers 501 "this model does not support embeddings" (passed through by the server).
    embed_unsupported_status = 501

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        version: str = "0.12.0",
        pull_delay: float = 0.0,
        default_num_ctx: int = 4096,
        verbose: bool = False,
    ) -> None:
        self.bind_host = host
        self.port = port
        self.version = version
        self.pull_delay = pull_delay  # seconds between pull/create progress lines
        self.default_num_ctx = default_num_ctx
        self.verbose = verbose
        self.fallback_reply: ReplySource = echo_reply  # when a model has no script and no default
        self.embedder: Embedder | None = None  # replaces the hashed embedding for every model
        self.loaded: set[str] = set()  # what /api/ps lists (model names)
        self.requests: list[RecordedRequest] = []
        #: Paths (e.g. "/api/show") whose requests are read, recorded and then never
        #: answered, not even with headers, until the client hangs up or the server stops.
        self.hang_paths: set[str] = set()
        self.missing_paths: set[str] = set()  # answered as a server that lacks them: 404 page not found
        self.blobs: dict[str, int] = {}
        self._lock = threading.RLock()
        self._models: dict[str, FakeModel] = {}
        self._pullable: dict[str, FakeModel] = {}
        self._scripts: dict[str, deque[ReplySource]] = {}
        self._defaults: dict[str, ReplySource] = {}
        self._expires: dict[str, datetime] = {}
        self._num_ctx: dict[str, int] = {}
        self._tool_ids = itertools.count(1)
        self._choices: dict[str, deque[Any]] = {}  # /v1/systemone: model -> scripted probabilities
        self._httpd: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------
    @property
    def host(self) -> str:
        """Base URL for ``ollama.Client(host=...)``, e.g. ``http://127.0.0.1:40123``."""
        return f"http://{self.bind_host}:{self.port}"

    url = host

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def start(self) -> ScriptedOllama:
        """Start serving in a background thread (again on the same port after a stop)."""
        if self._httpd is not None:
            return self
        httpd = FakeHTTPServer((self.bind_host, self.port), OllamaHandler, self)
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, name=f"fake-ollama:{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop like a crashed/stopped Ollama: refuse new connections, cut open ones
        (including streams in progress and hung replies). Loaded models are forgotten.

        Returns True when every connection was closed and the serving thread ended within
        ``timeout`` (False means a handler was still busy: a bug in the fake)."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return True
        httpd.stop_event.set()
        httpd.shutdown()
        httpd.server_close()
        closed = httpd.close_connections(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
            closed = closed and not self._thread.is_alive()
        with self._lock:
            self.loaded.clear()
        return closed

    def __enter__(self) -> ScriptedOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the model catalogue ---------------------------------------------------------
    def add_model(
        self,
        name: str,
        *,
        capabilities: Iterable[str] | None = None,
        family: str | None = None,
        families: list[str] | None = None,
        parameter_size: str | None = None,
        quantization_level: str = "Q4_K_M",
        context_length: int = 4096,
        embedding_dim: int | None = None,
        size: int | None = None,
        load_ms: float = 0.0,
        vram_fraction: float = 1.0,
        system: str = "",
        template: str | None = None,
        parameters: dict[str, Any] | None = None,
        license: str = "",
        embedder: Embedder | None = None,
        loaded: bool = False,
    ) -> FakeModel:
        """Install a model (shown by /api/tags). ``load_ms`` is the real time a cold
        load takes (waited and reported as load_duration); ``embedder`` overrides the
        default hashed embedding for this model; ``vram_fraction`` < 1 makes /api/ps
        report part of the model on the CPU."""
        model = self._make_model(
            name,
            capabilities,
            family=family,
            families=families,
            parameter_size=parameter_size,
            quantization_level=quantization_level,
            context_length=context_length,
            embedding_dim=embedding_dim,
            size=size,
            load_ms=load_ms,
            vram_fraction=vram_fraction,
            system=system,
            template=template,
            parameters=parameters,
            license=license,
            embedder=embedder,
        )
        self.install(model)
        if loaded:
            self.mark_loaded(model, None, {})
        return model

    def add_pullable(
        self,
        name: str,
        *,
        pull_delay: float | None = None,
        pull_steps: int = 4,
        pull_error: str | None = None,
        pull_error_after: int = 0,
        **model_kwargs: Any,
    ) -> FakeModel:
        """Make a model available in the fake registry, for /api/pull (and create's FROM).

        ``pull_delay`` (default: the server's) paces the progress lines; ``pull_steps``
        is the number of progress lines for the big layer; ``pull_error`` fails the pull
        with that message after ``pull_error_after`` layer-progress lines."""
        model = self._make_model(name=name, **model_kwargs)
        model.pull_delay, model.pull_steps = pull_delay, pull_steps
        model.pull_error, model.pull_error_after = pull_error, pull_error_after
        with self._lock:
            self._pullable[model.key] = model
        return model

    @staticmethod
    def _make_model(name: str, capabilities: Iterable[str] | None = None, **kw: Any) -> FakeModel:
        caps = (
            list(capabilities)
            if capabilities is not None
            else (["embedding"] if kw.get("embedding_dim") else ["completion"])
        )
        embedding = "embedding" in caps
        kw["family"] = kw.get("family") or ("bert" if embedding else "llama")
        kw["parameter_size"] = kw.get("parameter_size") or ("137M" if embedding else "1.2B")
        if embedding and not kw.get("embedding_dim"):
            kw["embedding_dim"] = 768
        if kw.get("template") is None:
            kw.pop("template", None)
        if kw.get("parameters") is None:
            kw.pop("parameters", None)
        return FakeModel(name=name, capabilities=caps, **kw)

    def install(self, model: FakeModel) -> None:
        with self._lock:
            self._models[model.key] = model

    def remove_model(self, name: str) -> bool:
        with self._lock:
            model = self._models.pop(model_key(name), None)
            if model is not None:
                self.unload(model)
            return model is not None

    def find_model(self, name: str) -> FakeModel | None:
        with self._lock:
            return self._models.get(model_key(name)) if name else None

    model = find_model

    def find_pullable(self, name: str) -> FakeModel | None:
        with self._lock:
            return self._pullable.get(model_key(name)) if name else None

    def installed(self) -> list[FakeModel]:
        with self._lock:
            return list(self._models.values())

    @property
    def model_names(self) -> list[str]:
        return [m.name for m in self.installed()]

    def not_found_message(self, requested: str) -> str:
        return f"model '{requested}' not found"

    # -- what the models say -----------------------------------------------------------
    def script(self, model: str, *replies: ReplySource) -> None:
        """Queue replies: each chat/generate request for ``model`` takes the next one.
        A reply may also be a callable ``(request_json) -> Reply``."""
        with self._lock:
            self._scripts.setdefault(model_key(model), deque()).extend(replies)

    def default_reply(self, model: str | None, reply: ReplySource) -> None:
        """What ``model`` says when its queue is empty (``model=None``: every model).
        Derived models (``/api/create``) fall back to their base model's default."""
        with self._lock:
            if model is None:
                self.fallback_reply = reply
            else:
                self._defaults[model_key(model)] = reply

    def pending(self, model: str) -> int:
        """How many scripted replies are still queued for ``model``."""
        with self._lock:
            return len(self._scripts.get(model_key(model), ()))

    def next_reply(self, model: FakeModel, request: dict) -> Reply:
        with self._lock:
            queue = self._scripts.get(model.key)
            source = queue.popleft() if queue else None
            seen: set[str] = set()
            current: FakeModel | None = model
            while source is None and current is not None and current.key not in seen:
                seen.add(current.key)
                source = self._defaults.get(current.key)
                current = self.find_model(current.parent_model) if current.parent_model else None
            source = source or self.fallback_reply
        return resolve(source, request)

    def script_choice(self, model: str, *answers: "dict[str, float] | Callable[[Any, dict], dict[str, float]]") -> None:
        """Queue /v1/systemone answers for ``model``: option -> probability (or a function of
        the request's state and question). Unscripted questions get uniform probabilities."""
        with self._lock:
            self._choices.setdefault(model_key(model), deque()).extend(answers)

    def choice_probabilities(self, model: FakeModel, state: Any, question: dict) -> dict[str, float]:
        with self._lock:
            queue = self._choices.get(model.key)
            answer = queue.popleft() if queue else None
        if answer is None:
            return {o: 1.0 for o in question["criteria"]}
        return dict(answer(state, question) if callable(answer) else answer)

    def new_tool_call_id(self) -> str:
        return f"call_{next(self._tool_ids):08d}"

    def embed(self, model: FakeModel, texts: list[str]) -> list[list[float]]:
        fn = model.embedder or self.embedder
        if fn is None:
            return [hashed_embedding(text, model.embedding_dim or 768) for text in texts]
        return [l2_normalize([float(x) for x in vec]) for vec in fn(list(texts))]

    # -- loaded models (/api/ps) ---------------------------------------------------------
    def is_loaded(self, model: FakeModel) -> bool:
        with self._lock:
            return any(model_key(name) == model.key for name in list(self.loaded))

    def mark_loaded(self, model: FakeModel, keep_alive: float | None, options: dict) -> None:
        seconds = 300.0 if keep_alive is None else keep_alive
        expires = now_local() + (timedelta(days=36500) if seconds < 0 else timedelta(seconds=seconds))
        num_ctx = options.get("num_ctx")
        with self._lock:
            self.unload(model)
            self.loaded.add(model.name)
            self._expires[model.key] = expires
            if isinstance(num_ctx, int) and num_ctx > 0:
                self._num_ctx[model.key] = num_ctx
            else:
                self._num_ctx[model.key] = min(self.default_num_ctx, model.context_length)

    def unload(self, model: FakeModel | str) -> None:
        key = model.key if isinstance(model, FakeModel) else model_key(model)
        with self._lock:
            for name in [n for n in self.loaded if model_key(n) == key]:
                self.loaded.discard(name)

    def running_models(self) -> list[dict[str, Any]]:
        entries = []
        with self._lock:
            for name in list(self.loaded):
                model = self.find_model(name)
                if model is None:
                    continue
                expires = self._expires.get(model.key) or now_local() + timedelta(minutes=5)
                num_ctx = self._num_ctx.get(model.key) or min(self.default_num_ctx, model.context_length)
                entries.append(model.ps_entry(expires, num_ctx))
        return sorted(entries, key=lambda e: e["expires_at"], reverse=True)

    # -- recorded requests -----------------------------------------------------------------
    def record(self, method: str, path: str, body: Any) -> None:
        with self._lock:
            self.requests.append(RecordedRequest(method, path, body))

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()


# -- command line ------------------------------------------------------------------------
def _paced(source: ReplySource, tokens_per_second: float | None) -> Callable[[dict], Reply]:
    def make(request: dict) -> Reply:
        reply = resolve(source, request)
        reply.tokens_per_second = tokens_per_second
        return reply

    return make


def _stalling(source: ReplySource, after: int, seconds: float | None) -> Callable[[dict], Reply]:
    """``source``'s answers, silent after ``after`` tokens: for ``seconds``, or until the client gives up."""

    def make(request: dict) -> Reply:
        reply = resolve(source, request)
        if seconds is None:
            reply.hang_after = after
        else:
            reply.pause_after, reply.pause_s = after, seconds
        return reply

    return make


def _corpus_reply(tokens: int, tokens_per_second: float | None) -> Callable[[dict], Reply]:
    """Long Markdown answers from the benchmark corpus, a new one for each request."""
    from benchmarks.corpus import answer, tokenize

    count = [0]

    def make(request: dict) -> Reply:
        count[0] += 1
        return Reply(tokens=tokenize(answer(tokens, count[0])), tokens_per_second=tokens_per_second)

    return make


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.ollama_server", description="Run the scripted fake Ollama server."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434, help="0 picks a free port")
    parser.add_argument("--demo", action="store_true", help="add demo models and plausible answers")
    parser.add_argument("--tps", type=float, default=None, help="tokens per second (default 60 with --demo)")
    parser.add_argument("--fast", action="store_true", help="no delays at all")
    parser.add_argument("--corpus", type=int, metavar="TOKENS", default=None,
                        help="answer with realistic Markdown of about TOKENS tokens (benchmarks/corpus.py; with --demo)")
    parser.add_argument("--version", default="0.12.0", help="what /api/version reports")
    parser.add_argument("--stall-after", type=int, metavar="N", default=None,
                        help="every answer goes silent after N tokens, the connection open (with --demo)")
    parser.add_argument("--stall-seconds", type=float, metavar="S", default=None,
                        help="with --stall-after: carry on after S seconds (default: silent until the client gives up)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    server = ScriptedOllama(port=args.port, host=args.host, version=args.version, verbose=args.verbose)
    if args.demo:
        install_demo(server, tokens_per_second=args.tps or 60.0, fast=args.fast)
    elif args.tps and not args.fast:
        server.fallback_reply = _paced(echo_reply, args.tps)
    if args.corpus:
        server.fallback_reply = _corpus_reply(args.corpus, None if args.fast else (args.tps or 60.0))
    if args.stall_after is not None:
        server.fallback_reply = _stalling(server.fallback_reply, args.stall_after, args.stall_seconds)

    def _interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started in the background (SIGINT ignored)
    server.start()
    names = ", ".join(server.model_names) or "none (use --demo)"
    print(f"Scripted Ollama {server.version} listening on {server.host}\nModels: {names}\nCtrl+C to stop.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not break the shutdown
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
