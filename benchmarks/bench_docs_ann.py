"""Document search through the approximate vector index, on real embeddings.

The quality corpus of ``bench_docs`` (stdlib source embedded with all-MiniLM-L6-v2) stays below
``docs.index_min_rows``, so its searches are exact; a collection of 20,000 passages or more is
searched through an HNSW index with 8-bit scalar quantization and no re-ranking. Here a copy of
that corpus gets the index a big collection gets (``PassageStore.optimize``: the same partition
rule and search depth), and the labelled questions are searched both ways: recall@5 (hybrid and
vector only) exact and through the index, and how many of the exact nearest vector rows (as many
as a search reads) the index finds. Runs after the quality rows (it reads their index; ``WITS_BENCH_DOCS_DIR`` as there).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result

NAMES = ("recall@5 hybrid, vector index", "recall@5 vector only, vector index", "vector rows: exact nearest found by the index")


def _search_all(docs, labelled, qvecs) -> tuple[dict[str, int], list[list[str]]]:
    from benchmarks.bench_docs import answered
    from wits_tui.engine.docs import retrieval

    hits = {"hybrid": 0, "vector": 0}
    nearest = []
    for r, v in zip(labelled, qvecs):
        by_meaning, by_text = docs.search_sync(["py"], r["question"], v, 20)
        nearest.append([row["id"] for row, _ in by_meaning])
        for name, found in (("hybrid", retrieval.fuse(by_meaning, by_text, fetch=docs.passages.fetch, limit=5)),
                            ("vector", retrieval.fuse(by_meaning, [], fetch=docs.passages.fetch, limit=5))):
            hits[name] += answered(r, found)
    return hits, nearest


def ann_recall(quick: bool = False) -> list[Result]:
    from benchmarks.bench_docs import QUESTIONS, _docs, _minilm

    source = Path(os.environ.get("WITS_BENCH_DOCS_DIR", Path(tempfile.gettempdir()) / "wits-bench-docs-quality"))
    model = None if quick else _minilm()
    if model is None or not (source / "docs").is_dir():
        why = "skipped: quick run" if quick else "skipped: needs .venv-bench and the quality rows' index (run them first)"
        return [Result(n, math.nan, "%", "", None, why) for n in NAMES]
    from wits_tui.engine.store import Store

    labelled = [json.loads(line) for line in QUESTIONS.read_text().splitlines()]
    qvecs = model.encode([r["question"] for r in labelled], normalize_embeddings=True).tolist()
    with tempfile.TemporaryDirectory(prefix="wits-bench-ann-") as tmp_name:
        tmp = Path(tmp_name)
        shutil.copytree(source / "docs", tmp / "docs")
        with sqlite3.connect(source / "q.db") as src, sqlite3.connect(tmp / "q.db") as dst:
            src.backup(dst)  # the collection's catalog, as the quality run left it
        with Store(tmp / "q.db") as store:
            docs = _docs(tmp, "http://127.0.0.1:9", store, embedding_model="all-minilm")  # searches take the vectors given
            passages = docs.open_store()
            exact, exact_near = _search_all(docs, labelled, qvecs)
            rows = passages._table.count_rows()
            passages.index_min_rows = 0  # the index a collection past docs.index_min_rows gets
            passages.save_meta(unfolded=True, indexed=False)
            t0 = time.perf_counter()
            passages.optimize()
            build_s = time.perf_counter() - t0
            ann, ann_near = _search_all(docs, labelled, qvecs)
            docs.close()
    found = sum(len(set(a) & set(e)) for a, e in zip(ann_near, exact_near)) / max(1, sum(len(e) for e in exact_near))
    n = len(labelled)
    note = (f"{rows} vector rows, {passages.meta.get('nprobes')} partition(s), built in {build_s:.0f} s; "
            "exact search: hybrid {:.1f}, vector {:.1f}".format(exact["hybrid"] / n * 100, exact["vector"] / n * 100))
    return [Result(NAMES[0], ann["hybrid"] / n * 100, "%", "", None, note),
            Result(NAMES[1], ann["vector"] / n * 100, "%", "", None, "all-MiniLM-L6-v2"),
            Result(NAMES[2], found * 100, "%", "", None, f"{len(exact_near[0])} rows per question, ids compared")]
