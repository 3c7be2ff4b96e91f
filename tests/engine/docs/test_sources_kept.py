"""The sources an answer was given are kept with it: the store migration, the round trip through
the turn and the store, and the exports (Markdown, HTML, JSON and back)."""

from __future__ import annotations

import json

import sqlite_utils

from tests.engine.conftest import CHAT
from tests.engine.docs.test_turn_docs import docs_engine, turn  # noqa: F401 - the fixture
from tests.fakes.ollama_server import Reply
from wits_tui.engine.docs.session import set_attached
from wits_tui.engine.events import DocsUsed
from wits_tui.engine.store import Store
from wits_tui.engine.store.migrations import MIGRATIONS, migrate
from wits_tui.engine.store.records import Source
from wits_tui.engine.transfer import export_html, export_json, export_markdown, import_session

NAME = "m015_message_sources"


def test_the_migration_adds_the_sources_table_to_an_older_database_and_keeps_its_answers(paths):
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(paths.database)
    before = MIGRATIONS[[n for n, _ in MIGRATIONS].index(NAME) - 1][0]
    migrate(db, upto=before)
    assert "message_sources" not in db.table_names()
    sid = db["sessions"].insert({"title": "old", "created_at": "x", "updated_at": "x"}).last_pk
    db["messages"].insert({"session_id": sid, "role": "assistant", "content": "an old answer", "status": "complete",
                           "created_at": "x", "updated_at": "x"})
    db.conn.close()
    with Store(paths.database) as store:
        assert "message_sources" in store.db.table_names()
        [old] = store.messages.list(sid)
        assert old.content == "an old answer" and old.sources == ()
        store.sources.save(old.id, [Source(n=1, location="a.md:1-2", path="/d/a.md", rel="a.md", heading="A", text="alpha")])
        assert store.messages.get(old.id).sources[0].text == "alpha"


def test_an_answer_keeps_its_sources_through_the_store_and_the_exports(docs_engine, server):  # noqa: F811
    server.script(CHAT, Reply(text="It leaves at 7:15 [1]; tickets cost 12 euros [2]."))
    s = docs_engine.store.sessions.create()
    set_attached(docs_engine.store, s.id, ["manual"])
    events = turn(docs_engine, s.id, "When does the ferry leave and what does a ticket cost?")
    store = docs_engine.store  # the turn closed the engine: its store is opened again
    used = next(e for e in events if isinstance(e, DocsUsed))
    question, answer = store.messages.list(s.id)
    assert question.sources == ()
    assert [(x.n, x.location, x.heading, x.text) for x in answer.sources] == [
        (p["n"], p["location"], p["heading"], p["text"]) for p in used.passages]
    first = answer.sources[0]
    assert first.location == "boats.md:3" and first.collection == "manual" and "7:15" in first.text
    assert first.path.endswith("boats.md") and (first.start_line, first.end_line) == (3, 3)

    md = export_markdown(store, s.id)
    assert "**Sources**" in md and "- \\[1\\] boats.md:3 — Boats" in md
    page = export_html(store, s.id)
    assert '<div class="sources">' in page and "<summary>[1] boats.md:3 — Boats</summary>" in page
    assert "The ferry to the island leaves at 7:15" in page  # the passage, folded under its title
    data = json.loads(export_json(store, s.id))
    assert data["messages"][1]["sources"][0]["location"] == "boats.md:3"
    assert "sources" not in data["messages"][0]  # a question has none

    copy = import_session(store, export_json(store, s.id))
    assert store.messages.list(copy)[1].sources == answer.sources
    store.sessions.delete(copy)
    assert store.db.execute("SELECT count(*) FROM message_sources").fetchone()[0] == len(answer.sources)


def test_an_answer_without_documents_has_no_sources(docs_engine, server):  # noqa: F811
    server.script(CHAT, Reply(text="Hello."))
    s = docs_engine.store.sessions.create()
    turn(docs_engine, s.id, "Hi")
    assert [m.sources for m in docs_engine.store.messages.list(s.id)] == [(), ()]
    assert "Sources" not in export_markdown(docs_engine.store, s.id)
