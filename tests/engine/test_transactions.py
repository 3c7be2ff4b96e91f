"""Multi-statement writes are all or nothing (issue 21 item 4): failures injected halfway
with SQLite triggers on the real database, and the crashing import files of the probe."""

from __future__ import annotations

import json

import pytest

from wits_tui.engine import transfer


def _session(store):
    s = store.sessions.create("a session")
    for i in range(3):
        m = store.messages.append(s.id, "user", f"question {i}")
        store.messages.append(s.id, "assistant", f"answer {i}")
        store.recordings.add(s.id, i + 1, 1, 1.0, "turn_started", {"message_id": m.id})
        store.recordings.add(s.id, i + 1, 2, 2.0, "turn_done", {"message_id": m.id})
        store.metrics.record(s.id, m.id, model="m", prompt_tokens=10)
    return s


def _counts(store) -> tuple[int, ...]:
    q = lambda t: store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: E731
    return q("sessions"), q("messages"), q("turn_events"), q("turn_metrics")


def _fail_on(store, table: str, op: str, when: str = "1") -> None:
    store.db.conn.execute(
        f"CREATE TEMP TRIGGER wits_test_fail BEFORE {op} ON {table} WHEN {when} "
        f"BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    )


def test_an_import_failing_halfway_leaves_nothing(store):
    exported = transfer.export_json(store, _session(store).id)
    before = _counts(store)
    _fail_on(store, "turn_events", "INSERT", "NEW.turn = 2")  # messages and some events are in by then
    with pytest.raises(transfer.ImportProblem, match="events"):
        transfer.import_session(store, exported)
    assert _counts(store) == before  # the old code kept the session, its messages and the first events
    store.db.conn.execute("DROP TRIGGER wits_test_fail")
    transfer.import_session(store, exported)
    assert _counts(store)[0] == before[0] + 1


def _crashing(exported: dict) -> dict[str, str]:
    big_turn = json.loads(json.dumps(exported))
    big_turn["events"][0]["turn"] = 2**64
    big_tokens = json.loads(json.dumps(exported))
    big_tokens["metrics"][0]["prompt_tokens"] = 2**64
    text = json.dumps(exported)
    surrogate = text.replace('"question 1"', '"question \\ud800 1"')
    deep = text.replace('"data": {', '"data": {"deep": ' + "[" * 5000 + "]" * 5000 + ", ", 1)
    return {"turn": json.dumps(big_turn), "tokens": json.dumps(big_tokens), "surrogate": surrogate, "deep": deep}


@pytest.mark.parametrize("case", ["turn", "tokens", "surrogate", "deep"])
def test_the_probes_crashing_imports_are_refused_whole_with_a_message(store, case):
    exported = transfer.export_dict(store, _session(store).id)
    before = _counts(store)
    with pytest.raises(transfer.ImportProblem) as err:
        transfer.import_session(store, _crashing(exported)[case], "probe.json")
    assert "probe.json" in str(err.value)
    assert _counts(store) == before


def test_clearing_a_session_failing_halfway_deletes_nothing(store):
    s = _session(store)
    before = _counts(store)
    _fail_on(store, "messages", "DELETE")  # metrics and events are deleted first
    with pytest.raises(Exception, match="injected failure"):
        store.messages.clear(s.id)
    assert _counts(store) == before  # the old code lost the events and metrics, kept the messages


def test_deleting_a_session_failing_halfway_deletes_nothing(store):
    s = _session(store)
    before = _counts(store)
    _fail_on(store, "sessions", "DELETE")
    with pytest.raises(Exception, match="injected failure"):
        store.sessions.delete(s.id)
    assert _counts(store) == before
