"""The engine facade: what a frontend (TUI, CLI, plain mode, a library user) holds.

Build it with :func:`wits_tui.engine.build.build_engine` (every front end does). Construction is cheap
and does no I/O; :meth:`Engine.open` opens the store and marks answers cut off by
a dead writer as interrupted (it runs on first use of the store too).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wits_tui.engine.backends.base import Backend, BackendError, LoadedModel, ModelDetails, ModelInfo, PullProgress
from wits_tui.engine.errorlog import ErrorLog, new_error_id
from wits_tui.engine.errors import WitsError
from wits_tui.engine.events import TurnError, TurnEvent, TurnStats
from wits_tui.paths import Paths
from wits_tui.settings import Settings

if TYPE_CHECKING:
    from wits_tui.engine.attachments import Blobs
    from wits_tui.engine.docs.facade import Docs
    from wits_tui.engine.memory import Memory
    from wits_tui.engine.routing.router import Router
    from wits_tui.engine.store import Store
    from wits_tui.engine.store.records import Attachment, Message, MessageStatus, Session
    from wits_tui.engine.tools import ToolContext, ToolRegistry

log = logging.getLogger("wits.engine")


#: Asked before a tool with side effects runs: ``await confirm_tool(name, arguments) -> bool``.
ConfirmTool = Callable[[str, Any], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Health:
    ok: bool
    host: str
    version: str | None = None
    error: str | None = None
    hint: str | None = None
    error_type: str | None = None  # the BackendError's kind ("connection": nothing answers)


class Engine:
    def __init__(
        self,
        settings: Settings,
        paths: Paths,
        *,
        backend: Backend | None = None,
        store: "Store | None" = None,
        use_memory: bool = False,
        confirm_tool: ConfirmTool | None = None,
    ) -> None:
        """Prefer :func:`build_engine`. ``store``: an open store to share (tests); it is
        closed by whoever opened it."""
        self.settings = settings
        self.paths = paths
        self._backend = backend
        self._store = store
        self._owns_store = store is None
        self._opened = False
        self.error_log = ErrorLog(paths.log_dir)
        from wits_tui.engine.catalog import ModelCatalog

        #: Model facts (capabilities, context lengths, what is loaded), refreshed in the background.
        self.catalog = ModelCatalog(lambda: self.backend, settings.ollama.default_num_ctx)
        self._memory: "Memory | None" = None
        self._docs: "Docs | None" = None
        self._build_lock = threading.RLock()
        self._memory_open_lock = threading.Lock()
        self._use_memory = use_memory
        #: Frontends that keep running set this: after each turn /api/ps is asked again in the
        #: background, so the next turn knows the window in use without asking on its path.
        self.refresh_after_turn = False
        self._background: set[asyncio.Task[Any]] = set()
        self._confirm_tool = confirm_tool
        self._tools: "ToolRegistry | None" = None
        self._router: "Router | None" = None

    @property
    def use_memory(self) -> bool:
        """Whether turns recall and remember (the front end asked, and memory is enabled)."""
        return self._use_memory and self.settings.memory.enabled

    @property
    def confirm_tool(self) -> ConfirmTool | None:
        return self._confirm_tool

    # -- resources, opened on first use ------------------------------------
    def open(self) -> "Engine":
        """Open the store and recover what crashed writers left behind (sync: call it from
        a worker thread in a UI). Safe to call again; the store property calls it too."""
        with self._build_lock:
            if self._opened:
                return self
            if self._store is None:
                from wits_tui.engine.store import Store

                self.paths.ensure()
                self._store = Store(self.paths.database, history_max_entries=self.settings.history.max_entries)
            self._opened = True
            if self._store.read_only:  # a home that cannot be written: nothing to mark
                return self
            recovered = self._store.messages.recover_streaming()
            if recovered:
                log.warning("marked %d answers cut off by a writer that is gone as interrupted", recovered)
        return self

    @property
    def store(self) -> "Store":
        if not self._opened:
            self.open()
        assert self._store is not None
        return self._store

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            from wits_tui.engine.backends.ollama import OllamaBackend

            self._backend = OllamaBackend(self.settings.ollama)
        return self._backend

    @property
    def router(self) -> "Router":
        """Modules, the domain classifier, statistics and profiles (built on first use)."""
        with self._build_lock:  # the module bar's worker and a turn may both ask first
            if self._router is None:
                from wits_tui.engine.routing.router import Router

                self._router = Router(self.settings, self.paths, self.store, self.backend)
        return self._router

    @property
    def memory(self) -> "Memory | None":
        """Long-term memory, or None when it is switched off. Construction does no I/O;
        ``memory.open()`` (blocking, a worker's job) imports lancedb."""
        if not self.settings.memory.enabled:
            return None
        with self._build_lock:
            if self._memory is None:
                from wits_tui.engine.memory import Memory

                self._memory = Memory(self.settings.memory, self.paths.memory_dir, self.backend)
        return self._memory

    def open_memory(self) -> Any:
        """Open long-term memory once (sync, a thread's job: it imports lancedb) and return its
        status (None when memory is off). Safe to call from several threads at once: a
        frontend opening it in the background and a turn that needs it now."""
        memory = self.memory
        if memory is None:
            return None
        with self._memory_open_lock:
            return memory.open()

    @property
    def docs(self) -> "Docs":
        """Document collections (built on first use; no I/O until a collection is searched)."""
        with self._build_lock:
            if self._docs is None:
                from wits_tui.engine.docs.facade import Docs

                self._docs = Docs(self.settings.docs, self.paths.docs_dir, self.store, self.backend)
        return self._docs

    def memory_ready(self) -> bool:
        """True when turns may recall: the front end uses memory and it is open."""
        memory = self._memory if self.use_memory else None
        return memory is not None and memory.status.state in ("ready", "text_only")

    def in_background(self, coro: Any) -> None:
        """Run ``coro`` without holding up the answer; aclose() waits for it."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def aclose(self) -> None:
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._memory is not None:
            await asyncio.to_thread(self._memory.close)
        if self._docs is not None:
            await asyncio.to_thread(self._docs.close)
        if self._backend is not None:
            await self._backend.close()
        self._close_store()

    def close(self) -> None:
        """Close memory and the store (sync). ``aclose`` also waits for background writes
        and closes the backend's client, which needs the running loop."""
        if self._memory is not None:
            self._memory.close()
        self._close_store()

    def _close_store(self) -> None:
        if self._store is not None and self._owns_store:
            self._store.close()
            self._store = None
            self._opened = False

    # -- models -------------------------------------------------------------
    def model_for(self, session: "Session | None") -> str:
        return (session.model if session and session.model else None) or self.settings.chat.default_model

    async def model_details(self, model: str) -> ModelDetails | None:
        """/api/show for ``model``, asked once per model (None if it cannot be asked)."""
        return await self.catalog.details(model)

    async def context_length(self, model: str) -> int | None:
        details = await self.model_details(model)
        return details.context_length if details else None

    async def learn_module_models(self, installed: list[str]) -> None:
        """Ask /api/show now for every installed model a module uses, so no turn (routed to a module
        for the first time) waits for it: whether a model thinks is known before the request."""
        from wits_tui.engine.catalog import canonical

        have = {canonical(name) for name in installed}
        wanted = [m.model for m in self.router.registry.all() if m.model and canonical(m.model) in have]
        await self.catalog.refresh([self.settings.chat.default_model, *wanted])

    def refresh_models(self, *models: str) -> None:
        """Refresh the model cache (``models``' details, and /api/ps) in the background."""
        self.in_background(self.catalog.refresh(list(models)))

    # -- tools -----------------------------------------------------------------
    @property
    def tools(self) -> "ToolRegistry":
        if self._tools is None:
            from wits_tui.engine.tools import BUILTINS, ToolRegistry

            self._tools = ToolRegistry(BUILTINS, timeout_s=self.settings.tools.timeout_s)
        return self._tools

    def session_tools_off(self, session_id: int) -> set[str]:
        raw = self.store.state.get(f"tools_off:{session_id}")
        return set(json.loads(raw)) if raw else set()

    def set_tool_enabled(self, session_id: int, name: str, enabled: bool) -> None:
        """Switch one tool on or off for one session."""
        if name not in self.tools.names():
            raise ValueError(f"no tool named {name!r}; tools: {', '.join(self.tools.names())}")
        off = self.session_tools_off(session_id)
        off.discard(name) if enabled else off.add(name)
        self.store.state.set(f"tools_off:{session_id}", json.dumps(sorted(off)) if off else None)

    def enabled_tools(self, session_id: int) -> list[str]:
        if not self.settings.tools.enabled:
            return []
        off = set(self.settings.tools.disabled) | self.session_tools_off(session_id)
        return [name for name in self.tools.names() if name not in off]

    async def tool_schemas(self, session_id: int, model: str) -> list[dict[str, Any]]:
        """The tools to offer ``model`` in this session: none if the model cannot call tools."""
        names = self.enabled_tools(session_id)
        if not names:
            return []
        details = await self.model_details(model)
        if details is None or "tools" not in details.capabilities:
            return []
        return self.tools.schemas(names)

    def tool_context(self, session_id: int) -> "ToolContext":
        from wits_tui.engine.tools import ToolContext

        # memory is reached only if memory_search is really called (opening it imports lancedb)
        return ToolContext(
            allowed_dirs=list(self.settings.tools.allowed_dirs),
            memory=lambda: self.memory,
            session_id=session_id,
        )

    async def list_models(self) -> list[ModelInfo]:
        return await self.backend.list_models()

    async def loaded_models(self) -> list[LoadedModel]:
        return await self.backend.loaded()

    def pull(self, model: str) -> AsyncIterator[PullProgress]:
        return self.backend.pull(model)

    async def health(self) -> Health:
        host = self.backend.host
        try:
            version = await self.backend.version()
        except BackendError as err:
            return Health(ok=False, host=host, error=err.message, hint=err.hint, error_type=err.error_type)
        return Health(ok=True, host=host, version=version)

    # -- turns ----------------------------------------------------------------
    def turn(self, session_id: int, text: str, *, model: str | None = None,
             on_saved: Callable[[Any], None] | None = None, attachments: Sequence[Any] = ()) -> AsyncGenerator[TurnEvent, None]:
        """``on_saved(message)`` is called once the question is in the database, before
        anything else the turn does (a frontend shows the question then). ``attachments``:
        files from :meth:`attach`, sent with the question."""
        from wits_tui.engine.turn import run_turn

        return run_turn(self, session_id, text, model, on_saved=on_saved, attachments=attachments)

    # -- attachments ----------------------------------------------------------
    @property
    def blobs(self) -> "Blobs":
        """Attachment contents by SHA-256 under the data dir."""
        from wits_tui.engine.attachments import Blobs

        return Blobs(self.paths.attachments_dir)

    def attach(self, path: Any, model: str | None = None) -> "Attachment":
        """Read, check and store one file to send with the next message (blocking: a thread's
        job). Text must fit ``model``'s window (as far as it is known). Raises AttachmentProblem."""
        from pathlib import Path

        from wits_tui.engine.attachments import load

        room = None
        if model is not None:
            window = self.catalog.window(model).tokens
            room = max(0, window - self.settings.chat.answer_reserve_tokens - 1000) * 4
        attachment, data = load(Path(path), self.settings.attachments, text_room_chars=room)
        self.blobs.put(data)
        return attachment

    def edit(self, session_id: int, message_id: int, text: str, *, model: str | None = None,
             on_saved: Callable[[Any], None] | None = None, attachments: Sequence[Any] = ()) -> AsyncGenerator[TurnEvent, None]:
        """Ask ``text`` (with ``attachments``) in place of question ``message_id``: it and the turns
        after it are kept as an earlier branch (``Messages.earlier_versions``) and no longer sent to
        the model."""
        from wits_tui.engine.turn import run_turn

        return run_turn(self, session_id, text, model, on_saved=on_saved, attachments=attachments, replaces=message_id)

    async def compact(self, session_id: int, keep_last: int = 2) -> "Message":
        """Replace older turns (for the model) with a summary it writes; see engine/compact.py."""
        from wits_tui.engine.compact import compact

        return await compact(self, session_id, keep_last)

    def retry(self, session_id: int, *, model: str | None = None) -> AsyncGenerator[TurnEvent, None]:
        from wits_tui.engine.turn import run_turn

        return run_turn(self, session_id, None, model)

    # -- bookkeeping used by the turn loop -----------------------------------
    def fail(self, err: WitsError, *, model: str, session_id: int, attempt: int, partial_text: str = "") -> TurnError:
        """Log a failure (error log + traceback in wits.log) and describe it as an event:
        the one place a turn's failure becomes a :class:`TurnError`."""
        error_id = new_error_id()
        context: dict[str, Any] = {"model": model, "host": self.backend.host, "attempt": attempt, "session_id": session_id}
        self.error_log.write(error_id=error_id, model=model, error_type=err.kind, message=err.message, context=context)
        log.error("turn failed [%s] %s: %s", error_id, err.kind, err.message, exc_info=err.__cause__ or err)
        return TurnError(
            error_type=err.kind,
            message=err.message,
            hint=err.hint,
            context=context,
            error_id=error_id,
            partial_text=partial_text,
        )

    def record_metrics(
        self, session_id: int, message_id: int | None, model: str, status: "MessageStatus", stats: TurnStats, module: str | None = None
    ) -> None:
        def ns(ms: float | None) -> int | None:
            return int(ms * 1e6) if ms is not None else None

        self.store.metrics.record(
            session_id,
            message_id,
            model=model,
            module=module,
            status=status,
            ttft_ms=stats.ttft_ms,
            total_ms=stats.total_ms,
            prompt_tokens=stats.prompt_tokens,
            eval_tokens=stats.eval_tokens,
            tokens_per_s=stats.tokens_per_s,
            load_duration_ns=ns(stats.load_duration_ms),
            prompt_eval_duration_ns=ns(stats.prompt_eval_duration_ms),
            eval_duration_ns=ns(stats.eval_duration_ms),
        )
