"""Sessions and the remembered active session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wits_tui.engine.clock import now_iso
from wits_tui.engine.errors import SessionNotFound

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["DEFAULT_TITLE", "SessionNotFound", "Sessions"]
from wits_tui.engine.store.records import Session
from wits_tui.engine.store.tx import transaction

DEFAULT_TITLE = "New chat"


class Sessions:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def create(self, title: str | None = None, model: str | None = None) -> Session:
        ts = now_iso()
        with transaction(self.db):
            # Ids are never reused, even after the newest session is deleted (SQLite
            # would hand out max(id)+1 again), so old references never point at a new session.
            newest = next(self.db.query("SELECT max(id) AS n FROM sessions"))["n"] or 0
            issued = next(self.db.query("SELECT value FROM state WHERE key = 'last_session_id'"), {"value": 0})["value"]
            pk = max(newest, int(issued)) + 1
            self.db.execute(
                "INSERT INTO sessions (id, title, created_at, updated_at, model) VALUES (?, ?, ?, ?, ?)",
                [pk, (title or "").strip() or DEFAULT_TITLE, ts, ts, model],
            )
            self.db.execute("INSERT OR REPLACE INTO state (key, value) VALUES ('last_session_id', ?)", [str(pk)])
        return self.get(pk)

    def get(self, session_id: int) -> Session:
        rows = list(self.db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
        if not rows:
            raise SessionNotFound(session_id)
        return Session.from_row(rows[0])

    def find(self, ref: str) -> Session:
        """A session by id, or by title (exact, then unique prefix, case-insensitive)."""
        ref = ref.strip()
        if ref.isascii() and ref.isdigit() and len(ref) < 19:  # longer is no id (and too big for SQLite)
            return self.get(int(ref))
        rows = list(self.db.query("SELECT * FROM sessions WHERE title = ? COLLATE NOCASE ORDER BY updated_at DESC", [ref]))
        if not rows:
            rows = list(
                # a prefix compare, not LIKE: a long LIKE pattern fails ("pattern too complex")
                self.db.query(
                    "SELECT * FROM sessions WHERE substr(title, 1, ?) = ? COLLATE NOCASE ORDER BY updated_at DESC",
                    [len(ref), ref],
                )
            )
        if not rows:
            raise SessionNotFound(ref)
        return Session.from_row(rows[0])

    def list(self, include_archived: bool = False, limit: int | None = None) -> list[Session]:
        where = "" if include_archived else "WHERE s.archived = 0"
        sql = (
            "SELECT s.*, (SELECT count(*) FROM messages m WHERE m.session_id = s.id AND m.superseded_by IS NULL) AS message_count "
            f"FROM sessions s {where} ORDER BY s.updated_at DESC, s.id DESC"
        )
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [Session.from_row(r) for r in self.db.query(sql)]

    def _update(self, session_id: int, **values: object) -> Session:
        self.get(session_id)
        with transaction(self.db):
            self.db.table("sessions").update(session_id, values)
        return self.get(session_id)

    def rename(self, session_id: int, title: str) -> Session:
        title = title.strip()
        if not title:
            raise ValueError("a session title cannot be empty")
        return self._update(session_id, title=title, updated_at=now_iso())

    def touch(self, session_id: int) -> None:
        with transaction(self.db):
            self.db.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", [now_iso(), session_id])

    def set_archived(self, session_id: int, archived: bool = True) -> Session:
        return self._update(session_id, archived=int(archived))

    def set_model(self, session_id: int, model: str | None) -> Session:
        return self._update(session_id, model=model)

    def pin_module(self, session_id: int, module: str | None) -> Session:
        return self._update(session_id, pinned_module=module)

    def set_system(self, session_id: int, prompt: str | None, mode: str = "add") -> Session:
        """This session's system prompt (None: none), added to the module's or replacing it."""
        if mode not in ("add", "replace"):
            raise ValueError(f"the system prompt mode is add or replace, not {mode!r}")
        return self._update(session_id, system_prompt=prompt or None, system_mode=mode if prompt else None)

    def set_think(self, session_id: int, think: str | None) -> Session:
        return self._update(session_id, think=think)

    def set_options(self, session_id: int, options: dict[str, object]) -> Session:
        import json

        return self._update(session_id, options=json.dumps(options, sort_keys=True) if options else None)

    def delete(self, session_id: int) -> None:
        self.get(session_id)
        with transaction(self.db):
            for kept in ("message_attachments", "message_sources"):
                self.db.execute(f"DELETE FROM {kept} WHERE message_id IN (SELECT id FROM messages WHERE session_id = ?)",
                                [session_id])
            for table in ("turn_metrics", "turn_events", "messages"):
                self.db.execute(f"DELETE FROM {table} WHERE session_id = ?", [session_id])
            self.db.execute("DELETE FROM sessions WHERE id = ?", [session_id])
            if self.active_id() == session_id:
                self.db.execute("DELETE FROM state WHERE key = 'active_session'")

    # -- the active session -------------------------------------------------
    def active_id(self) -> int | None:
        rows = list(self.db.query("SELECT value FROM state WHERE key = 'active_session'"))
        return int(rows[0]["value"]) if rows else None

    def switch(self, session_id: int) -> Session:
        session = self.get(session_id)
        with transaction(self.db):
            self.db.execute("INSERT OR REPLACE INTO state (key, value) VALUES ('active_session', ?)", [str(session_id)])
        return session

    def active(self, create: bool = True) -> Session | None:
        """The remembered active session, else the newest, else a new one."""
        active_id = self.active_id()
        if active_id is not None:
            try:
                return self.get(active_id)
            except SessionNotFound:
                pass
        sessions = self.list(limit=1)
        if sessions:
            return self.switch(sessions[0].id)
        return self.switch(self.create().id) if create else None
