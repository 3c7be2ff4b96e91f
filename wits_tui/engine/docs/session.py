"""Which collections a session answers from (`/docs use NAME`), kept in the state table."""

from __future__ import annotations

import json
from typing import Any


def _key(session_id: int) -> str:
    return f"docs:{session_id}"


def attached(store: Any, session_id: int) -> list[str]:
    raw = store.state.get(_key(session_id))
    return list(json.loads(raw)) if raw else []


def set_attached(store: Any, session_id: int, names: list[str]) -> None:
    store.state.set(_key(session_id), json.dumps(list(dict.fromkeys(names))) if names else None)
