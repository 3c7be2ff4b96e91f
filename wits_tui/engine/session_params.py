"""A session's own parameters: model options set with ``/set`` (validated by ``model_options``, with
pydantic), its system prompt (``/system``) and thinking choice (``/think``), and
how they combine with the module's prompt and options into a request."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from wits_tui.engine.thinking import THINK_CHOICES

#: The options ``/set`` accepts, with an example of each (validated by ``model_options.ModelOptions``, which
#: imports pydantic: the command table lists these names before the app's first frame, without it).
EXAMPLES = {"temperature": "0.7", "top_p": "0.9", "top_k": "40", "num_ctx": "16384", "seed": "42",
            "num_predict": "512", "keep_alive": "30m"}
OPTION_NAMES: tuple[str, ...] = tuple(EXAMPLES)


def describe_option(name: str) -> str:
    from wits_tui.engine.model_options import ModelOptions

    return ModelOptions.model_fields[name].description or ""


def parse_option(name: str, raw: str) -> Any:
    """The validated value of ``/set NAME RAW``; ValueError names the problem and an example."""
    name = name.strip().lower()
    if name not in OPTION_NAMES:
        close = difflib.get_close_matches(name, OPTION_NAMES, n=2)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise ValueError(f"no option {name!r}: {hint}options are {', '.join(OPTION_NAMES)}")
    from pydantic import ValidationError

    from wits_tui.engine.model_options import ModelOptions

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
