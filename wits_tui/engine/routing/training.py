"""Module training: prompt/completion pairs become a specialised module.

1. The data is validated (JSON lines of ``{"prompt": ..., "completion": ...}``);
   problems are reported with file and line numbers.
2. The examples are stored with the module (SQLite, ``module_training``).
3. Where the backend can create models (Ollama), a derived model is built from the
   module's model with the module's system prompt, the examples as MESSAGE lines and
   the module's options as parameters. Otherwise the examples are sent as few-shot
   messages with every request.
4. With validation data the trained module answers each validation prompt; the report
   holds the exact-match rate, the mean normalised similarity and the timings.
Progress goes to an optional callback as :class:`Progress` values.
"""

from __future__ import annotations

import difflib
import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wits_tui.engine.errors import MAX_PROBLEMS, TrainingDataError
from wits_tui.engine.routing.registry import apply_training
from wits_tui.engine.store.module_training import TrainingRecord

if TYPE_CHECKING:
    from wits_tui.engine.backends.base import Backend
    from wits_tui.engine.routing.modules import Module
    from wits_tui.engine.routing.registry import ModuleRegistry
    from wits_tui.engine.store import Store

DERIVED_PREFIX = "wits-"

@dataclass(frozen=True, slots=True)
class Progress:
    stage: str  # validating | storing | creating | evaluating | done
    message: str
    done: int = 0
    total: int = 0


def read_pairs(path: Path) -> list[dict[str, str]]:
    """Prompt/completion pairs from a JSON-lines file; raises TrainingDataError naming every bad line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingDataError(path, [f"cannot read the file: {exc}"]) from None
    pairs, problems = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(item, dict):
            problems.append(f'line {n}: expected an object like {{"prompt": "...", "completion": "..."}}, got {type(item).__name__}')
            continue
        unknown = sorted(set(item) - {"prompt", "completion"})
        if unknown:
            problems.append(f"line {n}: unknown key(s) {', '.join(map(repr, unknown))}; expected only 'prompt' and 'completion'")
            continue
        bad = [k for k in ("prompt", "completion") if not isinstance(item.get(k), str) or not item[k].strip()]
        if bad:
            problems.append(f"line {n}: {' and '.join(repr(k) for k in bad)} must be non-empty text")
            continue
        pairs.append({"prompt": item["prompt"], "completion": item["completion"]})
    if not pairs and not problems:
        problems.append('the file has no examples: write one JSON object per line, {"prompt": "...", "completion": "..."}')
    if problems:
        raise TrainingDataError(path, problems)
    return pairs


def normalise(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip().lower())
    return text.rstrip(" .!")


def similarity(answer: str, expected: str) -> float:
    """Normalised similarity in 0..1 (difflib ratio of the normalised texts)."""
    return difflib.SequenceMatcher(None, normalise(answer), normalise(expected), autojunk=False).ratio()


def derived_name(module: str) -> str:
    return f"{DERIVED_PREFIX}{module.replace('_', '-')}:latest"


async def train_module(
    name: str,
    *,
    registry: "ModuleRegistry",
    store: "Store",
    backend: "Backend | None",
    data: Path,
    validation: Path | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> TrainingRecord:
    """Build module ``name`` from ``data`` (and score it on ``validation``). Returns what was stored."""
    say = on_progress or (lambda p: None)
    module = registry.untrained(name)
    say(Progress("validating", f"reading {data}"))
    examples = read_pairs(data)
    checks = read_pairs(validation) if validation is not None else []
    base_model = registry.model_of(module)
    record = TrainingRecord(module=name, base_model=base_model, examples=examples, validation=checks)
    report: dict[str, Any] = {"examples": len(examples), "validation_examples": len(checks)}

    say(Progress("storing", f"storing {len(examples)} examples with {name}"))
    store.training.save(record)

    create = getattr(backend, "create", None)
    if create is None:
        report["derived_model"] = "not created: the model server cannot create models; the examples are sent as few-shot messages"
    else:
        target = derived_name(name)
        messages = [m for ex in examples for m in ({"role": "user", "content": ex["prompt"]}, {"role": "assistant", "content": ex["completion"]})]
        params = {k: v for k, v in module.options.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)}
        started = time.perf_counter()
        try:
            async for status in create(target, from_=base_model, system=module.system, messages=messages, parameters=params):
                say(Progress("creating", f"{target}: {status}"))
        except Exception as exc:  # noqa: BLE001 - reported; the few-shot module still works
            msg = str(exc)
            report["derived_model"] = f"not created: {msg}; the examples are sent as few-shot messages"
        else:
            record.derived_model = target
            report["derived_model"] = target
            report["create_ms"] = round((time.perf_counter() - started) * 1000, 1)
    record.report = report
    store.training.save(record)

    if checks:
        if backend is None:
            report["validation"] = "not run: no model server"
        else:
            trained = apply_training(module, record)
            report["validation"] = await evaluate(trained, registry.model_of(trained), checks, backend, say)
        record.report = report
        store.training.save(record)
    say(Progress("done", f"trained {name}"))
    return record


async def evaluate(module: Module, model: str, checks: list[dict[str, str]], backend: "Backend", say: Callable[[Progress], None]) -> dict[str, Any]:
    """Run the module on each validation prompt: exact and similarity scores, timings."""
    prefix = module.prompt_messages()
    items: list[dict[str, Any]] = []
    sims: list[float] = []
    totals: list[float] = []
    ttfts: list[float] = []
    exact = failures = 0
    for i, ex in enumerate(checks, start=1):
        say(Progress("evaluating", f"validation prompt {i} of {len(checks)}", i - 1, len(checks)))
        started, first, parts = time.perf_counter(), None, []
        try:
            async for chunk in backend.chat(model, [*prefix, {"role": "user", "content": ex["prompt"]}], options=module.options or None):
                if chunk.content and first is None:
                    first = (time.perf_counter() - started) * 1000
                parts.append(chunk.content)
        except Exception as exc:  # noqa: BLE001 - counted as a miss, with the reason
            failures += 1
            items.append({"prompt": ex["prompt"], "error": str(exc)})
            sims.append(0.0)
            continue
        total = (time.perf_counter() - started) * 1000
        answer = "".join(parts)
        hit = normalise(answer) == normalise(ex["completion"])
        sim = similarity(answer, ex["completion"])
        exact += hit
        sims.append(sim)
        totals.append(total)
        if first is not None:
            ttfts.append(first)
        items.append({"prompt": ex["prompt"], "expected": ex["completion"], "answer": answer, "exact": hit,
                      "similarity": round(sim, 4), "ms": round(total, 1)})
    say(Progress("evaluating", "validation finished", len(checks), len(checks)))
    return {
        "model": model,
        "n": len(checks),
        "exact_match": round(exact / len(checks), 4),
        "mean_similarity": round(statistics.fmean(sims), 4),
        "failures": failures,
        "p50_ms": round(statistics.median(totals), 1) if totals else None,
        "max_ms": round(max(totals), 1) if totals else None,
        "p50_ttft_ms": round(statistics.median(ttfts), 1) if ttfts else None,
        "items": items,
    }


def progress_line(p: Progress) -> str:
    count = f" [{p.done}/{p.total}]" if p.total else ""
    return f"{p.stage}{count}: {p.message}"


__all__ = ["MAX_PROBLEMS", "Progress", "TrainingDataError", "evaluate", "progress_line", "read_pairs", "similarity", "train_module"]
