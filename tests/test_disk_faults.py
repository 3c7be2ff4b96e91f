"""Disk faults told apart (issue 21 item 14): a full disk, a read-only home and a damaged
database each get their own advice; reading commands work read-only; salvage; a memory write
lost to a full disk is reported."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from tests.fakes.ollama_server import Reply
from tests.test_cli import run
from tests.test_cli_ask_doctor import CHAT, server  # noqa: F401 - the fixture
from wits_tui.engine.store import Store
from wits_tui.engine.store.db import advice


def test_each_fault_gets_its_own_advice(tmp_path):
    db = tmp_path / "wits.db"
    full = advice(db, OSError(errno.ENOSPC, "No space left on device"))
    ro = advice(db, sqlite3.OperationalError("attempt to write a readonly database"))
    bad = advice(db, sqlite3.DatabaseError("database disk image is malformed"))
    assert (full.fault, ro.fault, bad.fault) == ("full", "read_only", "damaged")
    assert "free some space" in str(full) and "salvage" not in str(full) and "move it aside" not in str(full)
    assert "make it writable" in str(ro) and "wits history" in str(ro)
    assert "wits doctor --salvage" in str(bad)


def _seed(paths, n=30):
    with Store(paths.database) as s:
        for i in range(n):
            sid = s.sessions.create(f"session {i}").id
            s.messages.append(sid, "user", f"question {i} " + "x" * 500)
            s.history.add(f"question {i}", sid)
        s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, which is then damaged


def wits(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wits_tui", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env})


def test_a_damaged_database_is_named_and_salvaged(wits_home, paths):
    _seed(paths)
    with open(paths.database, "r+b") as fh:  # a damaged page: the schema's second page
        fh.seek(4096)
        fh.write(os.urandom(2 * 4096))
    broken = wits("history")
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert "damaged" in broken.stderr and "wits doctor --salvage" in broken.stderr
    doctor = wits("doctor", "--json")
    assert '"database"' in doctor.stdout and "salvage" in doctor.stdout
    salvaged = wits("doctor", "--salvage")
    assert salvaged.returncode == 0 and "kept as" in salvaged.stdout, salvaged.stderr
    assert list(paths.data_dir.glob("wits.db.damaged-*"))
    after = wits("sessions", "list")
    assert after.returncode == 0 and "session" in after.stdout
    with Store(paths.database) as s:
        assert s.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert len(s.sessions.list()) > 0


@pytest.fixture
def read_only_home(wits_home, paths):
    """The home made read-only: a read-only bind-free tmpfs when root (chmod does not stop
    root), the permission bits otherwise."""
    _seed(paths, 3)
    if os.geteuid() != 0:
        for p in [wits_home, *wits_home.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        yield wits_home
        for p in [wits_home, *wits_home.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        return
    mount = wits_home.parent / "ro-mount"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs to make a read-only home")
    try:
        shutil.copytree(wits_home, mount / "home")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / "home"
    finally:
        subprocess.run(["umount", str(mount)])


def test_reading_commands_work_on_a_read_only_home(read_only_home):
    env = {"WITS_HOME": str(read_only_home)}
    for command in (["history"], ["sessions", "list"], ["export", "1"]):
        proc = wits(*command, **env)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, (command, proc.stderr)
        assert "cannot be written" in proc.stderr and ("question" in proc.stdout or "session" in proc.stdout)
    write = wits("sessions", "new", "x", **env)
    assert write.returncode != 0 and "Traceback" not in write.stderr and "make it writable" in write.stderr, write.stderr


def test_a_memory_write_lost_to_a_full_disk_is_reported(server, wits_home, capsys, monkeypatch):  # noqa: F811
    server.script(CHAT, Reply(text="Rex is a good name."))
    monkeypatch.setenv("OLLAMA_HOST", server.host)
    monkeypatch.setenv("WITS_CHAT__DEFAULT_MODEL", CHAT)

    def disk_full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    # fault injection where lance writes: the append of the exchange
    monkeypatch.setattr("wits_tui.engine.memory.store.SegmentStore.append", disk_full)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(""))
    code, out, err = run(capsys, "ask", "--memory", "my dog is called Rex")
    assert "Rex is a good name." in out
    assert code == 1 and "not remembered" in err and "free disk space" in err


def test_wits_memory_add_on_a_full_disk_says_so(server, wits_home, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OLLAMA_HOST", server.host)

    def disk_full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("wits_tui.engine.memory.store.SegmentStore.append", disk_full)
    code, out, err = run(capsys, "memory", "add", "the boiler is serviced in March")
    assert code == 1 and "not remembered" in err and "free disk space" in err and "Traceback" not in err
