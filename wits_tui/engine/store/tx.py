"""Real transactions over a sqlite-utils database.

sqlite-utils 4.x commits every ``db.execute`` write on its own when no transaction is open, so
``with db.conn:`` around several statements rolls nothing back. Every multi-statement write
opens one here: ``BEGIN IMMEDIATE`` takes the write lock at once (a busy database is waited for
by ``busy_timeout`` instead of failing halfway), statements inside join it, and any exception
rolls all of them back. Nested use becomes a savepoint.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def transaction(db: Any) -> Iterator[None]:
    conn = db.conn
    if conn.in_transaction:
        name = f"wits_{uuid.uuid4().hex}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        conn.execute(f"RELEASE SAVEPOINT {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
