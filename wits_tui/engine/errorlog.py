"""The model error log: one JSON line per failure, one file per day, in the log dir.

Tracebacks go to the ordinary log file (`wits.log`, see :func:`setup_logging`),
never to the screen.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("wits")


def new_error_id() -> str:
    return uuid.uuid4().hex[:12]


class ErrorLog:
    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._lock = threading.Lock()

    def path_for(self, when: datetime) -> Path:
        return self.log_dir / f"model-errors-{when:%Y-%m-%d}.jsonl"

    def write(self, *, error_id: str, model: str | None, error_type: str, message: str, context: dict[str, Any]) -> Path | None:
        now = datetime.now(UTC)
        record = {
            "error_id": error_id,
            "timestamp": now.isoformat(timespec="milliseconds"),
            "model": model,
            "type": error_type,
            "message": message,
            "context": context,
        }
        path = self.path_for(now)
        try:
            with self._lock:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                with path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(record, default=str) + "\n")
        except OSError:
            log.exception("could not write the model error log %s", path)
            return None
        return path


def setup_logging(log_dir: Path, level: int = logging.INFO, *, warnings: bool = False) -> None:
    """Send the `wits` logger to `wits.log` in the log dir (rotated), once; with ``warnings``, Python's
    warnings too (process-wide: the command line asks for it, a program using the engine decides for itself)."""
    logger = logging.getLogger("wits")
    handler = next((h for h in logger.handlers if getattr(h, "_wits", False)), None)
    if handler is None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(log_dir / "wits.log", maxBytes=2_000_000, backupCount=3,
                                                           encoding="utf-8")
        except OSError:
            return
        handler._wits = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    if warnings:
        # A library's warning (asyncio's "coroutine ... was never awaited" at exit) is a line for the log, not one
        # printed over the terminal: Python's warnings module logs to "py.warnings" once it is captured.
        logging.captureWarnings(True)
        caught = logging.getLogger("py.warnings")
        if handler not in caught.handlers:
            caught.addHandler(handler)
        caught.propagate = False
