"""The routing tables read with plain sqlite3 (`wits classify --keywords-only`) say what the Store says."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import sqlite_utils

from tests.test_cli import run
from wits_tui.engine.routing.profiles import default_user
from wits_tui.engine.routing.router import Router
from wits_tui.engine.store import Store
from wits_tui.engine.store.migrations import MIGRATIONS, migrate
from wits_tui.engine.store.module_training import TrainingRecord
from wits_tui.engine.store.reader import StoreReader
from wits_tui.paths import resolve_paths
from wits_tui.settings import load_settings

TEXT = "Write a short story about a lighthouse keeper who finds a message in a bottle"


def _fill(store: Store, user: str) -> None:
    store.module_stats.record("creative_expert", "llama3.2", load_ms=2500, eval_ms=800, total_ms=3600, eval_tokens=120)
    store.module_stats.record("base_module", "llama3.2", load_ms=0, eval_ms=300, total_ms=400, eval_tokens=40)
    store.profiles.record_feedback(user, "negative", module="creative_expert")
    store.training.save(TrainingRecord(module="creative_expert", examples=[{"prompt": "a haiku on rain", "completion": "drops"}]))


def test_the_reader_reads_the_stores_rows(tmp_path, monkeypatch):
    monkeypatch.setenv("WITS_HOME", str(tmp_path))
    paths = resolve_paths()
    settings = load_settings(paths)
    user = default_user(settings.routing.user)
    with Store(paths.database) as store:
        _fill(store, user)
        by_store = Router(settings, paths, store, None).route_by_keywords(TEXT)
        stats, profile, training = store.module_stats.all(), store.profiles.get(user), store.training.all()
    reader = StoreReader.open(paths.database)
    assert reader is not None
    try:
        assert reader.module_stats.all() == stats and reader.profiles.get(user) == profile
        assert reader.training.all() == training and training["creative_expert"].examples
        by_reader = Router(settings, paths, reader, None).route_by_keywords(TEXT)
    finally:
        reader.close()
    assert by_reader.module.name == by_store.module.name and by_reader.domain == by_store.domain == "creative"
    assert by_reader.ranking == by_store.ranking
    assert by_store.ranking[0].preference < 0 and by_store.ranking[0].expected_ms == 3600.0  # the rows were used
    assert replace(by_reader.decision, elapsed_ms=0) == replace(by_store.decision, elapsed_ms=0)
    assert by_reader.module.examples == by_store.module.examples  # the training was applied the same way


def test_a_missing_database_reads_as_empty_and_is_not_created(tmp_path):
    reader = StoreReader.open(tmp_path / "nothing" / "wits.db")
    assert reader is not None
    assert reader.module_stats.all() == {} and reader.training.all() == {} and reader.profiles.get("me").module_prefs == {}
    assert not (tmp_path / "nothing").exists()


def test_a_database_that_needs_a_migration_is_left_to_the_store(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WITS_HOME", str(tmp_path))
    path = resolve_paths().database
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(sqlite3.connect(path))
    migrate(db, upto=MIGRATIONS[-2][0])  # an older Wits left it one migration behind
    db.conn.close()
    assert StoreReader.open(path) is None
    code, out, _ = run(capsys, "classify", "--keywords-only", TEXT)  # the Store opens and migrates it
    assert code == 0 and out.startswith("domain:     creative")
    assert StoreReader.open(path) is not None


def test_a_file_that_is_not_a_database_is_left_to_the_store(tmp_path):
    path = tmp_path / "wits.db"
    path.write_bytes(b"this is not a database" * 100)
    assert StoreReader.open(path) is None
