"""Modules: named specialists (model, system prompt, options, few-shot examples,
domains, key). Built-ins cover the standard domains; TOML files in the config
dir's ``modules/`` add modules or override fields of built-in ones.

A module is a plain frozen dataclass: routing (keyword-only `wits classify` above all) never
imports pydantic for the built-in ones. A module *file* is validated by ``module_spec.ModuleSpec``
(pydantic, imported only then), which a test keeps field for field in step with :class:`Module`.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"


@dataclass(frozen=True, slots=True)
class Example:
    prompt: str
    completion: str


@dataclass(frozen=True)
class Module:
    """One specialist. ``model=None`` means the chat default model. Field meanings and rules:
    ``module_spec.ModuleSpec``."""

    name: str
    description: str = ""
    model: str | None = None
    system: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    examples: list[Example] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    key: str | None = None
    strength: float = 0.5
    source: str = "built-in"

    def model_for(self, default_model: str) -> str:
        return self.model or default_model

    def as_dict(self) -> dict[str, Any]:
        """Every field, the examples as dicts (what `wits modules --json` prints)."""
        return asdict(self)

    def prompt_messages(self) -> list[dict[str, str]]:
        """System prompt and few-shot examples, to go before the conversation."""
        out = [{"role": "system", "content": self.system}] if self.system else []
        for ex in self.examples:
            out += [{"role": "user", "content": ex.prompt}, {"role": "assistant", "content": ex.completion}]
        return out


def _builtin(name: str, domain: str, key: str, strength: float, description: str, system: str, **options: Any) -> Module:
    return Module(name=name, domains=[domain], key=key, strength=strength, description=description, system=system, options=options)


BUILTIN_MODULES: tuple[Module, ...] = (
    _builtin("code_expert", "code", "1", 0.7, "Programming: writing, explaining and debugging code.",
             "You are an expert software engineer. Give correct, idiomatic code with brief explanations. "
             "Point out bugs and edge cases. Use fenced code blocks with a language tag.", temperature=0.2),
    _builtin("math_expert", "math", "2", 0.7, "Mathematics: calculations, algebra, proofs, statistics.",
             "You are a careful mathematician. Work step by step, show the key steps, check the result, "
             "and give the final answer clearly.", temperature=0.1),
    _builtin("creative_expert", "creative", "3", 0.5, "Creative writing: stories, poems, names, ideas.",
             "You are an imaginative writer. Be vivid, original and attentive to tone, form and audience.", temperature=0.9),
    _builtin("reasoning_expert", "reasoning", "4", 0.8, "Analysis, logic, comparisons, arguments, puzzles.",
             "You are a rigorous analytical thinker. Lay out assumptions, weigh the alternatives and reason "
             "to a justified conclusion; say what would change it.", temperature=0.3),
    _builtin("planning_expert", "planning", "5", 0.6, "Plans, schedules, roadmaps, step-by-step projects.",
             "You are a practical planner. Turn goals into concrete, ordered steps with time estimates, "
             "dependencies and risks.", temperature=0.4),
    _builtin("base_module", "general", "6", 0.4, "General conversation and everything else.",
             "You are a helpful, concise assistant.", temperature=0.7),
)


@dataclass(frozen=True, slots=True)
class ModuleError:
    """A module file that could not be loaded: which file, which field, why, and the fix."""

    path: Path
    field: str | None
    message: str

    def render(self) -> str:
        where = f"field '{self.field}': " if self.field else ""
        return f"{self.path}: {where}{self.message}"


def _read_toml(path: Path) -> dict[str, Any] | ModuleError:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return ModuleError(path, None, f"cannot read the file: {exc}")
    except tomllib.TOMLDecodeError as exc:
        return ModuleError(path, None, f"not valid TOML: {exc}; fix the syntax or remove the file")


def load_module_file(path: Path, builtins: dict[str, Module]) -> Module | ModuleError:
    """One module from a TOML file. The name defaults to the file name; a file named
    like a built-in module overrides just the fields it sets."""
    data = _read_toml(path)
    if isinstance(data, ModuleError):
        return data
    data.setdefault("name", path.stem)
    data.pop("source", None)
    base = builtins.get(str(data["name"]))
    merged = {**(base.as_dict() if base else {}), **data, "source": str(path)}
    from pydantic import ValidationError

    from wits_tui.engine.routing.module_spec import validate_module

    try:
        return validate_module(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        value = err.get("input")
        shown = f"{value!r}: " if field and not isinstance(value, dict) else ""
        return ModuleError(path, field, f"{shown}{err['msg']}{more}; fix it in the file or remove the file")


def load_modules(modules_dir: Path | None) -> tuple[dict[str, Module], list[ModuleError]]:
    """Built-in modules, then every ``*.toml`` in ``modules_dir`` (sorted). A broken
    file is reported and skipped; the others still load."""
    modules = {m.name: m for m in BUILTIN_MODULES}
    builtins = dict(modules)
    errors: list[ModuleError] = []
    if modules_dir is not None and modules_dir.is_dir():
        for path in sorted(modules_dir.glob("*.toml")):
            loaded = load_module_file(path, builtins)
            if isinstance(loaded, ModuleError):
                errors.append(loaded)
            else:
                modules[loaded.name] = loaded
    errors += _key_clashes(modules)
    return modules, errors


def _key_clashes(modules: dict[str, Module]) -> list[ModuleError]:
    seen: dict[str, Module] = {}
    errors = []
    for m in modules.values():
        if m.key is None:
            continue
        if m.key in seen:
            other = seen[m.key]
            path = Path(m.source if m.source != "built-in" else other.source)
            errors.append(ModuleError(path, "key", f"key {m.key!r} is used by both {other.name} and {m.name}; give one another key"))
        else:
            seen[m.key] = m
    return errors
