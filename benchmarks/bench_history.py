"""Command history: insert rate through the store API, FTS search at 1,000,000 rows."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result, percentile

TARGET_P50_MS = 5.0


def _vocabulary(rng: random.Random, n: int = 5000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(n * 2)}
    return sorted(words)[:n]


def _command(rng: random.Random, vocab: list[str]) -> str:
    # Zipf-like: a few words are very common, most are rare - like real prompts
    idx = [min(int(rng.paretovariate(1.1)) - 1, len(vocab) - 1) for _ in range(rng.randint(3, 14))]
    return " ".join(vocab[i] for i in idx)


def run(quick: bool = False) -> list[Result]:
    from wits_tui.engine.store import Store

    rows_total = 100_000 if quick else 1_000_000
    rng = random.Random(7)
    vocab = _vocabulary(rng)
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "bench.db", history_max_entries=rows_total) as store:
            # 1. insert rate through the public API (one transaction per command, as at the prompt)
            n = 5_000
            commands = [_command(rng, vocab) for _ in range(n)]
            t0 = time.perf_counter()
            for c in commands:
                store.history.add(c)
            rate_empty = n / (time.perf_counter() - t0)
            results.append(Result("history add, empty table", rate_empty, "rows/s", note="History.add, 1 transaction each"))

            # 2. fill to the full size in bulk (setup, not measured as the API rate)
            t0 = time.perf_counter()
            batch = 50_000
            with store.lock, store.db.conn:
                remaining = rows_total - store.history.count()
                while remaining > 0:
                    k = min(batch, remaining)
                    store.db.conn.executemany(
                        "INSERT INTO command_history (command, created_at) VALUES (?, '2026-01-01T00:00:00')",
                        [(_command(rng, vocab),) for _ in range(k)],
                    )
                    remaining -= k
            fill_s = time.perf_counter() - t0
            assert store.history.count() == rows_total

            # 3. insert rate at full size (the cap trims one old row per insert)
            t0 = time.perf_counter()
            for c in commands[:2000]:
                store.history.add(c + " again")
            rate_full = 2000 / (time.perf_counter() - t0)
            results.append(Result(f"history add at {rows_total:,} rows (cap trimming)", rate_full, "rows/s",
                                  note=f"bulk fill took {fill_s:.1f} s"))

            # 4. search latency: common words, rare words, prefixes, two-word queries
            queries = []
            for _ in range(100):
                queries.append(vocab[min(int(rng.paretovariate(1.1)) - 1, len(vocab) - 1)])
                queries.append(rng.choice(vocab))
                queries.append(rng.choice(vocab)[:3])
                queries.append(f"{vocab[rng.randrange(20)]} {rng.choice(vocab)}")
            for q in queries[:20]:
                store.history.search(q, 20)
            times = []
            for q in queries:
                t0 = time.perf_counter()
                store.history.search(q, 20)
                times.append((time.perf_counter() - t0) * 1000)
            p50, p95 = percentile(times, 50), percentile(times, 95)
            results.append(Result(f"history FTS search p50 at {rows_total:,} rows", p50, "ms", f"< {TARGET_P50_MS:.0f} ms",
                                  p50 < TARGET_P50_MS, f"{len(queries)} queries: common, rare, prefix, two-word; top 20"))
            results.append(Result(f"history FTS search p95 at {rows_total:,} rows", p95, "ms", note=f"max {max(times):.1f} ms"))
    return results
