"""The modules in effect: built-ins, user files, and what training built for them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from wits_tui.engine.routing.modules import Example, Module, ModuleError, load_modules

if TYPE_CHECKING:
    from wits_tui.engine.store import Store
    from wits_tui.engine.store.module_training import TrainingRecord
    from wits_tui.engine.store.reader import StoreReader
    from wits_tui.paths import Paths
    from wits_tui.settings import Settings

GENERAL = "general"
BASE_MODULE = "base_module"


class UnknownModule(LookupError):
    def __init__(self, name: str, known: Iterable[str], *, ambiguous: Iterable[str] = ()) -> None:
        which = sorted(ambiguous)
        if which:
            text = f"'{name}' could be any of {', '.join(which)}: give more of the name"
        else:
            text = f"no module '{name}'; known modules: {', '.join(sorted(known))} (`wits modules list`)"
        super().__init__(text)
        self.name = name


def apply_training(module: Module, record: "TrainingRecord | None") -> Module:
    """A trained module: with a derived Ollama model (examples baked in as MESSAGE lines)
    it uses that model; otherwise the training examples are sent as few-shot messages."""
    if record is None:
        return module
    if record.derived_model:
        return replace(module, model=record.derived_model)
    extra = [Example(**e) for e in record.examples]
    return replace(module, examples=[*module.examples, *extra])


class ModuleRegistry:
    def __init__(
        self,
        modules: dict[str, Module],
        default_model: str,
        *,
        errors: list[ModuleError] | None = None,
        training: "dict[str, TrainingRecord] | None" = None,
    ) -> None:
        self.default_model = default_model
        self.errors = list(errors or [])
        self.training = dict(training or {})
        self._raw = dict(modules)
        self._modules = {n: apply_training(m, self.training.get(n)) for n, m in modules.items()}

    @classmethod
    def load(cls, settings: Settings, paths: Paths, store: Store | StoreReader | None = None) -> ModuleRegistry:
        modules, errors = load_modules(paths.user_modules_dir)
        training = store.training.all() if store is not None else {}
        return cls(modules, settings.chat.default_model, errors=errors, training=training)

    def names(self) -> list[str]:
        return list(self._modules)

    def all(self) -> list[Module]:
        """Modules with a key first (by key), then the others by name."""
        return sorted(self._modules.values(), key=lambda m: (m.key is None, m.key or "", m.name))

    def get(self, name: str) -> Module:
        try:
            return self._modules[name]
        except KeyError:
            raise UnknownModule(name, self._modules) from None

    def untrained(self, name: str) -> Module:
        """The module as defined, before training was applied (what training builds on)."""
        self.get(name)
        return self._raw[name]

    def by_key(self, key: str) -> Module | None:
        return next((m for m in self._modules.values() if m.key == key), None)

    def find(self, ref: str) -> Module:
        """A module by key, name, the one domain it serves, or an unambiguous prefix of a
        name (``2``, ``math_expert``, ``math``, ``mat``). Raises UnknownModule, naming the
        candidates when the reference is ambiguous."""
        ref = ref.strip()
        low = ref.lower()
        found = self.by_key(ref) or self._modules.get(ref) or self._modules.get(low)
        if found is not None:
            return found
        serving = [m for m in self._modules.values() if low in (d.lower() for d in m.domains)]
        if len(serving) == 1:
            return serving[0]
        named = [m for m in self._modules.values() if m.name.lower().startswith(low)]
        if len(named) == 1:
            return named[0]
        candidates = serving or named
        if candidates:
            raise UnknownModule(ref, self._modules, ambiguous=[m.name for m in candidates])
        raise UnknownModule(ref, self._modules)

    def model_of(self, module: Module | str) -> str:
        m = self.get(module) if isinstance(module, str) else module
        return m.model_for(self.default_model)

    def domains(self) -> set[str]:
        return {d for m in self._modules.values() for d in m.domains}

    def for_domain(self, domain: str) -> list[Module]:
        """Modules serving ``domain``; if none do, those serving general (else base_module)."""
        found = [m for m in self._modules.values() if domain in m.domains]
        if not found and domain != GENERAL:
            found = [m for m in self._modules.values() if GENERAL in m.domains]
        if not found and BASE_MODULE in self._modules:
            found = [self._modules[BASE_MODULE]]
        return found
