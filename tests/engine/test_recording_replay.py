from __future__ import annotations

import asyncio
import json

import pytest

from tests.engine.conftest import CHAT, make_engine
from tests.engine.test_turn import collect
from tests.fakes.ollama_server import Reply
from wits_tui.engine import transfer
from wits_tui.engine.events import ContextInfo, Fallback, Token, TurnDone, TurnError, TurnStarted
from wits_tui.engine.replay import Note, Player, ReplayTurn, to_turns


def kinds_of(store, sid):
    return [(r.turn, r.kind) for r in store.recordings.for_session(sid)]


def test_recording_captures_every_event_kind(paths, server):
    server.add_model("backup")
    server.script("backup", Reply(text="from the backup"), Reply(status=500, error="runner crashed"))
    engine = make_engine(paths, server.host, default_model="absent", fallback_models=["backup"], max_fallback_attempts=1)
    s = engine.store.sessions.create()
    collect(engine, s.id, "first")  # absent -> fallback -> backup answers
    collect(engine, s.id, "second")  # absent -> fallback -> backup crashes -> error
    rows = kinds_of(engine.store, s.id)
    assert rows == [
        (1, "user"), (1, "turn_started"), (1, "context"), (1, "fallback"), (1, "turn_started"), (1, "context"), (1, "tokens"),
        (1, "context"), (1, "done"),
        (2, "user"), (2, "turn_started"), (2, "context"), (2, "fallback"), (2, "turn_started"), (2, "context"), (2, "error"),
    ]
    turns = to_turns(engine.store.recordings.for_session(s.id))
    first = [item for _, item in turns[0].items]
    assert isinstance(first[0], Note) and first[0].data["text"] == "first"
    kinds = [type(i) for i in first if not isinstance(i, (Token, ContextInfo))][1:]
    assert kinds == [TurnStarted, Fallback, TurnStarted, TurnDone]
    assert "".join(i.text for i in first if isinstance(i, Token)) == "from the backup"
    assert isinstance(turns[1].items[-1][1], TurnError)


def test_tokens_are_coalesced_but_keep_their_own_timing(engine, server):
    server.script(CHAT, Reply(tokens=[f"t{i} " for i in range(30)], tokens_per_second=40))  # 0.75 s of tokens
    s = engine.store.sessions.create()
    collect(engine, s.id, "pace me")
    rows = [r for r in engine.store.recordings.for_session(s.id) if r.kind == "tokens"]
    assert 2 <= len(rows) <= 6  # ~one row per 250 ms, not one per token
    offsets = [t for r in rows for t, _ in r.data["d"]]
    texts = [x for r in rows for _, x in r.data["d"]]
    assert texts == [f"t{i} " for i in range(30)]
    assert offsets == sorted(offsets) and offsets[-1] - offsets[0] >= 600


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.hooks = []

    def clock(self):
        return self.now

    async def sleep(self, seconds):
        self.now += seconds
        for hook in list(self.hooks):
            hook(self)


def _turns():
    a = ReplayTurn(1, [(0.0, Note("user", {"text": "q1"})), (100.0, Token("a")), (300.0, Token("b")), (1000.0, Token("c"))])
    b = ReplayTurn(2, [(0.0, Note("user", {"text": "q2"})), (500.0, Token("d"))])
    return [a, b]


def play(player, fake):
    async def go():
        return [(round(fake.now, 3), turn, getattr(item, "text", None)) async for turn, item in player.items()]

    return asyncio.run(go())


@pytest.mark.parametrize(("speed", "expected"), [(1, [0, 0.1, 0.3, 1.0]), (2, [0, 0.05, 0.15, 0.5]), (0, [0, 0, 0, 0])])
def test_replay_reproduces_pacing_scaled_by_speed(speed, expected):
    fake = FakeTime()
    played = play(Player(_turns(), speed=speed, clock=fake.clock, sleep=fake.sleep), fake)
    times = [t for t, turn, _ in played if turn == 1]
    assert times == pytest.approx(expected, abs=1e-6)
    assert [x for _, _, x in played] == [None, "a", "b", "c", None, "d"]


def test_pause_holds_playback_and_resume_continues_where_it_was():
    fake = FakeTime()
    player = Player(_turns(), speed=1, clock=fake.clock, sleep=fake.sleep)
    events = []

    async def go():
        async for _turn, item in player.items():
            events.append((round(fake.now, 3), getattr(item, "text", None)))
            if getattr(item, "text", None) == "a":
                player.pause()
                fake.hooks.append(lambda f: player.resume() if f.now >= 2.1 else None)

    asyncio.run(go())
    times = dict((x, t) for t, x in events if x)
    assert times["a"] == pytest.approx(0.1)
    # "b" was due 0.2 s after "a"; the 2 s pause pushes it back by the pause
    assert times["b"] == pytest.approx(2.1 + 0.2, abs=0.06)
    assert player.toggle() is True and player.toggle() is False


def test_step_plays_one_turn_then_pauses():
    fake = FakeTime()
    player = Player(_turns(), speed=0, clock=fake.clock, sleep=fake.sleep)
    player.step()
    seen = []

    def later(f):
        if f.now >= 1.0 and player.paused:
            seen.append(("stepped at", round(f.now, 2)))
            player.step()

    fake.hooks.append(later)
    played = play(player, fake)
    assert [turn for _, turn, _ in played] == [1, 1, 1, 1, 2, 2]
    assert played[4][0] >= 1.0  # turn 2 only after the second step
    assert player.paused  # and it paused again after turn 2


def test_negative_speed_is_refused():
    with pytest.raises(ValueError, match="speed"):
        Player([], speed=-1)


def _normalised(data):
    data = json.loads(json.dumps(data))
    data.pop("exported_at")
    data["session"].pop("id")
    index = {m["id"]: i for i, m in enumerate(data["messages"])}
    for m in data["messages"]:
        m.pop("id")
    for e in data["events"]:
        for key in ("message_id", "user_message_id"):
            if key in e["data"]:
                e["data"][key] = index.get(e["data"][key])
        e["data"].pop("session_id", None)
    for metric in data["metrics"]:
        metric["message_id"] = index.get(metric["message_id"])
    return data


def test_json_export_import_round_trip_loses_nothing(paths, server):
    server.script(CHAT, Reply(text="```python\nprint('hi')\n```"), Reply(text="x y z", error_after=2, error="boom"))
    engine = make_engine(paths, server.host)
    s = engine.store.sessions.create()
    collect(engine, s.id, "code please")
    collect(engine, s.id, "and fail")
    first = transfer.export_dict(engine.store, s.id)
    assert len(first["events"]) >= 8 and len(first["metrics"]) == 2
    new_id = transfer.import_session(engine.store, transfer.export_json(engine.store, s.id))
    assert new_id != s.id
    second = transfer.export_dict(engine.store, new_id)
    assert _normalised(second) == _normalised(first)
    # the imported session replays too
    assert len(to_turns(engine.store.recordings.for_session(new_id))) == 2


def test_markdown_and_html_exports(engine, server):
    server.script(CHAT, Reply(text="Use `len()`:\n\n```python\nlen('abc')\n```\n"))
    s = engine.store.sessions.create()
    collect(engine, s.id, "How long is <abc>?")
    md = transfer.export_markdown(engine.store, s.id)
    assert "## You\n\nHow long is <abc>?" in md and "```python\nlen('abc')\n```" in md
    page = transfer.export_html(engine.store, s.id)
    assert page.startswith("<!doctype html>") and "&lt;abc&gt;" in page and '<code class="language-python">' in page
    assert "<script" not in page and "src=" not in page and "href=" not in page


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"format": "wits-session",\n "version": 1,\n}', "line 3"),
        ('{"format": "other", "version": 1, "exported_at": "x", "session": {}, "messages": []}', "format"),
        (
            '{"format": "wits-session", "version": 1, "exported_at": "x", "session": {"id": 1, "title": "t", '
            '"created_at": "a", "updated_at": "b"}, "messages": [{"id": 1, "role": "robot", "content": "", '
            '"status": "complete", "created_at": "a", "updated_at": "a"}]}',
            "messages[0].role",
        ),
        (
            '{"format": "wits-session", "version": 1, "exported_at": "x", "session": {"id": 1, "title": "t", '
            '"created_at": "a", "updated_at": "b"}, "messages": [], "metrics": [{"created_at": "a", "x; DROP TABLE sessions": 1}]}',
            "metrics[0]",
        ),
    ],
)
def test_a_corrupted_import_names_the_problem_and_imports_nothing(store, text, fragment):
    store.sessions.create("existing")
    with pytest.raises(transfer.ImportProblem) as info:
        transfer.import_session(store, text, "bad.json")
    assert "bad.json" in str(info.value) and fragment in str(info.value)
    assert [s.title for s in store.sessions.list()] == ["existing"]
