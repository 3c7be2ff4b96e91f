"""Messages of a session."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from wits_tui.engine.clock import now_iso
from wits_tui.engine.errors import NothingToEdit
from wits_tui.engine.store import attachments as attached
from wits_tui.engine.store import sources as cited
from wits_tui.engine.store import writers
from wits_tui.engine.store.fts import fts_search
from wits_tui.engine.store.records import STATUSES, Attachment, Message, MessageStatus, Role
from wits_tui.engine.store.tx import transaction

if TYPE_CHECKING:
    import sqlite_utils

#: A /compact summary is stored with this role; the context sends it as a system message.
SUMMARY_ROLE = "summary"


class FailedWith(NamedTuple):
    """Why an answer failed, stored with it: an ErrorKind value, the message and the fix."""

    kind: str
    message: str
    hint: str = ""


def _error_columns(error: FailedWith | None) -> dict[str, str | None]:
    if error is None:
        return {"error_kind": None, "error_message": None, "error_hint": None}
    return {"error_kind": str(error.kind), "error_message": error.message, "error_hint": error.hint or None}


def _fill(db: sqlite_utils.Database, messages: builtins.list[Message]) -> builtins.list[Message]:
    """Messages with what is kept beside them: a question's attachments, an answer's sources."""
    return cited.fill(db, attached.fill(db, messages))


class Messages:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def append(
        self,
        session_id: int,
        role: Role,
        content: str,
        *,
        status: MessageStatus = "complete",
        module: str | None = None,
        model: str | None = None,
        thinking: str = "",
        summary_of: int | None = None,
        error: FailedWith | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> Message:
        if status not in STATUSES:
            raise ValueError(f"message status must be one of {', '.join(STATUSES)}, not {status!r}")
        ts = now_iso()
        row = {
            "session_id": session_id,
            "role": role,
            "content": content,
            "status": status,
            "module": module,
            "model": model,
            "created_at": ts,
            "updated_at": ts,
            "thinking": thinking,
            "summary_of": summary_of,
        }
        why = _error_columns(error)
        row.update(why)
        with transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO messages (session_id, role, content, status, module, model, created_at, updated_at, thinking, "
                "summary_of, error_kind, error_message, error_hint) VALUES (:session_id, :role, :content, :status, :module, "
                ":model, :created_at, :updated_at, :thinking, :summary_of, :error_kind, :error_message, :error_hint)",
                row,
            )
            self.db.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", [ts, session_id])
            message_id = cursor.lastrowid
            assert message_id is not None  # an INSERT always sets it
            if status == "streaming":
                self._claim(message_id)
            if attachments:
                attached.insert(self.db, message_id, attachments)
        return Message(id=message_id, session_id=session_id, role=role, content=content, status=status, module=module,
                       model=model, created_at=ts, updated_at=ts, thinking=thinking, summary_of=summary_of,
                       error_kind=why["error_kind"], error_message=why["error_message"], error_hint=why["error_hint"],
                       attachments=tuple(attachments))

    def _claim(self, message_id: int) -> None:
        """Record this process as the writer of a streaming answer (see :mod:`.writers`)."""
        me = writers.current()
        self.db.execute("INSERT OR REPLACE INTO message_writers (message_id, pid, started) VALUES (?, ?, ?)",
                        [message_id, me.pid, me.started])

    def update(
        self,
        message_id: int,
        *,
        content: str | None = None,
        status: MessageStatus | None = None,
        model: str | None = None,
        module: str | None = None,
        thinking: str | None = None,
        error: FailedWith | None = None,
    ) -> None:
        """Change the given fields (None: leave as is); ``error`` records why the answer failed."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"message status must be one of {', '.join(STATUSES)}, not {status!r}")
        pairs = (("content", content), ("status", status), ("model", model), ("module", module), ("thinking", thinking))
        values: dict[str, object] = {k: v for k, v in pairs if v is not None}
        if error is not None:
            values.update(_error_columns(error))
        values["updated_at"] = now_iso()
        sets = ", ".join(f"{k} = :{k}" for k in values)
        with transaction(self.db):
            self.db.execute(f"UPDATE messages SET {sets} WHERE id = :id", {**values, "id": message_id})
            if status == "streaming":
                self._claim(message_id)
            elif status is not None:
                self.db.execute("DELETE FROM message_writers WHERE message_id = ?", [message_id])

    def get(self, message_id: int) -> Message | None:
        rows = list(self.db.query("SELECT * FROM messages WHERE id = ?", [message_id]))
        return _fill(self.db, [Message.from_row(rows[0])])[0] if rows else None

    def list(self, session_id: int, *, limit: int | None = None, before_id: int | None = None,
             after_id: int | None = None, branches: bool = False) -> list[Message]:
        """Messages of the active branch, oldest first; with ``limit``, the newest ``limit`` (before
        ``before_id``), or with ``after_id`` the oldest ``limit`` after it. ``branches``: the
        messages that edits replaced too (exports)."""
        params: list[object] = [session_id]
        where = "session_id = ?" if branches else "session_id = ? AND superseded_by IS NULL"
        if before_id is not None:
            where += " AND id < ?"
            params.append(before_id)
        if after_id is not None:
            where += " AND id > ?"
            params.append(after_id)
        if limit is None:
            sql = f"SELECT * FROM messages WHERE {where} ORDER BY id"
        elif after_id is not None:
            sql = f"SELECT * FROM messages WHERE {where} ORDER BY id LIMIT ?"
            params.append(limit)
        else:
            sql = f"SELECT * FROM (SELECT * FROM messages WHERE {where} ORDER BY id DESC LIMIT ?) ORDER BY id"
            params.append(limit)
        return _fill(self.db, [Message.from_row(r) for r in self.db.query(sql, params)])

    def count(self, session_id: int) -> int:
        """Messages on the active branch."""
        return int(next(self.db.query("SELECT count(*) AS n FROM messages WHERE session_id = ? AND superseded_by IS NULL",
                                      [session_id]))["n"])

    # -- edits: branches ------------------------------------------------------------
    def replace(self, session_id: int, message_id: int, content: str, attachments: Sequence[Attachment] = ()) -> Message:
        """Store ``content`` as a new question in place of question ``message_id``: it and every
        later message of the active branch are marked replaced (kept, as an earlier branch).
        Raises NothingToEdit when ``message_id`` is not a question on the active branch."""
        with transaction(self.db):
            old = self.get(message_id)
            if old is None or old.session_id != session_id or old.role != "user" or old.superseded_by is not None:
                what = "not in this session" if old is None or old.session_id != session_id else (
                    "not a question" if old.role != "user" else "already replaced by an edit")
                raise NothingToEdit(f"message {message_id} cannot be edited: it is {what}",
                                    "edit one of the questions shown in the chat (Up on an empty prompt edits the last)")
            new = self.append(session_id, "user", content, attachments=attachments)
            self.db.execute("UPDATE messages SET edit_of = ?, earlier = ? WHERE id = ?", [message_id, old.earlier + 1, new.id])
            self.db.execute("UPDATE messages SET superseded_by = ? WHERE session_id = ? AND id >= ? AND id < ? "
                            "AND superseded_by IS NULL", [new.id, session_id, message_id, new.id])
        new.edit_of, new.earlier = message_id, old.earlier + 1
        return new

    def replaced(self, message_id: int) -> builtins.list[Message]:
        """The messages an edit (question ``message_id``) replaced, oldest first."""
        return _fill(self.db, [Message.from_row(r) for r in self.db.query(
            "SELECT * FROM messages WHERE superseded_by = ? ORDER BY id", [message_id])])

    def current_version(self, message: Message) -> int:
        """The id that stands for ``message`` on the active branch: itself, else the question
        whose edit replaced it (followed through later edits)."""
        seen: set[int] = set()
        current: Message | None = message
        while current is not None and current.superseded_by is not None and current.id not in seen:
            seen.add(current.id)
            current = self.get(current.superseded_by)
        return current.id if current is not None else message.id

    def earlier_versions(self, message_id: int) -> builtins.list[builtins.list[Message]]:
        """The earlier versions of an edited question, newest first: each is the question it
        replaced and what followed it on the branch then."""
        versions: builtins.list[builtins.list[Message]] = []
        current = self.get(message_id)
        seen: set[int] = set()
        while current is not None and current.edit_of is not None and current.id not in seen:
            seen.add(current.id)
            versions.append(self.replaced(current.id))
            current = self.get(current.edit_of)
        return versions

    def recover_streaming(self) -> int:
        """Answers left 'streaming' by a writer that is gone (crash, kill) become 'interrupted'
        (their text is kept). Answers a live process is still writing are left alone."""
        rows = self.db.query(
            "SELECT m.id, w.pid, w.started FROM messages m LEFT JOIN message_writers w ON w.message_id = m.id "
            "WHERE m.status = 'streaming'"
        )
        dead = [r["id"] for r in rows if r["pid"] is None or not writers.alive(writers.Writer(r["pid"], r["started"] or ""))]
        now = now_iso()
        with transaction(self.db):
            for start in range(0, len(dead), 500):
                part = dead[start : start + 500]
                marks = ", ".join("?" * len(part))
                self.db.execute(f"UPDATE messages SET status = 'interrupted', updated_at = ? WHERE status = 'streaming' "
                                f"AND id IN ({marks})", [now, *part])
            self.db.execute("DELETE FROM message_writers WHERE message_id NOT IN "
                            "(SELECT id FROM messages WHERE status = 'streaming')")
        return len(dead)

    def clear(self, session_id: int) -> int:
        with transaction(self.db):
            self.db.execute("DELETE FROM turn_metrics WHERE session_id = ?", [session_id])
            self.db.execute("DELETE FROM turn_events WHERE session_id = ?", [session_id])
            self.db.execute("DELETE FROM message_attachments WHERE message_id IN (SELECT id FROM messages WHERE session_id = ?)",
                            [session_id])
            self.db.execute("DELETE FROM message_sources WHERE message_id IN (SELECT id FROM messages WHERE session_id = ?)",
                            [session_id])
            return self.db.execute("DELETE FROM messages WHERE session_id = ?", [session_id]).rowcount

    def search(self, text: str, limit: int = 50) -> builtins.list[Message]:
        """Full-text search over all messages, newest first."""
        return [Message.from_row(r) for r in fts_search(self.db, "messages", text, limit, clip="content")]
