"""A session's own parameters: model options set with ``/set`` (validated here, by
pydantic), its system prompt (``/system``) and thinking choice (``/think``), and
how they combine with the module's prompt and options into a request."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wits_tui.engine.thinking import THINK_CHOICES

#: Ollama duration syntax: "5m", "1h30m", "0" (unload at once), "-1" (keep loaded), or seconds.
_DURATION = re.compile(r"^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h)?)+$")


class ModelOptions(BaseModel):
    """The options ``/set`` accepts (each None when not set)."""

    model_config = ConfigDict(extra="forbid")

    temperature: float | None = Field(None, ge=0, le=2, description="randomness, 0 (focused) to 2 (wild)")
    top_p: float | None = Field(None, gt=0, le=1, description="nucleus sampling share, above 0 up to 1")
    top_k: int | None = Field(None, ge=1, le=1000, description="sample from the k likeliest tokens")
    num_ctx: int | None = Field(None, ge=256, le=10_000_000, description="context window in tokens")
    seed: int | None = Field(None, description="a fixed seed for repeatable answers")
    num_predict: int | None = Field(None, ge=-2, description="most tokens to generate (-1: no limit)")
    keep_alive: str | None = Field(None, description="how long the model stays loaded (5m, 1h, 0, -1)")

    @field_validator("keep_alive")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None and not _DURATION.match(value.strip()):
            raise ValueError("must be a duration such as 30s, 5m, 1h30m, 0 (unload at once) or -1 (keep loaded)")
        return value.strip() if value is not None else None


OPTION_NAMES: tuple[str, ...] = tuple(ModelOptions.model_fields)
EXAMPLES = {"temperature": "0.7", "top_p": "0.9", "top_k": "40", "num_ctx": "16384", "seed": "42",
            "num_predict": "512", "keep_alive": "30m"}


def describe_option(name: str) -> str:
    return ModelOptions.model_fields[name].description or ""


def parse_option(name: str, raw: str) -> Any:
    """The validated value of ``/set NAME RAW``; ValueError names the problem and an example."""
    name = name.strip().lower()
    if name not in OPTION_NAMES:
        close = difflib.get_close_matches(name, OPTION_NAMES, n=2)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise ValueError(f"no option {name!r}: {hint}options are {', '.join(OPTION_NAMES)}")
    try:
        value = getattr(ModelOptions.model_validate({name: raw.strip()}), name)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise ValueError(f"{name} {raw.strip()!r}: {problem[0].lower()}{problem[1:]} (e.g. /set {name} {EXAMPLES[name]})") from None
    return value


def validate_options(values: dict[str, Any]) -> dict[str, Any]:
    """Options read back from a file (an import): only valid ones, as set."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        try:
            out[name] = parse_option(name, str(value))
        except ValueError:
            continue
    return out


def parse_think(raw: str) -> str | None:
    """``/think on|off|low|medium|high|default`` -> the stored choice (None: the setting)."""
    word = raw.strip().lower()
    word = {"true": "on", "yes": "on", "false": "off", "no": "off"}.get(word, word)
    if word in ("default", "reset"):
        return None
    if word not in THINK_CHOICES:
        raise ValueError(f"think is on, off, low, medium or high (or default), not {raw.strip()!r}")
    return word


@dataclass(frozen=True, slots=True)
class RequestParams:
    """What a session adds to a request."""

    prefix: list[dict[str, Any]]
    options: dict[str, Any] | None
    keep_alive: str | None
    num_ctx: int | None


def request_params(module_prefix: list[dict[str, Any]], module_options: dict[str, Any] | None, session: Any) -> RequestParams:
    """Combine a module's prompt messages and options with the session's own:
    session options win; the session's system prompt follows the module's (mode
    "add") or takes its place ("replace")."""
    own = session.option_values() if session is not None else {}
    merged = {**(module_options or {}), **{k: v for k, v in own.items() if k != "keep_alive"}}
    prompt = getattr(session, "system_prompt", None)
    prefix = list(module_prefix)
    if prompt:
        systems = [m for m in prefix if m.get("role") == "system"]
        rest = [m for m in prefix if m.get("role") != "system"]
        if getattr(session, "system_mode", None) == "replace" or not systems:
            prefix = [{"role": "system", "content": prompt}, *rest]
        else:
            joined = "\n\n".join([*(str(m.get("content") or "") for m in systems), prompt])
            prefix = [{"role": "system", "content": joined}, *rest]
    num_ctx = merged.get("num_ctx")
    return RequestParams(prefix, merged or None, own.get("keep_alive"), int(num_ctx) if num_ctx else None)
