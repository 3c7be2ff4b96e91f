"""Indexing a collection: walk, compare, cut, embed (cached), write. Incremental and resumable.

A file is re-read only when its size or modification time changed, and re-embedded only
when its content hash changed. Files go in batches; each batch is embedded, its passages
written to LanceDB (the files' old passages deleted first), and only then its files'
hashes recorded in SQLite. A run that is cancelled or killed keeps every batch that was
recorded; the next run redoes the rest (deleting first makes that safe).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wits_tui.engine.docs.chunking import Limits, chunk, chunk_python
from wits_tui.engine.docs.embed_text import SCHEME, CodeFile, code_file, definitions, embed_text, parse_python, place
from wits_tui.engine.docs.readers import Unreadable, read_text
from wits_tui.engine.docs.records import IndexProgress, IndexReport
from wits_tui.engine.docs.store import DocsError
from wits_tui.engine.docs.walk import Found, walk
from wits_tui.engine.store.docs_catalog import FileState

if TYPE_CHECKING:
    from wits_tui.engine.docs.facade import Docs
    from wits_tui.engine.docs.store import PassageStore

#: A batch is embedded and written once it holds this many passages (or files).
BATCH_CHUNKS = 256
BATCH_FILES = 64


@dataclass
class _Prepared:
    found: Found
    state: FileState
    rows: list[dict[str, Any]] = field(default_factory=list)  # passages, each followed by its extra vectors' rows
    unchanged: bool = False
    known: bool = True  # in the catalog before this run (it may have passages to delete)


def _page(heading: str) -> int:
    head = heading.split(" > ")[0]
    return int(head[5:]) if head.startswith("Page ") and head[5:].isdigit() else 1


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def search_text(path: str, heading: str, text: str) -> str:
    """What is searched by full text: the file name and heading path give a passage its context.
    (What is embedded: :func:`embed_text.embed_text`.)"""
    return f"{place(path, heading)}\n{text}"


def prepare(collection: str, found: Found, known: FileState | None, limits: Limits) -> _Prepared:
    """Read, hash and cut one file (blocking). Never raises: a failure is a ``failed`` state."""
    path = str(found.path)
    try:
        data = found.path.read_bytes()
    except OSError as exc:
        return _Prepared(found, FileState(path, found.kind, found.size, found.mtime_ns, None, 0, "failed",
                                          f"cannot be read: {exc.strerror or exc}"))
    digest = file_hash(data)
    if known is not None and known.status == "indexed" and known.hash == digest:
        return _Prepared(found, FileState(path, found.kind, found.size, found.mtime_ns, digest, known.chunks, "indexed", None),
                         unchanged=True)
    try:
        text = read_text(found.path, found.kind, data)
        tree = parse_python(text) if found.kind == "python" else None  # parsed once: for chunking and code_file
        chunks = chunk_python(text, limits, tree) if tree is not None else chunk(found.kind, text, limits)
    except Unreadable as exc:
        return _Prepared(found, FileState(path, found.kind, found.size, found.mtime_ns, None, 0, "failed", str(exc)))
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop the collection
        return _Prepared(found, FileState(path, found.kind, found.size, found.mtime_ns, None, 0, "failed",
                                          f"could not be cut into passages: {type(exc).__name__}: {exc}"))
    if not chunks:  # an empty file (an empty __init__.py): indexed, with nothing to find
        return _Prepared(found, FileState(path, found.kind, found.size, found.mtime_ns, digest, 0, "indexed", None))
    if found.kind == "pdf":  # the reader made one "Page N" section per page: a PDF passage is located by page
        chunks = [replace(c, start_line=_page(c.heading), end_line=_page(c.heading)) for c in chunks]
    key = hashlib.sha1(f"{collection}\x1f{path}".encode()).hexdigest()[:16]
    rows = []
    code = code_file(text, tree=tree) if tree is not None else CodeFile()  # its classes and methods, from the whole file
    for n, c in enumerate(chunks):
        row = {"id": f"{key}-{n}", "collection": collection, "path": path, "kind": found.kind, "start_line": c.start_line,
               "end_line": c.end_line, "heading": c.heading, "text": c.text, "search_text": search_text(path, c.heading, c.text),
               "file_hash": digest, "of": "", "embed": embed_text(path, c.heading, c.text, found.kind, code)}
        rows.append(row)
        # more vectors (per definition, per class): the same passage, found by them (no text to search: once is enough)
        rows += [{**row, "id": f"{row['id']}.{m}", "of": row["id"], "search_text": "", "embed": t}
                 for m, t in enumerate(definitions(path, c.heading, c.text, found.kind, code, c.start_line))]
    return _Prepared(found, FileState(path, found.kind, found.size, found.mtime_ns, digest, len(chunks), "indexed", None), rows)


async def index(docs: "Docs", name: str, progress: Callable[[IndexProgress], None] | None = None) -> IndexReport:
    """(Re-)index collection ``name`` (async: embeddings run on this loop, files and LanceDB in threads).
    Cancelling it keeps what was done. Raises DocsError for a collection that does not exist."""
    started = time.perf_counter()
    report = IndexReport(name)
    catalog, settings = docs.store.docs, docs.settings
    coll = await asyncio.to_thread(catalog.get, name)
    if coll is None:
        raise DocsError(f"there is no collection {name!r}", "`wits docs list` shows them; `wits docs add PATH --name NAME` makes one")

    def tell(stage: str, done: int = 0, total: int = 0, path: str = "") -> None:
        if progress:
            progress(IndexProgress(name, done, total, report.chunks, time.perf_counter() - started, path, stage))

    tell("scanning")
    await asyncio.to_thread(docs.open_store)
    found = await asyncio.to_thread(walk, [Path(r) for r in coll.roots], settings.max_file_kb * 1024)
    report.skipped, report.ignored = found.skipped, found.ignored
    known = await asyncio.to_thread(catalog.files, name)
    present = {str(f.path) for f in found.files}
    gone = [p for p in known if p not in present]
    if gone:
        await asyncio.to_thread(_remove, docs, name, gone)
        report.removed = len(gone)
    # passages embedded by an older recipe (embed_text.SCHEME) are all embedded again
    # (a first run records the recipe at once, so a run killed midway resumes where it stopped)
    stale = bool(known) and docs.passages.meta.get("schemes", {}).get(name) != SCHEME
    if not known:
        await asyncio.to_thread(docs.passages.set_scheme, name, SCHEME)
    todo = []
    for f in found.files:
        k = known.get(str(f.path))
        if not stale and k is not None and k.status == "indexed" and k.size == f.size and k.mtime_ns == f.mtime_ns:
            report.unchanged += 1
        else:
            todo.append(f)
    limits = Limits(settings.chunk_tokens, settings.chunk_overlap_tokens)
    cap = int(settings.max_size_mb * 1_000_000)

    def had_passages(path: str) -> bool:  # a file that failed has none (they went when it failed): none to delete
        return path in known and known[path].status != "failed"

    def prepare_all(part: list[Any]) -> list[Any]:
        return [replace(prepare(name, f, None if stale else known.get(str(f.path)), limits), known=had_passages(str(f.path)))
                for f in part]

    try:
        done = 0
        tell("indexing", 0, len(todo))
        for i in range(0, len(todo), BATCH_FILES):
            part = todo[i:i + BATCH_FILES]
            prepared = await asyncio.to_thread(prepare_all, part)
            await _write_batches(docs, name, prepared, report)
            done += len(part)
            tell("indexing", done, len(todo), str(part[-1].path))
            if await asyncio.to_thread(_over_cap, docs.passages, cap):
                raise DocsError(f"the document index reached its cap of {settings.max_size_mb:g} MB",
                                "raise docs.max_size_mb in the config, or remove a collection")
        await asyncio.to_thread(docs.passages.set_scheme, name, SCHEME)
    except DocsError as exc:
        report.error, report.hint = exc.message, exc.hint
    except asyncio.CancelledError:
        report.cancelled = True
    finally:
        tell("finishing")
        await asyncio.to_thread(_finish, docs, name)
        report.elapsed_s = time.perf_counter() - started
    return report


async def _write_batches(docs: "Docs", name: str, prepared: Sequence[_Prepared], report: IndexReport) -> None:
    """Embed and write ``prepared`` in groups of about BATCH_CHUNKS passages."""
    group: list[_Prepared] = []
    size = 0
    for p in prepared:
        group.append(p)
        size += len(p.rows)
        if size >= BATCH_CHUNKS:
            await _write(docs, name, group, report)
            group, size = [], 0
    if group:
        await _write(docs, name, group, report)


async def _write(docs: "Docs", name: str, group: Sequence[_Prepared], report: IndexReport) -> None:
    rows = [r for p in group for r in p.rows]
    if rows:
        vectors, fresh = await docs.embed([r.pop("embed") for r in rows])
        for row, vector in zip(rows, vectors):
            row["vector"] = vector
        report.embedded += fresh
        report.cached += len(rows) - fresh
    changed = [p for p in group if not p.unchanged]

    def write() -> None:
        if rows:
            docs.passages.ensure_table(len(rows[0]["vector"]), docs.embed_model)
        # New files are recorded as pending first, so a run killed after the LanceDB write knows
        # to delete their passages; only known files can have passages to delete (deleting
        # scans the table: skipping it for new files keeps a first index linear).
        new = [p for p in changed if not p.known]
        if new:
            docs.store.docs.record(name, [replace(p.state, hash=None, chunks=0, status="pending") for p in new])
        docs.passages.replace_files(name, [p.state.path for p in changed if p.known], rows)
        docs.store.docs.record(name, [p.state for p in group])

    await asyncio.to_thread(write)
    for p in group:
        if p.unchanged:
            report.unchanged += 1
        elif p.state.status == "failed":
            report.failed.append((p.state.path, p.state.error or "failed"))
        else:
            report.indexed += 1
            report.chunks += p.state.chunks


def _over_cap(passages: "PassageStore", cap: int) -> bool:
    """Over ``docs.max_size_mb``, old versions' files kept a while for another process aside (the
    size on disk first: the cheap answer when it is under)."""
    return passages.disk_bytes() > cap and passages.live_bytes() > cap


def _remove(docs: "Docs", name: str, paths: list[str]) -> None:
    docs.passages.delete_files(name, paths)
    docs.store.docs.forget(name, paths)


def _finish(docs: "Docs", name: str) -> None:
    docs.passages.optimize(only_if_changed=True)
    docs.store.docs.touch(name)
