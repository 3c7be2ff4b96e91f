from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from wits_tui.engine.store import SessionNotFound, Store


def test_database_is_one_wal_file(store, paths):
    assert store.path == paths.database and paths.database.exists()
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_session_lifecycle(store):
    a = store.sessions.create("First")
    b = store.sessions.create()
    assert b.title == "New chat"
    store.messages.append(a.id, "user", "hello")  # touches a: now the newest
    assert [s.id for s in store.sessions.list()] == [a.id, b.id]
    assert store.sessions.list()[0].message_count == 1

    assert store.sessions.rename(b.id, "  Second  ").title == "Second"
    with pytest.raises(ValueError):
        store.sessions.rename(b.id, "   ")

    store.sessions.set_archived(b.id)
    assert [s.id for s in store.sessions.list()] == [a.id]
    assert {s.id for s in store.sessions.list(include_archived=True)} == {a.id, b.id}

    store.sessions.switch(a.id)
    assert store.sessions.active_id() == a.id
    store.sessions.delete(a.id)
    assert store.sessions.active_id() is None
    assert store.messages.list(a.id) == []
    with pytest.raises(SessionNotFound):
        store.sessions.get(a.id)


def test_find_by_id_title_and_prefix(store):
    s = store.sessions.create("Rust lifetimes")
    store.sessions.create("100% coverage_plan")
    assert store.sessions.find(str(s.id)).id == s.id
    assert store.sessions.find("rust LIFETIMES").id == s.id
    assert store.sessions.find("rust").id == s.id
    assert store.sessions.find("100%").title == "100% coverage_plan"
    with pytest.raises(SessionNotFound, match="wits sessions list"):
        store.sessions.find("nothing like this")


def test_active_session_is_remembered_across_opens(paths):
    with Store(paths.database) as s:
        chosen = s.sessions.create("keep me")
        s.sessions.create("newer")
        s.sessions.switch(chosen.id)
    with Store(paths.database) as s:
        assert s.sessions.active().id == chosen.id


def test_active_creates_a_session_when_there_is_none(store):
    assert store.sessions.active(create=False) is None
    s = store.sessions.active()
    assert store.sessions.active_id() == s.id


def test_messages_append_update_and_tail(store):
    s = store.sessions.create()
    ids = [store.messages.append(s.id, "user" if i % 2 == 0 else "assistant", f"m{i}").id for i in range(10)]
    assert [m.content for m in store.messages.list(s.id, limit=3)] == ["m7", "m8", "m9"]
    assert [m.content for m in store.messages.list(s.id, limit=2, before_id=ids[7])] == ["m5", "m6"]
    store.messages.update(ids[9], content="partial", status="interrupted", model="llama3.2")
    m = store.messages.get(ids[9])
    assert (m.content, m.status, m.model) == ("partial", "interrupted", "llama3.2")
    assert store.messages.count(s.id) == 10
    with pytest.raises(ValueError, match="status"):
        store.messages.append(s.id, "user", "x", status="bogus")


def test_message_full_text_search(store):
    s = store.sessions.create()
    store.messages.append(s.id, "user", "How do I reverse a linked list in Rust?")
    store.messages.append(s.id, "assistant", "Use an iterator over the nodes.")
    hit = store.messages.search("linked rust")
    assert [m.content for m in hit] == ["How do I reverse a linked list in Rust?"]
    m = store.messages.search("iterat")[0]
    store.messages.update(m.id, content="Rewritten answer")
    assert store.messages.search("iterator") == []
    assert store.messages.search("rewritten")[0].id == m.id


def test_history_add_recent_search_and_dedupe(store):
    for cmd in ["/model llama3.2", "explain python decorators", "explain python decorators", "  ", "/new rust"]:
        store.history.add(cmd)
    assert [e.command for e in store.history.recent()] == ["/new rust", "explain python decorators", "/model llama3.2"]
    assert [e.command for e in store.history.search("decor")] == ["explain python decorators"]
    assert [e.command for e in store.history.search("llama3")] == ["/model llama3.2"]
    # characters that are FTS5 syntax are searched as text, never an error
    for nasty in ['"', "a OR", "NEAR(", "-x", "col:umn", "*"]:
        store.history.search(nasty)
    assert store.history.search("   ") == []


def test_history_is_trimmed_to_the_cap(paths):
    with Store(paths.database, history_max_entries=50) as s:
        for i in range(130):
            s.history.add(f"command number {i}")
        assert s.history.count() == 50
        assert s.history.recent(1)[0].command == "command number 129"
        assert s.history.recent(100)[-1].command == "command number 80"
        # trimmed rows are gone from the index too
        found = s.history.search("command number", limit=500)
        assert len(found) == 50 and min(int(e.command.split()[-1]) for e in found) == 80
        rows = s.db.execute("SELECT count(*) FROM command_history_fts").fetchone()[0]
        assert rows == 50


def test_turn_metrics(store):
    s = store.sessions.create()
    m = store.messages.append(s.id, "assistant", "hi")
    store.metrics.record(s.id, m.id, model="llama3.2", ttft_ms=120.5, eval_tokens=42, tokens_per_s=31.0)
    [row] = store.metrics.for_session(s.id)
    assert row["ttft_ms"] == 120.5 and row["eval_tokens"] == 42
    with pytest.raises(ValueError, match="unknown metric"):
        store.metrics.record(s.id, m.id, bogus=1)


def test_store_is_safe_across_threads(store):
    import threading

    s = store.sessions.create()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                store.messages.append(s.id, "user", f"t{n}-{i}")
                store.history.add(f"t{n}-{i}")
                store.sessions.list()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.messages.count(s.id) == 200


def test_a_killed_writer_never_corrupts_the_database(paths):
    """SIGKILL a process in the middle of a stream of writes; the file opens
    intact with every committed row."""
    script = textwrap.dedent(
        f"""
        import sys
        from wits_tui.engine.store import Store
        s = Store({str(paths.database)!r})
        sid = s.sessions.create("victim").id
        print(sid, flush=True)
        i = 0
        while True:
            m = s.messages.append(sid, "assistant", "x" * 2000)
            s.messages.update(m.id, content="y" * 4000, status="complete")
            s.history.add(f"cmd {{i}}")
            i += 1
            if i == 20:
                print("20 written", flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    sid = int(proc.stdout.readline())
    assert proc.stdout.readline().strip() == "20 written"  # killed while writing on, however busy the machine
    proc.kill()
    proc.wait()
    with Store(paths.database) as s:
        assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n = s.messages.count(sid)
        assert n > 0
        # FTS5's own check raises if the index disagrees with the table
        s.db.execute("INSERT INTO command_history_fts(command_history_fts) VALUES('integrity-check')")
        s.db.execute("INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')")
        assert s.history.count() > 0


def test_unreadable_database_gives_a_clear_error(paths):
    from wits_tui.engine.store import DatabaseError

    paths.database.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseError, match="wits doctor --salvage"):
        Store(paths.database)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(paths.database).execute("SELECT * FROM sessions")


def test_state_values(store):
    assert store.state.get("theme") is None
    assert store.state.get("theme", "wits-dark") == "wits-dark"
    store.state.set("theme", "wits-light")
    assert store.state.get("theme") == "wits-light"
    store.state.set("theme", None)
    assert store.state.get("theme") is None


def test_session_ids_are_never_reused(store):
    a = store.sessions.create("a")
    b = store.sessions.create("b")
    store.history.add("typed in b", b.id)
    store.sessions.delete(b.id)
    c = store.sessions.create("c")
    assert c.id > b.id > a.id
    assert store.history.recent(1)[0].session_id == b.id  # still means the deleted session, not c
