"""Schema migrations: small registered functions, recorded in ``_migrations``.

``migrate(db)`` runs on every open and applies, in order, each migration not yet
recorded. A migration never drops user rows. Add new ones at the bottom; never
edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wits_tui.engine.clock import now_iso
from wits_tui.engine.store.tx import transaction

if TYPE_CHECKING:
    import sqlite_utils

Migration = Callable[["sqlite_utils.Database"], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


def applied(db: sqlite_utils.Database) -> set[str]:
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").fetchone()
    return {row[0] for row in db.execute("SELECT name FROM [_migrations]")} if exists else set()


def migrate(db: sqlite_utils.Database, upto: str | None = None) -> list[str]:
    """Apply pending migrations (all, or up to and including ``upto``); return their names.

    Several processes may start at once on a fresh home: the pending ones run in one
    ``BEGIN IMMEDIATE`` transaction (one process at a time; the others wait through the busy
    timeout) and what is applied is read again inside it, so each runs exactly once."""
    wanted = [name for name, _ in MIGRATIONS[: _upto_index(upto) + 1]]
    if set(wanted) <= applied(db):
        return []
    ran: list[str] = []
    db.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction; transform() needs it off
    try:
        with transaction(db):
            db.execute("CREATE TABLE IF NOT EXISTS [_migrations] ([name] TEXT PRIMARY KEY, [applied_at] TEXT)")
            done = applied(db)
            for name, fn in MIGRATIONS[: len(wanted)]:
                if name not in done:
                    fn(db)
                    db.execute("INSERT INTO [_migrations] (name, applied_at) VALUES (?, ?)", [name, now_iso()])
                    ran.append(name)
    finally:
        db.execute("PRAGMA foreign_keys=ON")
    return ran


def _upto_index(upto: str | None) -> int:
    names = [name for name, _ in MIGRATIONS]
    return names.index(upto) if upto in names else len(names) - 1


def _fts(db: sqlite_utils.Database, table: str, column: str) -> None:
    """An external-content FTS5 index on ``table.column`` kept in sync by triggers.

    Written out rather than ``enable_fts`` so the index can carry prefix
    indexes, which keep prefix searches fast at millions of rows.
    """
    fts = f"{table}_fts"
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS [{fts}] USING fts5("
        f"[{column}], content=[{table}], content_rowid=[id], tokenize='unicode61', prefix='2 3 4')"
    )
    db.execute(
        f"CREATE TRIGGER IF NOT EXISTS [{table}_ai] AFTER INSERT ON [{table}] BEGIN "
        f"INSERT INTO [{fts}](rowid, [{column}]) VALUES (new.id, new.[{column}]); END"
    )
    db.execute(
        f"CREATE TRIGGER IF NOT EXISTS [{table}_ad] AFTER DELETE ON [{table}] BEGIN "
        f"INSERT INTO [{fts}]([{fts}], rowid, [{column}]) VALUES ('delete', old.id, old.[{column}]); END"
    )
    db.execute(
        f"CREATE TRIGGER IF NOT EXISTS [{table}_au] AFTER UPDATE OF [{column}] ON [{table}] BEGIN "
        f"INSERT INTO [{fts}]([{fts}], rowid, [{column}]) VALUES ('delete', old.id, old.[{column}]); "
        f"INSERT INTO [{fts}](rowid, [{column}]) VALUES (new.id, new.[{column}]); END"
    )
    db.execute(f"INSERT INTO [{fts}]([{fts}]) VALUES ('rebuild')")


@migration
def m001_sessions_messages_state(db: sqlite_utils.Database) -> None:
    db.table("sessions").create(
        {"id": int, "title": str, "created_at": str, "updated_at": str, "model": str},
        pk="id",
        not_null={"title", "created_at", "updated_at"},
        if_not_exists=True,
    )
    db.table("messages").create(
        {
            "id": int,
            "session_id": int,
            "role": str,
            "content": str,
            "module": str,
            "model": str,
            "status": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"session_id", "role", "content", "status", "created_at", "updated_at"},
        defaults={"status": "complete", "content": ""},
        foreign_keys=[("session_id", "sessions", "id")],
        if_not_exists=True,
    )
    db.table("messages").create_index(["session_id", "id"], if_not_exists=True)
    db.table("state").create({"key": str, "value": str}, pk="key", if_not_exists=True)


@migration
def m002_command_history(db: sqlite_utils.Database) -> None:
    db.table("command_history").create(
        {"id": int, "command": str, "session_id": int, "created_at": str},
        pk="id",
        not_null={"command", "created_at"},
        if_not_exists=True,
    )
    _fts(db, "command_history", "command")


@migration
def m003_turn_metrics(db: sqlite_utils.Database) -> None:
    db.table("turn_metrics").create(
        {
            "id": int,
            "session_id": int,
            "message_id": int,
            "model": str,
            "module": str,
            "status": str,
            "ttft_ms": float,
            "total_ms": float,
            "prompt_tokens": int,
            "eval_tokens": int,
            "tokens_per_s": float,
            "load_duration_ns": int,
            "prompt_eval_duration_ns": int,
            "eval_duration_ns": int,
            "total_duration_ns": int,
            "created_at": str,
        },
        pk="id",
        if_not_exists=True,
    )
    db.table("turn_metrics").create_index(["session_id"], if_not_exists=True)


@migration
def m004_profiles_and_module_stats(db: sqlite_utils.Database) -> None:
    db.table("user_profiles").create(
        {
            "user": str,
            "domain_prefs": str,
            "module_prefs": str,
            "topics": str,
            "feedback_positive": int,
            "feedback_negative": int,
            "feedback_neutral": int,
            "interactions": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="user",
        defaults={
            "domain_prefs": "{}",
            "module_prefs": "{}",
            "topics": "{}",
            "feedback_positive": 0,
            "feedback_negative": 0,
            "feedback_neutral": 0,
            "interactions": 0,
        },
        if_not_exists=True,
    )
    db.table("module_stats").create(
        {
            "module": str,
            "model": str,
            "uses": int,
            "load_count": int,
            "total_load_ms": float,
            "total_eval_ms": float,
            "total_ms": float,
            "eval_tokens": int,
            "last_used_at": str,
        },
        pk="module",
        defaults={"uses": 0, "load_count": 0, "total_load_ms": 0.0, "total_eval_ms": 0.0, "total_ms": 0.0, "eval_tokens": 0},
        if_not_exists=True,
    )


@migration
def m005_session_pin_and_archive(db: sqlite_utils.Database) -> None:
    columns = db.table("sessions").columns_dict
    if "pinned_module" not in columns:
        db.table("sessions").add_column("pinned_module", str)
    if "archived" not in columns:
        db.table("sessions").add_column("archived", int, not_null_default=0)
    db.table("sessions").create_index(["archived", "updated_at"], if_not_exists=True)


@migration
def m006_message_search(db: sqlite_utils.Database) -> None:
    _fts(db, "messages", "content")


@migration
def m007_turn_recordings(db: sqlite_utils.Database) -> None:
    db.table("turn_events").create(
        {
            "id": int,
            "session_id": int,
            "turn": int,  # 1, 2, ... within the session
            "seq": int,  # order within the turn
            "t_ms": float,  # offset from the start of the turn
            "kind": str,
            "data": str,  # JSON
        },
        pk="id",
        not_null={"session_id", "turn", "seq", "t_ms", "kind", "data"},
        if_not_exists=True,
    )
    db.table("turn_events").create_index(["session_id", "turn", "seq"], if_not_exists=True)


@migration
def m008_routing_embeddings_and_training(db: sqlite_utils.Database) -> None:
    """The classifier's embedding cache and what `wits module train` built."""
    db.table("embedding_cache").create(
        {"model": str, "text_hash": str, "text": str, "dim": int, "vector": bytes, "created_at": str},
        pk=("model", "text_hash"),
        not_null={"model", "text_hash", "dim", "vector"},
        if_not_exists=True,
    )
    db.table("module_training").create(
        {
            "module": str,
            "base_model": str,
            "derived_model": str,
            "examples": str,
            "validation": str,
            "report": str,
            "trained_at": str,
        },
        pk="module",
        defaults={"examples": "[]", "validation": "[]", "report": "{}"},
        if_not_exists=True,
    )


@migration
def m009_thinking_and_session_parameters(db: sqlite_utils.Database) -> None:
    """What a thinking model thought (kept apart from its answer), where a /compact
    summary ends, and each session's own system prompt, thinking and model options."""
    messages = db.table("messages").columns_dict
    if "thinking" not in messages:
        db.table("messages").add_column("thinking", str, not_null_default="")
    if "summary_of" not in messages:  # a summary message: the last message id it stands for
        db.table("messages").add_column("summary_of", int)
    sessions = db.table("sessions").columns_dict
    for column, kind in (("system_prompt", str), ("system_mode", str), ("think", str), ("options", str)):
        if column not in sessions:
            db.table("sessions").add_column(column, kind)


@migration
def m010_document_collections(db: sqlite_utils.Database) -> None:
    """Document collections (`wits docs`): their folders, and each indexed file's content hash
    (what `update` compares; a failed file has no hash, so it is tried again)."""
    db.table("docs_collections").create(
        {"name": str, "roots": str, "created_at": str, "updated_at": str},
        pk="name",
        not_null={"roots"},
        if_not_exists=True,
    )
    db.table("docs_files").create(
        {
            "collection": str,
            "path": str,
            "kind": str,
            "size": int,
            "mtime_ns": int,
            "hash": str,  # sha256 of the bytes; NULL until the file is indexed
            "chunks": int,
            "status": str,  # indexed | failed
            "error": str,
            "indexed_at": str,
        },
        pk=("collection", "path"),
        not_null={"collection", "path", "status"},
        if_not_exists=True,
    )


@migration
def m011_message_writers(db: sqlite_utils.Database) -> None:
    """The process writing each streaming answer, so recovery only touches answers whose writer is gone."""
    db.table("message_writers").create(
        {"message_id": int, "pid": int, "started": str},
        pk="message_id",
        not_null={"pid"},
        defaults={"started": ""},
        if_not_exists=True,
    )


@migration
def m012_message_errors(db: sqlite_utils.Database) -> None:
    """Why an answer failed, kept with it: the error kind (an ErrorKind value), the message
    and the fix, so a reopened session and its exports say what went wrong, not just "failed"."""
    messages = db.table("messages").columns_dict
    for column in ("error_kind", "error_message", "error_hint"):
        if column not in messages:
            db.table("messages").add_column(column, str)


@migration
def m013_message_attachments(db: sqlite_utils.Database) -> None:
    """Files sent with a message: the blob is stored once by its SHA-256 under the data dir
    (``attachments/``); this table says which message carried which, in order, under what name."""
    db.table("message_attachments").create(
        {"message_id": int, "position": int, "sha256": str, "name": str, "kind": str, "mime": str, "size": int},
        pk=("message_id", "position"),
        not_null={"sha256", "name", "kind"},
        if_not_exists=True,
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_message_attachments_sha ON message_attachments (sha256)")


@migration
def m014_message_branches(db: sqlite_utils.Database) -> None:
    """Edit and resend keeps what it replaces, as an earlier branch: each replaced message gets
    ``superseded_by`` (the id of the question that replaced it; NULL: on the active branch);
    the new question gets ``edit_of`` (the question it replaced) and ``earlier`` (how many
    versions came before it)."""
    columns = db.table("messages").columns_dict
    if "superseded_by" not in columns:
        db.table("messages").add_column("superseded_by", int)
    if "edit_of" not in columns:
        db.table("messages").add_column("edit_of", int)
    if "earlier" not in columns:
        db.table("messages").add_column("earlier", int, not_null_default=0)
    db.table("messages").create_index(["superseded_by"], if_not_exists=True)


@migration
def m015_message_sources(db: sqlite_utils.Database) -> None:
    """The sources an answer was given (``DocsUsed`` passages), kept with it so a reopened
    session shows them under the answer: the number it cites ([n]), where the passage is
    (path, lines, heading) and the passage text for the preview."""
    db.table("message_sources").create(
        {
            "message_id": int,
            "n": int,
            "location": str,
            "path": str,
            "rel": str,
            "collection": str,
            "kind": str,
            "start_line": int,
            "end_line": int,
            "heading": str,
            "text": str,
        },
        pk=("message_id", "n"),
        not_null={"location", "path"},
        defaults={"rel": "", "collection": "", "kind": "", "heading": "", "text": ""},
        if_not_exists=True,
    )
