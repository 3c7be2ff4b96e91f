"""Is the model someone asked for installed? Close matches when it is not.

Shared by `wits ask --model`, the TUI's start-up check and anything else that should
say "not installed" before a request fails on it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence


def is_installed(model: str, installed: Sequence[str]) -> bool:
    """``llama3.2`` is installed when ``llama3.2`` or ``llama3.2:latest`` is."""
    return model in installed or (":" not in model and f"{model}:latest" in installed)


def close_models(model: str, installed: Sequence[str], n: int = 3) -> list[str]:
    """Installed models like ``model``: the same name with another tag when there is one
    (``llama3.2`` -> ``llama3.2:3b``, not ``llava:7b`` too), otherwise by spelling."""
    base = model.split(":")[0]
    same_name = [m for m in installed if m.split(":")[0] == base]
    return same_name[:n] or difflib.get_close_matches(model, list(installed), n=n, cutoff=0.5)


def missing_model(model: str, installed: Sequence[str], *, choose: str, pull: str, what: str = "model") -> str | None:
    """A sentence saying ``model`` is not installed, naming close matches (or what is
    installed) and the fixes, or None. ``pull`` and ``choose`` say how, with ``{model}`` for the
    name: ``"/pull {model}"``, ``"/model NAME"``; ``what`` names it (``"the default model"``)."""
    if is_installed(model, installed):
        return None
    close = close_models(model, installed)
    if close:
        offer = f"; installed ones like it: {', '.join(close)}"
    elif installed:
        offer = f"; installed: {', '.join(list(installed)[:8])}"
    else:
        offer = "; no model is installed yet"
    return (f"{what} '{model}' is not installed{offer}. Get it with {pull.format(model=model)}, "
            f"or choose another with {choose}")
