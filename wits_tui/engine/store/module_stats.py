"""Per-module timings and usage, for the module switch optimizer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wits_tui.engine.clock import now_iso
from wits_tui.engine.store.tx import transaction

if TYPE_CHECKING:
    import sqlite_utils

#: A load_duration at least this long means the model was loaded from cold for the turn.
COLD_LOAD_MS = 100.0


@dataclass(frozen=True, slots=True)
class ModuleStat:
    module: str
    model: str | None = None
    uses: int = 0
    load_count: int = 0
    total_load_ms: float = 0.0
    total_eval_ms: float = 0.0
    total_ms: float = 0.0
    eval_tokens: int = 0
    last_used_at: str | None = None

    @property
    def avg_load_ms(self) -> float | None:
        """Average time of a cold load (None: never seen one)."""
        return self.total_load_ms / self.load_count if self.load_count else None

    @property
    def avg_total_ms(self) -> float | None:
        """Average wall time of an answer, load time excluded."""
        return (self.total_ms - self.total_load_ms) / self.uses if self.uses else None

    @property
    def tokens_per_s(self) -> float | None:
        return self.eval_tokens / (self.total_eval_ms / 1000) if self.total_eval_ms > 0 else None


class ModuleStats:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def record(
        self,
        module: str,
        model: str,
        *,
        load_ms: float | None,
        eval_ms: float | None,
        total_ms: float | None,
        eval_tokens: int | None,
    ) -> ModuleStat:
        """Add one answered turn. ``load_ms`` is Ollama's load_duration (counted as a
        cold load when it is at least :data:`COLD_LOAD_MS`)."""
        load = load_ms or 0.0
        cold = load >= COLD_LOAD_MS
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO module_stats (module, model, uses, load_count, total_load_ms, total_eval_ms, total_ms, eval_tokens, last_used_at) "
                "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(module) DO UPDATE SET model = excluded.model, uses = uses + 1, "
                "load_count = load_count + excluded.load_count, total_load_ms = total_load_ms + excluded.total_load_ms, "
                "total_eval_ms = total_eval_ms + excluded.total_eval_ms, total_ms = total_ms + excluded.total_ms, "
                "eval_tokens = eval_tokens + excluded.eval_tokens, last_used_at = excluded.last_used_at",
                [module, model, int(cold), load if cold else 0.0, eval_ms or 0.0, total_ms or 0.0, eval_tokens or 0, now_iso()],
            )
        return self.get(module)

    def get(self, module: str) -> ModuleStat:
        rows = list(self.db.query("SELECT * FROM module_stats WHERE module = ?", [module]))
        return ModuleStat(**rows[0]) if rows else ModuleStat(module=module)

    def all(self) -> dict[str, ModuleStat]:
        return {r["module"]: ModuleStat(**r) for r in self.db.query("SELECT * FROM module_stats")}

    def reset(self, module: str | None = None) -> None:
        with transaction(self.db):
            if module is None:
                self.db.execute("DELETE FROM module_stats")
            else:
                self.db.execute("DELETE FROM module_stats WHERE module = ?", [module])
