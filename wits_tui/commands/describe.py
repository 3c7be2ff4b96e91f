"""One-line descriptions of engine events and memory records, shared by every front end.

Pure functions over plain data (no UI imports): the TUI puts them in collapsible
lines, the line mode prints them.
"""

from __future__ import annotations

import json
from typing import Any

from wits_tui.engine.clock import to_minute

SUMMARY_WIDTH = 60


def _short(text: str, width: int = SUMMARY_WIDTH) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def call_label(name: str, arguments: Any) -> str:
    """``calculator(expression='2+2')``; arguments that are not an object are shown as given."""
    if isinstance(arguments, dict):
        inner = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    elif arguments in (None, ""):
        inner = ""
    else:
        inner = repr(arguments)
    return f"{name}({_short(inner, 48)})"


def _loads(content: str) -> Any:
    try:
        return json.loads(content)
    except (TypeError, ValueError):
        return content


def result_summary(content: str) -> str:
    """What a successful tool gave back, short: ``{"result": "4"}`` -> ``4``."""
    value = _loads(content)
    if isinstance(value, dict) and "result" in value:
        value = value["result"]
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return _short(str(value))


def error_summary(error_type: str | None, content: str) -> str:
    """``invalid_arguments (expression: Field required)``, ``timeout (no result within 10 s)``."""
    value = _loads(content)
    detail = ""
    if isinstance(value, dict):
        problems = value.get("problems")
        if problems:
            detail = "; ".join(f"{p.get('field', '?')}: {p.get('problem', '')}" for p in problems)
        else:
            detail = str(value.get("message") or value.get("hint") or "")
    kind = error_type or (value.get("error") if isinstance(value, dict) else None) or "failed"
    return f"{kind} ({_short(detail, 70)})" if detail else str(kind)


def tool_line(name: str, arguments: Any, *, ok: bool | None, content: str = "", error_type: str | None = None,
              duration_ms: float | None = None) -> str:
    """``⚙ calculator(expression='2+2') → 4 · 3 ms``; ``✗ calculator: invalid_arguments (…)``;
    ``ok`` None: still running."""
    if ok is None:
        return f"⚙ {call_label(name, arguments)} …"
    if not ok:
        return f"✗ {name}: {error_summary(error_type, content)}"
    took = "" if duration_ms is None else f" · {duration_ms:.0f} ms" if duration_ms >= 1 else f" · {duration_ms:.1f} ms"
    return f"⚙ {call_label(name, arguments)} → {result_summary(content)}{took}"


def pretty_json(value: Any) -> str:
    """Arguments or a result as indented JSON (text that is not JSON is shown as it is)."""
    if isinstance(value, str):
        value = _loads(value)
        if isinstance(value, str):
            return value
    return json.dumps(value, indent=2, ensure_ascii=False)


def segment_line(segment: dict[str, Any], width: int = 100) -> str:
    """One recalled segment: ``2025-01-02 10:30 · note · similarity 0.82 · my dog is called Rex``."""
    when = to_minute(str(segment.get("created_at") or ""))
    scores = []
    if segment.get("similarity") is not None:
        scores.append(f"similarity {segment['similarity']:.2f}")
    if segment.get("text_score") is not None:
        scores.append(f"text {segment['text_score']:.2f}")
    head = " · ".join(p for p in (when, str(segment.get("kind") or ""), *scores) if p)
    return f"{head} · {_short(segment.get('text', ''), width)}"


def megabytes(n: int | float) -> str:
    return f"{n / 1_000_000:.1f} MB"


def prune_notice(result: Any) -> str:
    """A PruneResult in one line."""
    if not result.ok:
        return f"memory prune failed: {result.error}"
    if not result.removed:
        return (f"memory is {megabytes(result.size_after)} of {megabytes(result.cap_bytes)}: "
                "nothing needed pruning")
    return (f"memory pruned ({result.strategy}): removed {result.removed} segments, "
            f"{megabytes(result.size_before)} → {megabytes(result.size_after)} (cap {megabytes(result.cap_bytes)})")


def prune_progress(p: Any) -> tuple[str, float | None]:
    """A PruneProgress as a label and a fraction for a progress bar."""
    if p.stage == "deleting" and p.planned:
        return f"memory prune: removing {p.planned} segments", p.removed / p.planned if p.removed else None
    return f"memory prune: {p.stage}", None


def status_text(status: Any) -> str:
    """The status bar's memory label: empty unless the state is worth a look."""
    if status.state == "text_only":
        return "memory: text search only"
    if status.state == "reembedding":
        return "memory: re-embedding…"
    if status.state == "broken":
        return "memory off: run `wits memory repair`"
    return ""
