"""Tuning retrieval on its own question set (``benchmarks/data/docs_tuning.jsonl``), never on the
evaluation set of ``bench_docs``: recall@5 per embedding recipe (``embed_text.MODE``) and per
fusion weight. Needs the MiniLM venv (see ``bench_docs``).

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 python -m benchmarks.tune_docs [MODE[@CHUNK_TOKENS] ...]

With ``WITS_BENCH_DOCS_DIR`` set, every variant uses that directory: its embedding cache makes a
variant that embeds mostly the same texts cost seconds instead of minutes (the index is made again
whenever the variant differs from the last one run there).
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks import bench_docs
from benchmarks.common import print_table

TUNING = Path(__file__).resolve().parent / "data" / "docs_tuning.jsonl"
#: Distractors: every module of these packages (none of them is in the evaluation corpus).
PACKAGES = ("http", "xml/dom", "importlib", "concurrent")
WEIGHTS = (0.25, 0.75, 1.0)


def main(modes: list[str]) -> None:
    from wits_tui.engine.docs import embed_text

    for variant in modes:  # "outline" or "outline@200" (with docs.chunk_tokens = 200)
        mode, _, tokens = variant.partition("@")
        embed_text.MODE = mode
        embed_text.SCHEME = f"tuning-{embed_text.SCHEME}-{variant}"  # a new recipe indexes again
        extra = {"chunk_tokens": int(tokens)} if tokens else {}
        rows = bench_docs._quality(False, TUNING, PACKAGES, f"wits-tune-docs-{variant}", WEIGHTS, **extra)
        for r in rows:
            r.name = f"{variant}: {r.name}"
        print_table(rows)


if __name__ == "__main__":
    main(sys.argv[1:] or ["plain", "outline"])
