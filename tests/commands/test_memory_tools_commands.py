"""/remember /forget /memory /tools without a UI: a fake memory records what is asked of it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from tests.commands.test_commands import Answers
from wits_tui.commands import CommandContext, Listing, Notice, StartMemoryJob, describe, run_command
from wits_tui.commands.memory import run_memory_job
from wits_tui.engine.memory.records import Hit, MemoryStats, MemoryStatus, PruneProgress, PruneResult, Segment


def seg(i: int, text: str) -> Segment:
    return Segment(f"id{i}", text, "note", "user", 1, None, "2025-03-04T10:30:00+00:00", "", 0, 1.0)


class FakeMemory:
    def __init__(self, state: str = "ready") -> None:
        self.status = MemoryStatus(state, "cannot read", "run `wits memory repair`" if state == "broken" else "")
        self.forgotten: list[str] = []
        self.notes: list[str] = []
        self.settings = SimpleNamespace(embedding_model="nomic-embed-text")

    def open(self):
        return self.status

    async def remember(self, text, *, session_id=None, kind="note"):
        self.notes.append(text)
        return seg(9, text)

    async def find_for_forget(self, query, limit=20):
        return [seg(1, "my dog is Rex"), seg(2, "Rex likes the beach")] if "rex" in query.lower() else []

    async def search(self, query, limit=10):
        return [Hit(seg(1, "my dog is Rex"), 0.9, similarity=0.82)]

    def forget(self, ids):
        self.forgotten += ids
        return len(ids)

    def stats(self):
        return MemoryStats(self.status, 42, 1_500_000, 512_000_000, 460_800_000, "nomic-embed-text", 768, False,
                           {"at": "2025-03-04T10:30:00", "removed": 3})

    def prune(self, strategy=None, *, progress=None, only_if_needed=False):
        progress(PruneProgress("deleting", 0, 4, 10))
        return PruneResult(strategy or "hybrid", 4, ["a"] * 4, 5_000_000, 3_000_000, 4_000_000, 1)


@pytest.fixture
def store(store, paths):
    store.paths = paths  # the Engine below needs somewhere for its error log
    return store


def ctx(store, memory, answers=()):
    from wits_tui.engine.core import Engine
    from wits_tui.settings import Settings

    engine = Engine(Settings(), store.paths, store=store)
    engine._memory = memory
    engine.settings = Settings.model_validate({"memory": {"enabled": memory is not None}})
    session = store.sessions.create("t")
    return CommandContext(engine, session.id, Answers(*answers))


def run(text, c):
    return asyncio.run(run_command(text, c))


def test_remember_stores_the_note(store):
    mem = FakeMemory()
    result = run("/remember my dog is Rex", ctx(store, mem))
    assert mem.notes == ["my dog is Rex"] and result.text == "remembered: my dog is Rex"


@pytest.mark.parametrize("yes, forgotten, text", [(True, ["id1", "id2"], "forgot 2 memories"), (False, [], "kept them")])
def test_forget_shows_what_goes_and_asks(store, yes, forgotten, text):
    mem = FakeMemory()
    c = ctx(store, mem, (yes,))
    result = run("/forget rex", c)
    assert "Forget these 2 memories?" in c.frontend.asked[0] and "Rex likes the beach" in c.frontend.asked[0]
    assert mem.forgotten == forgotten and result.text == text


def test_forget_nothing_matches_asks_nothing(store):
    c = ctx(store, FakeMemory())
    assert "nothing in memory matches" in run("/forget cats", c).text and c.frontend.asked == []


def test_memory_stats_line(store):
    result = run("/memory", ctx(store, FakeMemory()))
    assert isinstance(result, Notice) and "\n" not in result.text
    for part in ("42 segments", "1.5 MB of 512.0 MB", "last prune 2025-03-04 10:30: removed 3", "recall on"):
        assert part in result.text


def test_memory_search_lists_hits(store):
    result = run("/memory search dog", ctx(store, FakeMemory()))
    assert isinstance(result, Listing) and result.rows[0].cells == ("2025-03-04 10:30", "note", "0.82", "my dog is Rex")


def test_memory_off_and_on_per_session(store):
    from wits_tui.engine.memory.session_flags import recall_enabled

    c = ctx(store, FakeMemory())
    run("/memory off", c)
    assert not recall_enabled(store, c.session_id)
    run("/memory on", c)
    assert recall_enabled(store, c.session_id)


@pytest.mark.parametrize("text, expected", [("/memory prune", StartMemoryJob("prune")),
                                            ("/memory prune oldest_first", StartMemoryJob("prune", "oldest_first")),
                                            ("/memory reembed", StartMemoryJob("reembed"))])
def test_memory_jobs_are_started_by_the_front_end(store, text, expected):
    assert run(text, ctx(store, FakeMemory())) == expected


@pytest.mark.parametrize("text", ["/memory prune newest", "/memory frobnicate", "/memory search", "/remember"])
def test_bad_memory_arguments_are_one_line_with_usage(store, text):
    result = run(text, ctx(store, FakeMemory()))
    assert result.level == "error" and "usage:" in result.text and "\n" not in result.text


def test_memory_switched_off_or_broken(store):
    assert "switched off in the config" in run("/memory", ctx(store, None)).text
    result = run("/remember x", ctx(store, FakeMemory("broken")))
    assert result.level == "warning" and "wits memory repair" in result.text


def test_run_memory_job_reports_progress_and_result():
    seen = []
    notice = asyncio.run(run_memory_job(FakeMemory(), StartMemoryJob("prune", "oldest_first"),
                                        lambda label, fraction: seen.append((label, fraction))))
    assert seen == [("memory prune: removing 4 segments", None)]
    assert notice.text == "memory pruned (oldest_first): removed 4 segments, 5.0 MB → 3.0 MB (cap 4.0 MB)"


def test_tools_list_and_switch(store):
    c = ctx(store, None)
    listing = run("/tools", c)
    assert {r.cells[0] for r in listing.rows} >= {"calculator", "current_time"}
    assert run("/tools off calculator", c).text == "calculator is off for this session"
    assert "calculator" not in c.engine.enabled_tools(c.session_id)
    states = {r.cells[0]: r.cells[1] for r in run("/tools", c).rows}
    assert states["calculator"] == "off" and states["current_time"] == "on"
    run("/tools on calculator", c)
    assert "calculator" in c.engine.enabled_tools(c.session_id)
    assert run("/tools off nope", c).level == "error"
    assert "usage:" in run("/tools maybe calculator", c).text


def test_tool_line_descriptions():
    assert describe.tool_line("calculator", {"expression": "2+2"}, ok=True, content='{"result": "4"}',
                              duration_ms=3.2) == "⚙ calculator(expression='2+2') → 4 · 3 ms"
    bad = ('{"error": "invalid_arguments", "problems": [{"field": "expression", "problem": "Field required"}]}')
    assert describe.tool_line("calculator", {}, ok=False, content=bad, error_type="invalid_arguments") == (
        "✗ calculator: invalid_arguments (expression: Field required)")
