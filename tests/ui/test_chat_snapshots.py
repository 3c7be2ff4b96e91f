"""A long corpus answer (nested lists, code, a table) as a person sees it at 80, 120 and 200 columns."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.ui.conftest import ready, seed, settled, wait_for

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.corpus import answer  # noqa: E402

SEED = 13  # ends with nested bullets, two rust blocks, a list and a four-column table


@pytest.mark.parametrize("width", [80, 120, 200])
def test_long_corpus_answer(snap_compare, make_app, app_paths, width: int) -> None:
    seed(app_paths, [("user", "How do I count words in Rust?"), ("assistant", answer(1000, SEED))], title="Rust")

    async def settle(pilot) -> None:
        app = await ready(pilot)
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
        await settled(pilot)

    assert snap_compare(make_app(), terminal_size=(width, 50), run_before=settle)
