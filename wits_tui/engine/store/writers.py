"""Who is writing a streaming answer, and whether that process still exists.

An answer is saved as ``streaming`` while it arrives. When its writer dies (a crash,
``kill -9``) it stays ``streaming``; the next process that opens the store marks it
``interrupted``. Several processes may use one database at once (the TUI and `wits
ask`), so recovery must not touch an answer another *live* process is still
writing: every streaming answer records its writer (pid and the process's start
time, so a reused pid is not mistaken for the writer) in ``message_writers``.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Writer:
    pid: int
    #: The process's start time as the OS reports it ("" where it cannot be read).
    started: str


def _proc_stat(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/<pid>/stat (state first), or None without procfs or process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            raw = f.read()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may itself hold spaces or parentheses
    return raw[raw.rfind(")") + 2 :].split()


def start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), else ""."""
    fields = _proc_stat(pid)
    return fields[19] if fields and len(fields) > 19 else ""


@functools.cache
def current() -> Writer:
    """This process as a writer."""
    pid = os.getpid()
    return Writer(pid, start_time(pid))


def alive(writer: Writer) -> bool:
    """Whether ``writer`` is still running (and is the same process, not a reused pid)."""
    if writer.pid == os.getpid():
        return writer.started == current().started
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate it there
        return False
    try:
        os.kill(writer.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        pass
    except OSError:
        return False
    fields = _proc_stat(writer.pid)
    if fields is None:  # no procfs (macOS): the pid exists, take it as the writer
        return True
    if fields[0] in ("Z", "X"):  # a zombie has finished writing
        return False
    return not writer.started or fields[19] == writer.started
