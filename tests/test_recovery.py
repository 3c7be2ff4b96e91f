"""Answers cut off by a dead writer are marked interrupted on every path that opens the
store, and answers a live process is still writing are left alone (issue 21.15, 19.3).
Real processes: a writer that streams (or is killed), and `wits` commands."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.ollama_server import Reply, ScriptedOllama
from wits_tui.engine.build import build_engine
from wits_tui.engine.store import Store
from wits_tui.paths import Paths
from wits_tui.settings import Settings

CHAT = "llama3.2:1b"

#: A process in the middle of an answer: it saves the answer as streaming, says so, and
#: stays alive (as a writer waiting for the next token) until its stdin closes.
WRITER = """
import sys
from wits_tui.engine.store import Store
s = Store(sys.argv[1])
sid = s.sessions.create("cut off").id
s.messages.append(sid, "user", "tell me a long story")
m = s.messages.append(sid, "assistant", "Once upon a", status="streaming")
print(sid, m.id, flush=True)
sys.stdin.read()
"""


class Writer:
    def __init__(self, database: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", WRITER, str(database)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the writer process failed to start"
        self.session_id, self.message_id = map(int, line.split())

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: no clean-up runs, the answer stays "streaming"
        self.proc.wait(60)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(60)


@pytest.fixture
def writer(paths: Paths) -> Iterator[Writer]:
    w = Writer(paths.database)
    yield w
    w.stop()


def status(paths: Paths, message_id: int) -> str:
    with Store(paths.database) as s:
        message = s.messages.get(message_id)
        assert message is not None
        return message.status


def test_a_live_writers_answer_is_untouched_and_a_killed_ones_is_interrupted(paths, writer):
    engine = build_engine(Settings(), paths).open()  # this process opens the store while the writer streams
    engine.close()
    assert status(paths, writer.message_id) == "streaming"
    writer.kill()
    assert status(paths, writer.message_id) == "streaming"  # nobody has opened the store since
    engine = build_engine(Settings(), paths).open()
    engine.close()
    with Store(paths.database) as s:
        assert [(m.content, m.status) for m in s.messages.list(writer.session_id)] == [
            ("tell me a long story", "complete"), ("Once upon a", "interrupted")]
        assert list(s.db.query("SELECT * FROM message_writers")) == []  # the claim went with it


def test_a_reused_pid_is_not_taken_for_the_writer(paths, writer):
    """The claim names the pid and the process's start time: the same pid with another
    start time is another process, so the answer is recovered."""
    with Store(paths.database) as s:
        s.db.execute("UPDATE message_writers SET started = '1' WHERE message_id = ?", [writer.message_id])
        s.db.conn.commit()
    build_engine(Settings(), paths).open().close()
    assert status(paths, writer.message_id) == ("interrupted" if sys.platform.startswith("linux") else "streaming")


@pytest.fixture
def server() -> Iterator[ScriptedOllama]:
    with ScriptedOllama() as s:
        s.add_model(CHAT)
        yield s


def wits(server: ScriptedOllama, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OLLAMA_HOST": server.host, "WITS_CHAT__DEFAULT_MODEL": CHAT}
    return subprocess.run([sys.executable, "-m", "wits_tui", *args], input="", capture_output=True, text=True,
                          timeout=60, env=env)


def test_wits_ask_after_a_crash_marks_the_cut_off_answer_interrupted(paths, writer, server):
    server.script(CHAT, Reply(text="Fine."))
    proc = wits(server, "ask", "are you there?")  # while the writer is alive
    assert proc.returncode == 0, proc.stderr
    assert status(paths, writer.message_id) == "streaming"
    writer.kill()
    server.script(CHAT, Reply(text="Still here."))
    proc = wits(server, "ask", "and now?")
    assert proc.returncode == 0, proc.stderr
    assert status(paths, writer.message_id) == "interrupted"


@pytest.mark.parametrize("command", [["history"], ["sessions", "list"], ["export", "1", "--format", "json"]])
def test_every_command_that_opens_the_store_recovers(paths, writer, server, command):
    writer.kill()
    proc = wits(server, *command)
    assert proc.returncode == 0, proc.stderr
    assert status(paths, writer.message_id) == "interrupted"
