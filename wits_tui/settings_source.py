"""Where settings come from, without validating them: the config file and ``WITS_`` variables
merged into one raw dict (``settings.load_settings`` validates it), and the validated snapshot
that lets a quick command skip validation (and pydantic's ~80 ms of imports) when nothing changed.

The snapshot (``<cache dir>/settings-snapshot.json``) is written from validated settings only,
under a key made of everything they were made from: ``settings.py`` itself (the schema and its
defaults), the config file's bytes, the ``WITS_`` variables and ``OLLAMA_HOST``. A different key
means no snapshot: the caller validates as usual (and a bad file is reported as usual).
``settings.py`` stays the one definition of every setting; this module never names one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wits_tui.paths import Paths

ENV_PREFIX = "WITS_"
#: WITS_ variables that are not settings.
RESERVED_ENV = {"WITS_HOME"}
SNAPSHOT_NAME = "settings-snapshot.json"
#: What the settings are validated against: a change to either makes the snapshot stale.
_SCHEMA = (Path(__file__).with_name("settings.py"), Path(__file__).with_name("settings_choices.py"))
_SECTION = "__section__"


class ConfigError(Exception):
    """A configuration problem, with one line per problem."""

    def __init__(self, source: str | None, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        head = f"invalid configuration in {self.source}:" if self.source else "invalid configuration:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


def read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot read the file: {exc}"]) from None
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ConfigError(str(path), ["nested too deeply to be a Wits configuration; fix it or delete the file to use defaults"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [f"not valid TOML: {exc}; fix the syntax or delete the file to use defaults"]) from None


def env_value(raw: str) -> Any:
    """Env values are strings; JSON lists and objects are accepted for list/dict settings."""
    stripped = raw.strip()
    if stripped[:1] in "[{":
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            return raw
        except RecursionError:
            raise ValueError("nested too deeply") from None
    return raw


def settings_env(environ: "dict[str, str] | os._Environ[str]") -> dict[str, str]:
    """The variables settings read: ``WITS_*`` (but ``WITS_HOME``) and ``OLLAMA_HOST``."""
    return {k: v for k, v in environ.items()
            if k == "OLLAMA_HOST" or k.startswith(ENV_PREFIX) and k not in RESERVED_ENV}


def apply_env(data: dict[str, Any], environ: "dict[str, str] | os._Environ[str]", origin: dict[str, str]) -> None:
    for name, raw in settings_env(environ).items():
        if name == "OLLAMA_HOST":  # read by the ollama section's default, not a WITS_ path
            continue
        parts = [p.lower() for p in name[len(ENV_PREFIX) :].split("__") if p]
        if not parts:
            continue
        target = data
        for part in parts[:-1]:
            node = target.setdefault(part, {})
            if not isinstance(node, dict):
                node = target[part] = {}
            target = node
        try:
            target[parts[-1]] = env_value(raw)
        except ValueError as exc:
            raise ConfigError(f"environment variable {name}", [f"{exc}; set a flat value or unset {name}"]) from None
        origin[".".join(parts)] = f"environment variable {name}"


# -- the validated snapshot ----------------------------------------------------------------------
class SettingsView:
    """Validated settings read back from the snapshot: the same attribute names as
    :class:`~wits_tui.settings.Settings` and its sections, read-only."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("settings read from the snapshot are read-only")


def snapshot_key(paths: "Paths", environ: "dict[str, str] | os._Environ[str]") -> str:
    h = hashlib.sha256()
    for schema in _SCHEMA:
        h.update(schema.read_bytes())
    try:
        h.update(b"\0file\0" + paths.config_file.read_bytes())
    except FileNotFoundError:
        h.update(b"\0no file\0")
    h.update(json.dumps(sorted(settings_env(environ).items())).encode())
    return h.hexdigest()


def _tagged(value: Any) -> Any:
    """A validated value as JSON, each settings section marked (duck-typed: pydantic models)."""
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        return {_SECTION: {name: _tagged(getattr(value, name)) for name in fields}}
    if isinstance(value, dict):
        return {k: _tagged(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_tagged(v) for v in value]
    return value


def _untagged(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and _SECTION in value:
            return SettingsView({k: _untagged(v) for k, v in value[_SECTION].items()})
        return {k: _untagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    return value


def save_snapshot(paths: "Paths", settings: Any, environ: "dict[str, str] | os._Environ[str] | None" = None) -> None:
    """Record validated ``settings`` for :func:`load_snapshot` (best effort: a home that cannot
    be written just has no snapshot)."""
    env = os.environ if environ is None else environ
    target = paths.cache_dir / SNAPSHOT_NAME
    tmp = target.with_name(f"{SNAPSHOT_NAME}.{os.getpid()}.tmp")
    try:
        body = json.dumps({"key": snapshot_key(paths, env), "settings": _tagged(settings)}, separators=(",", ":"))
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
        os.replace(tmp, target)
    except (OSError, TypeError, ValueError):  # cannot write, or a value JSON cannot hold: no snapshot
        tmp.unlink(missing_ok=True)


def load_snapshot(paths: "Paths", environ: "dict[str, str] | os._Environ[str] | None" = None) -> SettingsView | None:
    """The settings validated last time, when they were made from exactly what is there now."""
    env = os.environ if environ is None else environ
    try:
        raw = json.loads((paths.cache_dir / SNAPSHOT_NAME).read_text(encoding="utf-8"))
        if raw.get("key") != snapshot_key(paths, env):
            return None
        view = _untagged(raw["settings"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return view if isinstance(view, SettingsView) else None
