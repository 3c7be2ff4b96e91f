"""Messages of a session."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import NamedTuple

import sqlite_utils

from wits_tui.engine.clock import now_iso
from wits_tui.engine.store import attachments as attached
from wits_tui.engine.store import writers
from wits_tui.engine.store.fts import fts_search
from wits_tui.engine.store.records import STATUSES, Attachment, Message, MessageStatus, Role
from wits_tui.engine.store.tx import transaction

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
        return attached.fill(self.db, [Message.from_row(rows[0])])[0] if rows else None

    def list(self, session_id: int, *, limit: int | None = None, before_id: int | None = None,
             after_id: int | None = None) -> list[Message]:
        """Messages oldest first; with ``limit``, the newest ``limit`` (before ``before_id``),
        or with ``after_id`` the oldest ``limit`` after it."""
        params: list[object] = [session_id]
        where = "session_id = ?"
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
        return attached.fill(self.db, [Message.from_row(r) for r in self.db.query(sql, params)])

    def count(self, session_id: int) -> int:
        return int(next(self.db.query("SELECT count(*) AS n FROM messages WHERE session_id = ?", [session_id]))["n"])

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
            return self.db.execute("DELETE FROM messages WHERE session_id = ?", [session_id]).rowcount

    def search(self, text: str, limit: int = 50) -> builtins.list[Message]:
        """Full-text search over all messages, newest first."""
        return [Message.from_row(r) for r in fts_search(self.db, "messages", text, limit, clip="content")]
