from __future__ import annotations

import sqlite3

import sqlite_utils

from wits_tui.engine.store import Store
from wits_tui.engine.store.migrations import MIGRATIONS, applied, migrate

# The schema of the first release, as its own code wrote it (sessions without
# pinned_module/archived, no history, metrics, profiles or message search).
V1_SCHEMA = """
CREATE TABLE [_migrations] ([name] TEXT PRIMARY KEY, [applied_at] TEXT);
INSERT INTO _migrations VALUES ('m001_sessions_messages_state', '2026-01-01T00:00:00.000+00:00');
CREATE TABLE [sessions] ([id] INTEGER PRIMARY KEY, [title] TEXT NOT NULL, [created_at] TEXT NOT NULL,
  [updated_at] TEXT NOT NULL, [model] TEXT);
CREATE TABLE [messages] ([id] INTEGER PRIMARY KEY, [session_id] INTEGER NOT NULL REFERENCES [sessions]([id]),
  [role] TEXT NOT NULL, [content] TEXT NOT NULL DEFAULT '', [module] TEXT, [model] TEXT,
  [status] TEXT NOT NULL DEFAULT 'complete', [created_at] TEXT NOT NULL, [updated_at] TEXT NOT NULL);
CREATE INDEX [idx_messages_session_id_id] ON [messages] ([session_id], [id]);
CREATE TABLE [state] ([key] TEXT PRIMARY KEY, [value] TEXT);
INSERT INTO sessions VALUES (1, 'Old chat', '2026-01-01T00:00:00.000+00:00', '2026-01-02T00:00:00.000+00:00', 'llama3');
INSERT INTO sessions VALUES (2, 'Older chat', '2025-12-01T00:00:00.000+00:00', '2025-12-02T00:00:00.000+00:00', NULL);
INSERT INTO messages VALUES (1, 1, 'user', 'remember the zebra', NULL, NULL, 'complete', '2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00.000+00:00');
INSERT INTO messages VALUES (2, 1, 'assistant', 'zebras have stripes', NULL, 'llama3', 'interrupted',
  '2026-01-01T00:00:01.000+00:00', '2026-01-01T00:00:01.000+00:00');
INSERT INTO state VALUES ('active_session', '1');
"""


def test_fresh_database_has_every_migration(store):
    assert applied(store.db) == {name for name, _ in MIGRATIONS}
    for table in ["sessions", "messages", "turn_metrics", "command_history", "user_profiles", "module_stats"]:
        assert table in store.db.table_names()


def test_migrate_is_idempotent(store):
    assert migrate(store.db) == []


def test_old_schema_database_upgrades_in_place_without_losing_rows(paths):
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(paths.database)
    conn.executescript(V1_SCHEMA)
    conn.close()

    with Store(paths.database) as s:
        assert applied(s.db) == {name for name, _ in MIGRATIONS}
        sessions = {x.id: x for x in s.sessions.list()}
        assert sessions[1].title == "Old chat" and sessions[1].archived == 0 and sessions[1].pinned_module is None
        assert sessions[2].title == "Older chat"
        assert [(m.content, m.status) for m in s.messages.list(1)] == [
            ("remember the zebra", "complete"),
            ("zebras have stripes", "interrupted"),
        ]
        assert s.sessions.active_id() == 1
        # rows that existed before the message index was created are searchable
        assert [m.id for m in s.messages.search("remember")] == [1]
        assert [m.id for m in s.messages.search("zebra")] == [2, 1]  # prefix match, newest first
        # and the upgraded schema is fully usable
        s.sessions.pin_module(1, "code_expert")
        s.history.add("after upgrade")
        assert s.history.search("upgrade")[0].command == "after upgrade"


def test_partial_upgrade_then_rest(paths):
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(paths.database)
    first = MIGRATIONS[0][0]
    assert migrate(db, upto=first) == [first]
    db["sessions"].insert({"title": "t", "created_at": "x", "updated_at": "x"})
    rest = migrate(db)
    assert rest == [name for name, _ in MIGRATIONS[1:]]
    assert db["sessions"].count == 1


STARTER = """
import os, sys, time
from pathlib import Path
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
from wits_tui.engine.store import Store
Store(sys.argv[1]).close()
"""


def test_three_processes_starting_at_once_on_a_fresh_home_all_open_it(tmp_path):
    """Issue 21 item 10: 22 of 45 died (locked, UNIQUE _migrations.name, duplicate column)."""
    import subprocess
    import sys

    from wits_tui.engine.store import Store
    from wits_tui.engine.store.migrations import MIGRATIONS

    for round_ in range(4):
        db, go = tmp_path / f"r{round_}" / "wits.db", tmp_path / f"go{round_}"
        procs = [subprocess.Popen([sys.executable, "-c", "import wits_tui.engine.store\n" + STARTER, str(db), str(go)],
                                  stderr=subprocess.PIPE, text=True) for _ in range(3)]
        go.touch()
        errors = [p.communicate(timeout=120)[1] for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], errors
        with Store(db) as store:
            names = [r[0] for r in store.db.execute("SELECT name FROM _migrations")]
        assert sorted(names) == sorted(n for n, _ in MIGRATIONS)
