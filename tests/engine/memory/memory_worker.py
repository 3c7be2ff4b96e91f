"""A second (third...) process using the same memory directory, for the cross-process tests.

python -m tests.engine.memory.memory_worker DIR HOST ACTION [ARGS]
  remember PREFIX N      write N notes "PREFIX i", one flush each (as `wits ask --memory` does)
  maintain SECONDS       compact, clean up, count and search in a loop
Prints one JSON line: {"ok": ..., "written": ..., "errors": [...]}; exit 0 even on errors
(the test reads them), 3 if memory went broken.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tests.waiting import hang_guard
from wits_tui.engine.backends.ollama import OllamaBackend
from wits_tui.engine.memory import Memory
from wits_tui.settings import MemorySettings, OllamaSettings


def main(argv: list[str]) -> int:
    directory, host, action, *rest = argv
    # client deadlines only guard against a hung server (scaled like every wait in the suite)
    backend = OllamaBackend(OllamaSettings(host=host, connect_timeout=hang_guard(), read_timeout=hang_guard()))
    memory = Memory(MemorySettings(), Path(directory), backend)
    errors: list[str] = []
    written = 0
    if action == "remember":
        prefix, n = rest[0], int(rest[1])

        async def go() -> int:
            done = 0
            for i in range(n):
                try:
                    await memory.remember(f"{prefix} {i}: the locker code is {i * 7}")
                    done += 1
                except Exception as exc:  # noqa: BLE001 - reported to the test
                    errors.append(f"{type(exc).__name__}: {exc}")
                if memory.status.state == "broken":
                    errors.append(memory.status.message)
                    break
            return done

        written = memory.run_sync(go())
    elif action == "maintain":
        memory.open()
        deadline = time.monotonic() + float(rest[0])
        while time.monotonic() < deadline:
            try:
                memory.store.compact()
                memory.store.count()
                memory.store.text_search("locker code", 5)
                memory.stats()
            except Exception as exc:  # noqa: BLE001
                errors.append(f"{type(exc).__name__}: {exc}")
    memory.close()
    print(json.dumps({"ok": not errors, "written": written, "errors": errors[:5], "state": memory.status.state}))
    return 3 if memory.status.state == "broken" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
