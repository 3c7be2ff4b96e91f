"""Long-term memory: recall latency at 10k/100k segments, index recall@10, write rate, a pruning soak,
and what recall adds to a turn (through the scripted Ollama server).

Vectors for the latency and index figures are random unit vectors (fine for latency and for
index-vs-exact recall; they say nothing about answer quality). Texts are random words.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import Result, percentile

RECALL_P50_MS = 15.0
WORDS = [f"w{i}" for i in range(5000)]


def _rows(n, dim, rng, np_rng, clustered=False):
    """Unit vectors: uniformly random, or around 1,000 topic centres (as real embeddings are:
    in uniform high-dimensional data every point is nearly orthogonal to every other, so the
    "true" neighbours after the first are arbitrary and no approximate index can match them)."""
    import numpy as np

    if clustered:
        centres = np_rng.standard_normal((1000, dim)).astype("float32")
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        vecs = centres[np_rng.integers(0, 1000, n)] + np_rng.standard_normal((n, dim)).astype("float32") * (0.7 / dim ** 0.5)
    else:
        vecs = np_rng.standard_normal((n, dim)).astype("float32")
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    now = datetime.now(UTC)
    return [
        {"id": uuid.uuid4().hex, "text": " ".join(rng.choices(WORDS, k=40)), "kind": "turn", "role": "exchange",
         "session_id": 1, "message_id": i, "created_at": now, "last_accessed_at": now, "access_count": 0,
         "relevance": 0.5, "embed_model": "bench", "vector": vecs[i]}
        for i in range(n)
    ], vecs


def _memory(directory: Path, **settings):
    from wits_tui.engine.memory import Memory
    from wits_tui.settings import MemorySettings

    m = Memory(MemorySettings(**settings), directory, backend=None)
    m.open()
    return m


def _recall_figures(n: int, dim: int, results: list[Result], clustered: bool = True) -> None:
    import numpy as np

    rng, np_rng = random.Random(n + dim), np.random.default_rng(n + dim)
    with tempfile.TemporaryDirectory() as tmp:
        m = _memory(Path(tmp) / "memory")
        rows, vecs = _rows(n, dim, rng, np_rng, clustered)
        t0 = time.perf_counter()
        with m.store.lock:
            m.store.create_table(dim, "bench")
            for i in range(0, n, 5000):
                m.store.add(rows[i : i + 5000])
        write_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        built = m.store.ensure_vector_index(m.settings.index_min_rows)
        m.store.compact()  # what Memory.maintain() does after writes: fold rows into the FTS index
        index_s = time.perf_counter() - t0
        # a stored vector plus noise of norm ~0.5: a query with real neighbours (pure noise has none)
        queries = [vecs[rng.randrange(n)] + (0.5 / dim ** 0.5) * np_rng.standard_normal(dim).astype("float32") for _ in range(60)]
        texts = [" ".join(rng.choices(WORDS, k=6)) for _ in range(60)]
        times, agree = [], []
        for q, t in zip(queries, texts):
            s = time.perf_counter()
            m._search(t, list(q), 20)
            times.append((time.perf_counter() - s) * 1000)
            if built:
                approx = {seg.id for seg, _ in m.store.vector_search(list(q), 10)}
                exact = {seg.id for seg, _ in m.store.vector_search(list(q), 10, exact=True)}
                agree.append(len(approx & exact) / 10)
        times = times[5:]  # warm-up
        label = f"recall (vector+FTS), {n:,} x {dim}d" + ("" if clustered else " uniform")
        note = f"index built in {index_s:.1f} s" if built else "exact search (below index_min_rows)"
        p50 = percentile(times, 50)
        target = n >= 100_000
        results.append(Result(f"{label}, p50", p50, "ms", f"< {RECALL_P50_MS:g} ms" if target else "", p50 < RECALL_P50_MS if target else None, note))
        results.append(Result(f"{label}, p95", percentile(times, 95), "ms"))
        if agree:
            r = sum(agree) / len(agree)
            if clustered:
                results.append(Result(f"index recall@10 vs exact, {n:,} x {dim}d", r, "", ">= 0.9", r >= 0.9, "clustered vectors"))
            else:
                results.append(Result(f"index recall@10 vs exact, {n:,} x {dim}d uniform", r, "",
                                      note="uniformly random vectors: neighbours after the first are arbitrary ties"))
        results.append(Result(f"bulk add, {n:,} x {dim}d", n / write_s, "rows/s", note="5,000-row batches"))
        m.close()


def _write_rate(results: list[Result]) -> None:
    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        m = _memory(Path(tmp) / "memory", enable_auto_pruning=False)
        rows, _ = _rows(3200, 768, random.Random(1), np.random.default_rng(1))
        t0 = time.perf_counter()
        for i in range(0, len(rows), 32):
            m._write(rows[i : i + 32], 768)
        results.append(Result("write, batches of 32 turns (768d)", len(rows) / (time.perf_counter() - t0), "rows/s",
                              note="Memory._write: one LanceDB add per batch"))
        m.close()


def _soak(results: list[Result], cap_mb: float) -> None:
    import numpy as np

    from wits_tui.engine.memory.store import directory_bytes

    with tempfile.TemporaryDirectory() as tmp:
        m = _memory(Path(tmp) / "memory", max_memory_size_mb=cap_mb, pruning_threshold=0.9)
        prunes: list = []
        m.on_prune = prunes.append
        cap = cap_mb * 1e6
        rng, np_rng = random.Random(3), np.random.default_rng(3)
        sampled, stop = [0], threading.Event()

        def sample():
            while not stop.is_set():
                sampled[0] = max(sampled[0], directory_bytes(m.directory))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        written, after_writes = 0, []
        t0 = time.perf_counter()
        while written < 10 * cap:
            rows, _ = _rows(64, 768, rng, np_rng)
            m._write(rows, 768)
            written += 64 * (768 * 4 + 300)
            after_writes.append(directory_bytes(m.directory))
        stop.set()
        sampler.join()
        after_prunes = [p.size_after for p in prunes]
        results.append(Result(f"soak {cap_mb:g} MB cap x10: max size after each write", max(after_writes) / 1e6, "MB",
                              f"<= {1.1 * cap_mb:g} MB", max(after_writes) <= 1.1 * cap, f"{len(prunes)} prunes, {time.perf_counter() - t0:.0f} s"))
        results.append(Result("soak: max size after each prune", max(after_prunes) / 1e6 if after_prunes else 0, "MB",
                              f"<= {1.1 * cap_mb:g} MB", bool(after_prunes) and max(after_prunes) <= 1.1 * cap,
                              "after: " + ", ".join(f"{s / 1e6:.1f}" for s in after_prunes[:12]) + (" ..." if len(after_prunes) > 12 else "")))
        results.append(Result("soak: max size sampled every 10 ms (incl. mid-compaction)", sampled[0] / 1e6, "MB",
                              f"<= {1.1 * cap_mb:g} MB", sampled[0] <= 1.1 * cap))
        m.close()


def _turn_overhead(results: list[Result], n: int) -> None:
    """recall() end to end (embedding the question through /api/embed + both searches) at n segments."""
    import numpy as np

    from tests.fakes.ollama_server import ScriptedOllama
    from wits_tui.engine.backends.ollama import OllamaBackend
    from wits_tui.engine.memory import Memory
    from wits_tui.settings import MemorySettings, OllamaSettings

    with ScriptedOllama() as server, tempfile.TemporaryDirectory() as tmp:
        server.add_model("nomic-embed-text", capabilities=["embedding"], embedding_dim=768)
        m = Memory(MemorySettings(), Path(tmp) / "memory", OllamaBackend(OllamaSettings(host=server.host)))
        m.open()
        rows, _ = _rows(n, 768, random.Random(5), np.random.default_rng(5))
        with m.store.lock:
            m.store.create_table(768, "nomic-embed-text")
            for i in range(0, n, 5000):
                m.store.add(rows[i : i + 5000])
        m.store.ensure_vector_index(m.settings.index_min_rows)
        m.store.compact()
        rng = random.Random(9)

        async def go():
            times = []
            for i in range(40):
                q = f"what did I say about {' '.join(rng.choices(WORDS, k=5))} number {i}"
                s = time.perf_counter()
                await m.recall(q)
                times.append((time.perf_counter() - s) * 1000)
            await m.embedder.backend.close()
            return times[5:]

        times = asyncio.run(go())
        m.wait_idle()
        p50 = percentile(times, 50)
        results.append(Result(f"memory added to a turn (recall incl. /api/embed), {n:,} x 768d, p50", p50, "ms", "< 20 ms", p50 < 20,
                              "scripted server; a real embedding model adds its own time"))
        results.append(Result("  same, p95", percentile(times, 95), "ms"))
        m.close()


def run(quick: bool = False) -> list[Result]:
    results: list[Result] = []
    sizes = [10_000] if quick else [10_000, 100_000]
    for n in sizes:
        for dim in (768, 384):
            _recall_figures(n, dim, results)
    _recall_figures(sizes[-1], 384, results, clustered=False)  # for contrast: what uniform random data gives
    _write_rate(results)
    _soak(results, cap_mb=5 if quick else 20)
    _turn_overhead(results, 10_000 if quick else 100_000)
    return results
