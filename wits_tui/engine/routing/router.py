"""The routing facade the turn loop and the UI hold: classify, pick and order
modules, record what happened, feedback, pins and pre-warming."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeGuard

from wits_tui.engine.routing.classifier import Classifier
from wits_tui.engine.routing.decision import Decision
from wits_tui.engine.routing.domains import build_domains
from wits_tui.engine.routing.optimizer import Prewarm, Ranked, prewarm, query_complexity, rank
from wits_tui.engine.routing.profiles import default_user, feedback_kind, topics_of
from wits_tui.engine.routing.registry import BASE_MODULE, ModuleRegistry, UnknownModule

if TYPE_CHECKING:
    from collections.abc import Callable

    from wits_tui.engine.backends.base import Backend
    from wits_tui.engine.routing.modules import Module
    from wits_tui.engine.store import Store
    from wits_tui.engine.store.profiles import Profile
    from wits_tui.engine.store.reader import StoreReader
    from wits_tui.engine.store.records import Session
    from wits_tui.paths import Paths
    from wits_tui.settings import Settings

#: How long a /api/ps answer is trusted (s).
LOADED_TTL_S = 2.0
AUTO = "auto"


@dataclass(frozen=True, slots=True)
class Route:
    """Which module answers, with which model, and why."""

    module: "Module"
    model: str
    reason: str  # one line for people, e.g. "code 0.82 (keywords+embeddings)" or "pinned"
    pinned: bool = False
    domain: str | None = None
    confidence: float | None = None
    complexity: float = 0.0
    decision: Decision | None = None
    ranking: list[Ranked] = field(default_factory=list)
    elapsed_ms: float = 0.0

    def prompt_messages(self) -> list[dict[str, str]]:
        """System prompt and few-shot messages to put before the conversation."""
        return self.module.prompt_messages()

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.module.options)


@dataclass(frozen=True, slots=True)
class ModuleEntry:
    """A module as the module bar and `wits modules list` show it."""

    name: str
    key: str | None
    model: str
    domains: list[str]
    description: str
    source: str
    trained: bool
    loaded: bool | None = None  # None: not asked


class Router:
    def __init__(
        self,
        settings: "Settings",
        paths: "Paths",
        store: "Store | StoreReader",
        backend: "Backend | None",
        *,
        registry: ModuleRegistry | None = None,
    ) -> None:
        self.settings, self.paths, self.store, self.backend = settings, paths, store, backend
        self.registry = registry or ModuleRegistry.load(settings, paths, store)
        self.classifier = Classifier(
            build_domains(settings.routing), self.registry, settings.routing, backend=backend, cache=store.embeddings
        )
        self.user = default_user(settings.routing.user)
        self._loaded: tuple[float, set[str]] | None = None

    def reload(self) -> None:
        """Re-read module files and training (after editing a module or training one)."""
        self.registry = ModuleRegistry.load(self.settings, self.paths, self.store)
        self.classifier.registry = self.registry

    async def prepare(self, progress: "Callable[[int, int], None] | None" = None) -> bool:
        """Embed the classifier's example messages now (batched, cached), off the turn's path:
        the TUI runs this in the background at start; turns meanwhile route by keywords."""
        return await self.classifier.prepare(progress)

    # -- routing ----------------------------------------------------------------
    async def loaded_models(self, fresh: bool = False) -> set[str]:
        now = time.monotonic()
        if not fresh and self._loaded and now - self._loaded[0] < LOADED_TTL_S:
            return self._loaded[1]
        names: set[str] = set()
        if self.backend is not None:
            try:
                names = {m.name for m in await self.backend.loaded()}
            except Exception:  # noqa: BLE001 - unknown means: assume nothing is loaded
                names = set()
        self._loaded = (now, names)
        return names

    def _model(self, module: "Module", session_model: str | None) -> str:
        return module.model or session_model or self.registry.default_model

    async def route(self, text: str, *, pinned: str | None = None, session_model: str | None = None,
                    previous: "Callable[[], str | None] | None" = None) -> Route:
        """The module for ``text``: the pinned one if any, else the best candidate of the
        classified domain. ``session_model`` (the session's /model choice) is used by
        modules that do not name a model. ``previous``: a function that looks up the module that answered the
        session's previous question (:meth:`previous_module`), called only for a message the classifier cannot
        place (which stays with it): most turns need no query."""
        started = time.perf_counter()
        if self.pins(pinned):
            return self._pinned(text, pinned, session_model, started)
        decision = await self.classifier.classify(text)
        if (stay := self._stays_with(decision, previous)) is not None:
            module, domain = stay
            reason = f"{domain}, as the previous answer ({module.name}): {decision.doubt}"
            return Route(module, self._model(module, session_model), reason, False, domain, decision.scores[domain],
                         query_complexity(text), decision, elapsed_ms=(time.perf_counter() - started) * 1000)
        loaded = await self.loaded_models() if len(decision.candidates) > 1 else set()
        return self._routed(text, decision, loaded, pinned, session_model, started)

    def pins(self, pinned: str | None) -> TypeGuard[str]:
        """Whether ``pinned`` (a session's pinned module) decides the route: a known module, not auto."""
        return bool(pinned) and pinned != AUTO and pinned in self.registry.names()

    def previous_module(self, session_id: int, before_id: int) -> str | None:
        """The module that answered the last question before message ``before_id`` (None: none did)."""
        for m in reversed(self._writable().messages.list(session_id, limit=4, before_id=before_id)):
            if m.role == "assistant" and m.module:
                return m.module
        return None

    def _stays_with(self, decision: Decision, previous: "Callable[[], str | None] | None") -> "tuple[Module, str] | None":
        """(module, domain) when a message the classifier cannot place should stay with the previous answer's
        specialist instead: "and in Rust?" after a code answer is still code. Cannot place (``Decision.unsure``): it fell
        back to general (its best domain below that domain's threshold), or general itself won below general's threshold."""
        if not decision.unsure or previous is None:
            return None
        name = previous()
        if not name or name not in self.registry.names():
            return None
        module = self.registry.get(name)
        domain = next((d for d in module.domains if d in decision.scores), None)
        return None if domain is None or domain == decision.domain else (module, domain)

    def route_by_keywords(self, text: str, *, pinned: str | None = None, session_model: str | None = None) -> Route:
        """:meth:`route` without a model server (keywords only, nothing loaded), synchronously:
        what `wits classify --keywords-only` shows, without an event loop."""
        started = time.perf_counter()
        if self.pins(pinned):
            return self._pinned(text, pinned, session_model, started)
        return self._routed(text, self.classifier.decide(text), set(), pinned, session_model, started)

    def _pinned(self, text: str, pinned: str, session_model: str | None, started: float) -> Route:
        module = self.registry.get(pinned)
        domain = self.classifier.decide(text).domain  # keywords only: for the profile, no model call
        return Route(module, self._model(module, session_model), "pinned", True, domain, None, query_complexity(text),
                     elapsed_ms=(time.perf_counter() - started) * 1000)

    def _routed(self, text: str, decision: Decision, loaded: set[str], pinned: str | None, session_model: str | None,
                started: float) -> Route:
        complexity = query_complexity(text)
        candidates = [self.registry.get(n) for n in decision.candidates] or [self.registry.get(BASE_MODULE)]
        ranking = rank(
            candidates,
            complexity=complexity,
            model_of=lambda m: self._model(m, session_model),
            stats=self.store.module_stats.all(),
            loaded=loaded,
            preferences=self.store.profiles.get(self.user).module_prefs,
        )
        module = self.registry.get(ranking[0].module)
        reason = decision.reason
        if pinned and pinned != AUTO:
            reason += f"; pinned module '{pinned}' no longer exists"
        return Route(module, ranking[0].model, reason, False, decision.domain, decision.confidence, complexity,
                     decision, ranking, (time.perf_counter() - started) * 1000)

    # -- after a turn -------------------------------------------------------------
    def record_turn(self, route: Route, text: str, *, model: str, stats: Any, status: str = "complete") -> None:
        """Record timings for the module (complete answers only) and update the profile.
        ``stats`` is a TurnStats (load_duration_ms, eval_duration_ms, total_ms, eval_tokens)."""
        if status == "complete":
            self.store.module_stats.record(
                route.module.name,
                model,
                load_ms=getattr(stats, "load_duration_ms", None),
                eval_ms=getattr(stats, "eval_duration_ms", None),
                total_ms=getattr(stats, "total_ms", None),
                eval_tokens=getattr(stats, "eval_tokens", None),
            )
        self.store.profiles.record_turn(self.user, domain=route.domain, module=route.module.name, topics=topics_of(text))

    def feedback(self, word: str, *, module: str | None) -> "Profile":
        """good | bad | neutral (or + / -) about an answer of ``module``."""
        return self.store.profiles.record_feedback(self.user, feedback_kind(word), module=module)

    def profile(self) -> "Profile":
        return self.store.profiles.get(self.user)

    def reset_profile(self) -> bool:
        return self.store.profiles.reset(self.user)

    # -- switching (module bar, Ctrl+1..9, /module) ---------------------------------
    async def modules(self, with_loaded: bool = False) -> list[ModuleEntry]:
        loaded = await self.loaded_models(fresh=True) if with_loaded else None
        out = []
        for m in self.registry.all():
            model = self.registry.model_of(m)
            is_loaded = None if loaded is None else (model in loaded or f"{model}:latest" in loaded)
            out.append(ModuleEntry(m.name, m.key, model, list(m.domains), m.description, m.source, m.name in self.registry.training, is_loaded))
        return out

    def resolve(self, ref: str) -> str | None:
        """A module by key, name, domain or unambiguous name prefix (see
        :meth:`ModuleRegistry.find`); ``auto`` -> None. Raises UnknownModule."""
        ref = ref.strip()
        if ref.lower() == AUTO:
            return None
        return self.registry.find(ref).name

    def pin(self, session_id: int, ref: str) -> "Session":
        """Pin a module (name or key) on the session, or ``auto`` to route again."""
        return self._writable().sessions.pin_module(session_id, self.resolve(ref))

    def _writable(self) -> "Store":
        from wits_tui.engine.store import Store

        if not isinstance(self.store, Store):
            raise RuntimeError("this router only reads (a StoreReader): pinning needs the Store")
        return self.store

    async def switch(self, session_id: int, ref: str, *, session_model: str | None = None) -> tuple["Session", Prewarm | None]:
        """Pin and (routing.prewarm_on_switch) load the module's model at once, so the
        first answer after the switch does not wait for the load."""
        session = self.pin(session_id, ref)
        if session.pinned_module is None or not self.settings.routing.prewarm_on_switch:
            return session, None
        return session, await self.prewarm(session.pinned_module, session_model=session_model)

    async def prewarm(self, module: str, *, session_model: str | None = None) -> Prewarm:
        if self.backend is None:
            raise RuntimeError("pre-warming needs a model server")
        result = await prewarm(self.backend, self._model(self.registry.get(module), session_model))
        self._loaded = None
        return result


__all__ = ["AUTO", "ModuleEntry", "Route", "Router", "UnknownModule"]
