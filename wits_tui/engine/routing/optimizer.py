"""The module switch optimizer: orders candidate modules by speed and strength,
weighed by how complex the question is, and pre-warms models.

A short plain question favours fast modules whose model is already loaded; a long,
complex one favours strong modules. Among candidates whose scores are within
:data:`CLOSE_MARGIN`, one whose model is already loaded goes first.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wits_tui.engine.backends.base import Backend
    from wits_tui.engine.routing.modules import Module
    from wits_tui.engine.store.module_stats import ModuleStat

#: Assumed cold-load time of a model never measured (ms).
DEFAULT_LOAD_MS = 3000.0
#: Assumed answer time of a module never measured (ms).
DEFAULT_ANSWER_MS = 4000.0
#: Latency at which the speed score is one half (ms).
LATENCY_SCALE_MS = 4000.0
CLOSE_MARGIN = 0.05
#: Weight of the user's preference for a module (feedback) in the score.
PROFILE_WEIGHT = 0.15

_COMPLEX_WORDS = re.compile(
    r"\b(explain why|step by step|prove|derive|design|architecture|analy[sz]e|compare|trade-?offs?|in detail|"
    r"optimi[sz]e|refactor|implement|algorithm|evaluate|justify|comprehensive|thorough)\b",
    re.IGNORECASE,
)


def query_complexity(text: str) -> float:
    """0 (a short plain question) .. 1 (long, multi-part, technical). Pure and cheap."""
    words = len(text.split())
    length = min(1.0, math.log1p(words) / math.log1p(150))  # 150 words and more: 1
    parts = min(1.0, (text.count("?") + text.count("\n") // 3) / 4)
    code = 1.0 if "```" in text or re.search(r"^\s{4,}\S", text, re.MULTILINE) else 0.0
    signals = min(1.0, len(_COMPLEX_WORDS.findall(text)) / 2)
    return round(min(1.0, 0.45 * length + 0.15 * parts + 0.15 * code + 0.25 * signals), 4)


@dataclass(frozen=True, slots=True)
class Ranked:
    module: str
    model: str
    score: float
    loaded: bool
    expected_ms: float  # expected wait for the answer, load included
    speed: float
    strength: float
    preference: float
    reason: str


def rank(
    candidates: list["Module"],
    *,
    complexity: float,
    model_of: Callable[["Module"], str],
    stats: dict[str, "ModuleStat"],
    loaded: set[str],
    preferences: dict[str, float] | None = None,
) -> list[Ranked]:
    """Candidates ordered best first. ``loaded`` holds model names from /api/ps;
    ``preferences`` maps module -> the user's preference (feedback, + good / - bad)."""
    prefs = preferences or {}
    out = []
    for m in candidates:
        model = model_of(m)
        st = stats.get(m.name)
        is_loaded = _is_loaded(model, loaded)
        load_ms = 0.0 if is_loaded else ((st.avg_load_ms if st else None) or DEFAULT_LOAD_MS)
        answer_ms = (st.avg_total_ms if st else None) or DEFAULT_ANSWER_MS
        expected = load_ms + answer_ms
        speed = 1.0 / (1.0 + expected / LATENCY_SCALE_MS)
        pref = math.tanh(prefs.get(m.name, 0.0) / 3.0)
        score = (1 - complexity) * speed + complexity * m.strength + PROFILE_WEIGHT * pref
        why = f"{'loaded' if is_loaded else 'cold'}, ~{expected / 1000:.1f} s, strength {m.strength:.1f}"
        if pref:
            why += f", preference {pref:+.2f}"
        out.append(Ranked(m.name, model, round(score, 4), is_loaded, expected, speed, m.strength, pref, why))
    out.sort(key=lambda r: -r.score)
    if out and not out[0].loaded:
        close = [r for r in out if r.loaded and out[0].score - r.score <= CLOSE_MARGIN]
        if close:
            out.remove(close[0])
            out.insert(0, close[0])
    return out


def _is_loaded(model: str, loaded: set[str]) -> bool:
    name = model if ":" in model.rsplit("/", 1)[-1] else model + ":latest"
    return model in loaded or name in loaded


@dataclass(frozen=True, slots=True)
class Prewarm:
    model: str
    already_loaded: bool
    elapsed_ms: float
    error: str | None = None


async def prewarm(backend: "Backend", model: str) -> Prewarm:
    """Load ``model`` now (keep-alive load request) unless /api/ps already lists it."""
    started = time.perf_counter()
    try:
        names = {m.name for m in await backend.loaded()}
        if _is_loaded(model, names):
            return Prewarm(model, True, (time.perf_counter() - started) * 1000)
        await backend.load(model)
    except Exception as exc:  # noqa: BLE001 - a failed pre-warm only means the first answer waits
        return Prewarm(model, False, (time.perf_counter() - started) * 1000, error=str(exc))
    return Prewarm(model, False, (time.perf_counter() - started) * 1000)
