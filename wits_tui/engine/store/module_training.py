"""What `wits module train` stored for a module: its examples, the derived model and the report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wits_tui.engine.clock import now_iso
from wits_tui.engine.store.tx import transaction

if TYPE_CHECKING:
    import sqlite_utils


@dataclass(slots=True)
class TrainingRecord:
    module: str
    base_model: str | None = None
    derived_model: str | None = None
    examples: list[dict[str, str]] = field(default_factory=list)
    validation: list[dict[str, str]] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    trained_at: str | None = None


class ModuleTraining:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def save(self, record: TrainingRecord) -> TrainingRecord:
        record.trained_at = now_iso()
        row = {
            "module": record.module,
            "base_model": record.base_model,
            "derived_model": record.derived_model,
            "examples": json.dumps(record.examples, ensure_ascii=False),
            "validation": json.dumps(record.validation, ensure_ascii=False),
            "report": json.dumps(record.report, ensure_ascii=False),
            "trained_at": record.trained_at,
        }
        with transaction(self.db):
            self.db.table("module_training").upsert(row, pk="module")
        return record

    def get(self, module: str) -> TrainingRecord | None:
        rows = list(self.db.query("SELECT * FROM module_training WHERE module = ?", [module]))
        if not rows:
            return None
        r = rows[0]
        return TrainingRecord(
            module=module,
            base_model=r["base_model"],
            derived_model=r["derived_model"],
            examples=json.loads(r["examples"] or "[]"),
            validation=json.loads(r["validation"] or "[]"),
            report=json.loads(r["report"] or "{}"),
            trained_at=r["trained_at"],
        )

    def all(self) -> dict[str, TrainingRecord]:
        names = [r["module"] for r in self.db.query("SELECT module FROM module_training")]
        return {n: rec for n in names if (rec := self.get(n)) is not None}

    def delete(self, module: str) -> bool:
        with transaction(self.db):
            return self.db.execute("DELETE FROM module_training WHERE module = ?", [module]).rowcount > 0
