"""The Docs facade: document collections for the engine, the CLI and the slash commands.

*async* methods call the backend (embeddings) and must run on the loop that owns it; they
move SQLite and LanceDB work to threads. The plain methods block: a UI calls them from a
worker thread. Construction does no I/O and does not import lancedb.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from wits_tui.engine.backends.base import Backend
from wits_tui.engine.context import estimate_tokens
from wits_tui.engine.docs import retrieval
from wits_tui.engine.docs.records import CollectionStats, IndexProgress, IndexReport, Passage
from wits_tui.engine.docs.store import DocsError, PassageStore
from wits_tui.engine.memory.embedder import Embedder, EmbeddingUnavailable
from wits_tui.settings import DocsSettings

#: Candidates fetched from each search before fusion.
SEARCH_DEPTH = 20
#: Vector rows searched per passage wanted (a code passage has a row per definition besides its own).
#: 3 and 5 find the same on benchmarks/data/docs_tuning.jsonl (recall@5 74.5 %); 3 costs less.
VECTOR_ROWS = 3
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Retrieval:
    passages: list[Passage]
    block: str
    tokens: int
    mode: str  # hybrid | text_only
    elapsed_ms: float
    reason: str = ""


def default_name(path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.name or "docs").strip("-.") or "docs"
    return stem[:64]


_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    """One thread for the vector search while the calling thread runs the full-text search
    (LanceDB releases the GIL: the two overlap)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wits-docs-search")
    return _POOL


def shown_path(path: str, roots: Sequence[Path]) -> str:
    """``path`` relative to the folder of the collection it is under (a file root: its name)."""
    p = Path(path)
    for root in roots:
        if p == root:
            return p.name
        if root in p.parents:
            return p.relative_to(root).as_posix()
    return path


class Docs:
    def __init__(self, settings: DocsSettings, directory: Path, store: Any, backend: Backend) -> None:
        self.settings = settings
        self.store = store  # wits_tui.engine.store.Store: the catalog and the embedding cache
        self.passages = PassageStore(directory)
        self.embedder = Embedder(backend, batch_size=settings.embed_batch_size, cache_size=256)

    # -- opening and embedding ---------------------------------------------------------------
    def open_store(self) -> PassageStore:
        """Open LanceDB (blocking, about a second the first time). Raises DocsError."""
        self.passages.index_min_rows = self.settings.index_min_rows
        self.passages.open()
        return self.passages

    @property
    def embed_model(self) -> str:
        """The model whose vectors the index holds (new passages and queries use it too)."""
        return self.passages.embed_model or self.settings.embedding_model

    def model_change(self) -> str | None:
        """What to say when ``docs.embedding_model`` is not the model the index was built with
        (the index keeps using its own until :meth:`forget_vectors` and an update)."""
        built = self.passages.embed_model
        wanted = self.settings.embedding_model
        if built and built != wanted:
            return (f"the document index holds vectors of {built}, but docs.embedding_model is {wanted}; "
                    f"searches use {built} until `wits docs reembed` (or /docs reembed) indexes every collection again")
        from wits_tui.engine.docs.embed_text import SCHEME

        schemes = self.passages.meta.get("schemes", {})
        older = [c.name for c in self.store.docs.list() if c.name in schemes and schemes[c.name] != SCHEME]
        older += [c.name for c in self.store.docs.list() if c.name not in schemes and self.store.docs.files(c.name)]
        if older:
            return (f"{', '.join(sorted(older))}: embedded by an earlier version of Wits; the next `wits docs update` "
                    f"embeds {'it' if len(older) == 1 else 'them'} again (once)")
        return None

    def forget_vectors(self) -> list[str]:
        """Drop the index and every collection's file states, so the next update of each collection
        reads and embeds everything with ``docs.embedding_model`` (blocking). Returns the collections."""
        self.open_store().reset()
        names = [c.name for c in self.store.docs.list()]
        for name in names:
            self.store.docs.forget(name, list(self.store.docs.files(name)))
        return names

    async def embed(self, texts: Sequence[str]) -> tuple[list[list[float]], int]:
        """Vectors for ``texts`` (cached in SQLite by content hash) and how many were new.
        Raises DocsError when the embedding model is missing or the server is down."""
        model = self.embed_model
        cached = await asyncio.to_thread(self.store.embeddings.get_many, model, list(texts))
        missing = list(dict.fromkeys(t for t in texts if t not in cached))
        if missing:
            try:
                vectors = await self.embedder.embed(model, missing)
            except EmbeddingUnavailable as exc:
                raise DocsError(str(exc), exc.hint.replace("memory.embedding_model", "docs.embedding_model")) from exc
            fresh = dict(zip(missing, vectors))
            await asyncio.to_thread(self.store.embeddings.put_many, model, fresh)
            cached.update(fresh)
        return [cached[t] for t in texts], len(missing)

    # -- collections -------------------------------------------------------------------------
    def add(self, paths: Sequence[str | Path], name: str | None = None) -> Any:
        """Create collection ``name`` (default: the first folder's name) or add folders to it (blocking).
        Only these folders are ever read for it. Raises DocsError for a missing path or a bad name."""
        if not paths:
            raise DocsError("no folder or file given", "e.g. `wits docs add ~/notes --name notes`")
        roots = []
        for p in paths:
            path = Path(p).expanduser().resolve()
            if not path.exists():
                raise DocsError(f"{p} does not exist", "check the path")
            roots.append(str(path))
        name = name or default_name(Path(roots[0]))
        if not NAME.match(name):
            raise DocsError(f"{name!r} is not a usable collection name",
                            "use letters, digits, '-', '_' or '.' (it is typed as @NAME in messages)")
        return self.store.docs.save(name, roots)

    def need(self, name: str) -> Any:
        coll = self.store.docs.get(name)
        if coll is None:
            names = ", ".join(c.name for c in self.store.docs.list()) or "none yet"
            raise DocsError(f"there is no collection {name!r} (collections: {names})", "`wits docs add PATH --name NAME` makes one")
        return coll

    async def index(self, name: str, progress: Callable[[IndexProgress], None] | None = None) -> IndexReport:
        """Index (or update) a collection; see :mod:`wits_tui.engine.docs.indexer`."""
        from wits_tui.engine.docs.indexer import index

        return await index(self, name, progress)

    def remove(self, name: str) -> int:
        """Delete a collection and its passages (blocking). Returns how many files it had."""
        self.need(name)
        files = self.store.docs.counts(name)["files"]
        self.open_store().delete_collection(name)
        self.store.docs.delete(name)
        return int(files)

    def collections(self) -> list[CollectionStats]:
        out = []
        for c in self.store.docs.list():
            n = self.store.docs.counts(c.name)
            out.append(CollectionStats(c.name, c.roots, n["files"], n["chunks"], n["failed"], c.updated_at))
        return out

    def stats(self) -> dict[str, Any]:
        """Size on disk against the cap, the embedding model, passage count (blocking)."""
        store = self.open_store()
        return {"passages": store.count(), "size_bytes": store.disk_bytes(), "cap_bytes": int(self.settings.max_size_mb * 1_000_000),
                "embed_model": self.embed_model, "dim": store.dim, "vector_index": bool(store.meta.get("indexed"))}

    # -- searching ---------------------------------------------------------------------------
    async def search(self, names: Sequence[str], query: str, limit: int = SEARCH_DEPTH) -> tuple[list[Passage], str]:
        """Passages of ``names`` for ``query`` by hybrid search, and the mode (hybrid | text_only)."""
        await asyncio.to_thread(self.open_store)
        vector: list[float] | None = None
        if self.passages.dim:
            try:
                vector = (await self.embedder.embed(self.embed_model, [query]))[0]
            except EmbeddingUnavailable:
                vector = None
        by_meaning, by_text = await asyncio.to_thread(self.search_sync, names, query, vector, limit)
        roots = await asyncio.to_thread(lambda: [Path(r) for n in names if (c := self.store.docs.get(n)) for r in c.roots])
        found = [replace(p, rel=shown_path(p.path, roots)) for p in retrieval.fuse(by_meaning, by_text, fetch=self.passages.fetch, limit=limit)]
        return found, "hybrid" if vector is not None else "text_only"

    def search_sync(self, names: Sequence[str], query: str, vector: Sequence[float] | None, limit: int) -> tuple[list[Any], list[Any]]:
        """Both searches (blocking), side by side: (vector hits, full-text hits). The vector search looks
        ``VECTOR_ROWS`` times deeper: its rows are passages' own vectors and their definitions'."""
        everything = set(names) >= {c.name for c in self.store.docs.list()}
        scope = None if everything else names  # filtering costs ~5 ms at 100k passages: only when it selects
        if vector is None:
            return [], self.passages.text_search(scope, query, limit)
        by_meaning = _pool().submit(self.passages.vector_search, scope, vector, limit * VECTOR_ROWS)
        by_text = self.passages.text_search(scope, query, limit)
        return by_meaning.result(), by_text

    async def retrieve(self, names: Sequence[str], query: str, token_budget: int | None = None) -> Retrieval:
        """The numbered passages for a prompt within the token budget."""
        started = time.perf_counter()
        found, mode = await self.search(names, query, SEARCH_DEPTH)
        s = self.settings
        chosen = retrieval.within_budget(found, max_passages=s.retrieval_max_passages,
                                         token_budget=token_budget or s.retrieval_token_budget)
        block = retrieval.format_block(chosen)
        reason = "" if mode == "hybrid" else f"searched by words only: embedding model '{self.embed_model}' did not answer"
        return Retrieval(chosen, block, estimate_tokens(block) if block else 0, mode,
                         (time.perf_counter() - started) * 1000, reason)

    def run_sync(self, coro: Any) -> Any:
        """Run one of these coroutines on a fresh loop (see Embedder.run_sync)."""
        return self.embedder.run_sync(coro)

    def close(self) -> None:
        self.passages.close()
