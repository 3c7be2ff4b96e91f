"""Per-turn metrics: time to first token, token counts, Ollama's durations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wits_tui.engine.clock import now_iso
from wits_tui.engine.store.tx import transaction

if TYPE_CHECKING:
    import sqlite_utils

METRIC_FIELDS = (
    "model",
    "module",
    "status",
    "ttft_ms",
    "total_ms",
    "prompt_tokens",
    "eval_tokens",
    "tokens_per_s",
    "load_duration_ns",
    "prompt_eval_duration_ns",
    "eval_duration_ns",
    "total_duration_ns",
)


class TurnMetrics:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def record(self, session_id: int, message_id: int | None, **values: Any) -> int:
        unknown = set(values) - set(METRIC_FIELDS)
        if unknown:
            raise ValueError(f"unknown metric fields: {', '.join(sorted(unknown))}")
        row = {"session_id": session_id, "message_id": message_id, "created_at": now_iso(), **values}
        with transaction(self.db):
            pk = self.db.table("turn_metrics").insert(row).last_pk
        assert pk is not None  # an insert always has one
        return int(pk)

    def for_session(self, session_id: int) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM turn_metrics WHERE session_id = ? ORDER BY id", [session_id]))
