"""/module /feedback /profile /train /replay without any UI, on a real store and router."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from wits_tui.commands import CommandContext, Listing, Notice, StartReplay, StartTraining, SwitchModule, run_command
from wits_tui.settings import Settings


class NoAsk:
    async def confirm(self, question: str) -> bool:  # pragma: no cover - these commands never ask
        raise AssertionError(question)


@pytest.fixture
def engine(paths, store):
    from wits_tui.engine.core import Engine

    settings = Settings.model_validate({"ollama": {"host": "http://127.0.0.1:9"}, "chat": {"default_model": "m"}})
    return Engine(settings, paths, store=store)


def run(text: str, engine, session_id, tmp_path: Path | None = None):
    ctx = CommandContext(engine, session_id, NoAsk(), **({"export_dir": tmp_path} if tmp_path else {}))
    return asyncio.run(run_command(text, ctx))


def test_module_by_name_key_and_auto(engine, store):
    sid = store.sessions.create("s").id
    assert run("/module math_expert", engine, sid) == SwitchModule("math_expert", "module math_expert answers in this session")
    assert store.sessions.get(sid).pinned_module == "math_expert"
    assert run("/module 1", engine, sid).module == "code_expert"
    assert store.sessions.get(sid).pinned_module == "code_expert"
    assert run("/module auto", engine, sid).module is None
    assert store.sessions.get(sid).pinned_module is None
    shown = run("/module", engine, sid)
    assert isinstance(shown, Notice) and shown.text.startswith("module: auto") and "1 code_expert" in shown.text


def test_module_unknown_is_an_error_and_changes_nothing(engine, store):
    sid = store.sessions.create("s").id
    result = run("/module nonsense", engine, sid)
    assert isinstance(result, Notice) and result.level == "error" and "nonsense" in result.text
    assert store.sessions.get(sid).pinned_module is None


def test_feedback_goes_to_the_module_of_the_last_answer(engine, store):
    sid = store.sessions.create("s").id
    store.messages.append(sid, "user", "q")
    store.messages.append(sid, "assistant", "a", module="math_expert")
    store.messages.append(sid, "user", "q2")
    store.messages.append(sid, "assistant", "b", module="code_expert")
    assert run("/feedback good", engine, sid) == Notice("noted: good answer from code_expert")
    assert run("/feedback -", engine, sid).text == "noted: bad answer from code_expert"
    profile = engine.router.profile()
    assert profile.feedback_positive == 1 and profile.feedback_negative == 1
    bad = run("/feedback great", engine, sid)
    assert bad.level == "error" and "good, bad or neutral" in bad.text


def test_feedback_without_a_routed_answer(engine, store):
    sid = store.sessions.create("s").id
    assert run("/feedback good", engine, sid).level == "warning"
    store.messages.append(sid, "assistant", "old answer")  # before routing: no module
    assert "not routed" in run("/feedback good", engine, sid).text


def test_profile_lists_what_was_learnt(engine, store):
    sid = store.sessions.create("s").id
    store.messages.append(sid, "assistant", "a", module="code_expert")
    run("/feedback good", engine, sid)
    listing = run("/profile", engine, sid)
    assert isinstance(listing, Listing)
    rows = {r.cells[0]: r.cells[1] for r in listing.rows}
    assert rows["feedback"].startswith("1 good") and "code_expert" in rows["modules"]


def test_train_checks_module_and_files(engine, store, tmp_path):
    sid = store.sessions.create("s").id
    data = tmp_path / "data.jsonl"
    data.write_text('{"prompt": "a", "completion": "b"}\n')
    assert run("/train 2 data.jsonl", engine, sid, tmp_path) == StartTraining("math_expert", data, None)
    missing = run("/train math_expert nope.jsonl", engine, sid, tmp_path)
    assert missing.level == "error" and "nope.jsonl" in missing.text
    assert run("/train nonsense data.jsonl", engine, sid, tmp_path).level == "error"
    assert "usage" in run("/train math_expert", engine, sid, tmp_path).text


def test_replay_needs_a_recording(engine, store):
    sid = store.sessions.create("first").id
    assert "nothing recorded" in run("/replay", engine, sid).text
    store.recordings.add(sid, 1, 1, 0.0, "user", {"text": "hi"})
    assert run("/replay", engine, sid) == StartReplay(sid, 1.0)
    assert run(f"/replay {sid} 0", engine, None) == StartReplay(sid, 0.0)
    assert run("/replay first 2x", engine, None) == StartReplay(sid, 2.0)
    assert run("/replay nosuch", engine, sid).level == "error"
