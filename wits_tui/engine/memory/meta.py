"""``wits-memory.json``: which table is current, its vector size and embedding model.

Several processes share it, so it is re-read before every write (under the write lock, see
proclock.py) and whenever its file changed, and written whole through a private temporary file.
"""

from __future__ import annotations

import json
import os
import uuid
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from wits_tui.engine.memory.records import MemoryBroken

META_FILE = "wits-memory.json"


def signature(path: Path) -> tuple[int, int] | None:
    """Changes whenever the file is replaced (None when there is none)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_ino)


def read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MemoryBroken(f"the memory index file {path} is damaged: {exc}") from exc
    if not isinstance(meta, dict):
        raise MemoryBroken(f"the memory index file {path} is damaged: not a JSON object")
    return meta


def write(path: Path, meta: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")  # private: another process may write too
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(meta, indent=2, default=str))
    os.replace(tmp, path)


class SavedMeta:
    """A store's meta file (memory's and the document index's): read into ``meta``, saved whole
    under the store's write lock (``_writing``, which first follows what other processes saved)."""

    META_NAME = META_FILE
    directory: Path
    meta: dict[str, Any]
    _meta_sig: tuple[int, int] | None

    def _writing(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def reload_meta(self) -> bool:
        """Read the meta file again when it changed since this process read or wrote it (another
        process saved it); True when it did. Raises :class:`MemoryBroken` for a damaged file."""
        path = self.directory / self.META_NAME
        sig = signature(path)
        if sig is not None and sig == self._meta_sig:
            return False
        self.meta, self._meta_sig = read(path), sig
        return True

    def save_meta(self, **changes: Any) -> None:
        with self._writing():
            self.meta.update(changes)
            path = self.directory / self.META_NAME
            write(path, self.meta)
            self._meta_sig = signature(path)

    @property
    def dim(self) -> int | None:
        return self.meta.get("dim")

    @property
    def embed_model(self) -> str | None:
        """The model whose vectors the table holds (queries must be embedded with it)."""
        return self.meta.get("embed_model")
