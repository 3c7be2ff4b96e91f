"""The classifier's evaluation and tuning sets, as (text, domain, category) rows.

- ``heldout()``: the blind held-out set in this repository (short prompts written from the domain
  descriptions). Nothing is tuned on it.
- ``realworld()``: the WizardLM test set, read from ``../shared/data/routing/`` and labelled by
  ``data/realworld_mapping.toml``. Nothing is tuned on it; its text never enters the repository.
  ``None`` when the file is absent (callers skip and say why: ``REALWORLD_MISSING``).
- ``tuning()``: what the classifier's settings are chosen on (``tuning.jsonl``, ``tuning_long.jsonl``,
  ``tuning_chat.jsonl``, ``tuning_para.jsonl``, ``tuning_mixed.jsonl``, ``tuning_hard.jsonl``,
  ``tuning_tasks.jsonl``, ``tuning_inputs.jsonl``, ``tuning_bounds.jsonl``, ``tuning_evol.jsonl``).
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[3]
_SHARED = Path("shared") / "data" / "routing" / "wizardlm_testset.jsonl"


def _find_realworld() -> Path:
    """``../shared/data/routing/`` beside the repository (or beside a parent directory, for
    worktrees kept one level deeper); ``WITS_ROUTING_REALWORLD`` names the file directly."""
    if env := os.environ.get("WITS_ROUTING_REALWORLD"):
        return Path(env)
    for base in ROOT.parents:
        if (base / _SHARED).exists():
            return base / _SHARED
    return ROOT.parent / _SHARED


REALWORLD = _find_realworld()
REALWORLD_MISSING = (
    f"real-world set absent: {REALWORLD} (the WizardLM test set; see tests/engine/routing/data/README.md "
    "for where it comes from). Put it there to measure it."
)


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    domain: str
    category: str = ""


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def heldout() -> list[Row]:
    return [Row(r["text"], r["domain"]) for r in _jsonl(DATA / "heldout.jsonl")]


def tuning() -> list[Row]:
    rows = [Row(r["text"], r["domain"], "short") for r in _jsonl(DATA / "tuning.jsonl")]
    for name, category in (("tuning_long.jsonl", "long"), ("tuning_chat.jsonl", "chat"), ("tuning_para.jsonl", "para"),
                           ("tuning_mixed.jsonl", "mixed"), ("tuning_hard.jsonl", "hard"), ("tuning_tasks.jsonl", "tasks"),
                           ("tuning_inputs.jsonl", "inputs"), ("tuning_bounds.jsonl", "bounds"),
                           ("tuning_evol.jsonl", "evol")):
        if (DATA / name).exists():
            rows += [Row(r["text"], r["domain"], category) for r in _jsonl(DATA / name)]
    return rows


def mapping() -> tuple[dict[str, str], dict[int, str]]:
    """(category -> domain, idx -> domain) from ``realworld_mapping.toml``."""
    table = tomllib.loads((DATA / "realworld_mapping.toml").read_text(encoding="utf-8"))
    return dict(table["categories"]), {int(k): v[0] for k, v in table["overrides"].items()}


def realworld(path: Path = REALWORLD) -> list[Row] | None:
    if not path.exists():
        return None
    categories, overrides = mapping()
    rows = []
    for r in _jsonl(path):
        skill = r["Skill"]
        domain = overrides.get(int(r["idx"])) or categories.get(skill)
        if domain is None:
            raise ValueError(f"category {skill!r} (idx {r['idx']}) has no domain in realworld_mapping.toml: add it")
        rows.append(Row(r["Instruction"], domain, skill))
    return rows
