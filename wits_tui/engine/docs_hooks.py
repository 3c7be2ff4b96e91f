"""Where documents meet the turn loop: the session's collections, ``@NAME`` and ``@path``
mentions, retrieved within the context budget into one numbered prompt block.

A failure costs the passages (with a note saying why), never the turn.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from wits_tui.engine.context import estimate_tokens
from wits_tui.engine.events import DocsUsed

if TYPE_CHECKING:
    from wits_tui.engine.core import Engine
    from wits_tui.engine.docs.records import Passage

# wits_tui.engine.docs is imported only when a message uses documents: `wits ask` starts lean.

log = logging.getLogger("wits.docs")

#: Tokens kept free for the question, the recent history and the system prompt when sizing attachments.
ROOM_FOR_CHAT = 1000
#: A context length assumed when the server does not say.
DEFAULT_CONTEXT = 8192


def allowed_roots(engine: "Engine") -> list[Path]:
    """Folders an ``@path`` may be read from: where Wits was started, tools.allowed_dirs, and the
    folders of every collection."""
    roots = [Path.cwd(), *(Path(d).expanduser() for d in engine.settings.tools.allowed_dirs)]
    roots += [Path(r) for c in engine.store.docs.list() for r in c.roots]
    return [r.resolve() for r in roots]


def attach_file(engine: "Engine", word: str, budget: int) -> "tuple[Passage | None, str]":
    """The whole text of one mentioned file as a passage, or (None, why not)."""
    from wits_tui.engine.docs import retrieval
    from wits_tui.engine.docs.readers import Unreadable, kind_of, read_text
    from wits_tui.engine.docs.records import Passage
    from wits_tui.engine.docs.walk import inside

    path = Path(word).expanduser()
    path = (path if path.is_absolute() else Path.cwd() / path).resolve()
    if not path.is_file():
        return None, f"@{word}: no such file"
    if not inside(path, allowed_roots(engine)):
        return None, (f"@{word} is outside the folders Wits may read: start Wits in its folder, add the folder "
                      f"to tools.allowed_dirs, or index it with `wits docs add {path.parent}`")
    kind = kind_of(path) or "text"
    try:
        text = read_text(path, kind, path.read_bytes())
    except (OSError, Unreadable) as exc:
        return None, f"@{word} cannot be attached: {getattr(exc, 'strerror', None) or exc}"
    lines = text.count("\n") + 1
    passage = Passage(id=f"file:{path}", collection="", path=str(path), kind=kind, start_line=1,
                      end_line=lines, heading="attached file", text=text, rel=word)
    cost = estimate_tokens(retrieval.format_passage(1, passage))
    if cost > budget:
        return None, (f"@{word} is about {cost:,} tokens, more than the {max(budget, 0):,} left in this model's context: "
                      f"ask about a part of it, or index it (`wits docs add {path}`) and ask with @NAME")
    return passage, ""


def _plan(engine: "Engine", session_id: int, text: str) -> tuple[list[str], list[str], list[str]]:
    from wits_tui.engine.docs import retrieval
    from wits_tui.engine.docs.session import attached

    names = attached(engine.store, session_id)
    known = {c.name for c in engine.store.docs.list()}
    files, notes = [], []
    for word in retrieval.mentions(text):
        if word in known:
            names.append(word)
        elif retrieval.looks_like_path(word):
            files.append(word)
    missing = [n for n in names if n not in known]
    notes += [f"collection {n!r} no longer exists (/docs drop {n})" for n in missing]
    return [n for n in dict.fromkeys(names) if n in known], list(dict.fromkeys(files)), notes


async def retrieve(engine: "Engine", session_id: int, text: str, model: str) -> tuple[list[dict[str, str]], DocsUsed | None]:
    """The prompt message with the numbered passages, and the event that lists them."""
    import asyncio

    started = time.perf_counter()
    if "@" not in text and not engine.store.state.get(f"docs:{session_id}"):
        return [], None  # the common case costs one indexed lookup
    from wits_tui.engine.docs import retrieval

    names, words, notes = await asyncio.to_thread(_plan, engine, session_id, text)
    if not names and not words and not notes:
        return [], None
    context = await engine.context_length(model) or DEFAULT_CONTEXT
    room = context - engine.settings.chat.answer_reserve_tokens - estimate_tokens(text) - ROOM_FOR_CHAT
    chosen: "list[Passage]" = []
    for word in words:
        passage, note = await asyncio.to_thread(attach_file, engine, word, room)
        if passage is None:
            notes.append(note)
            continue
        chosen.append(passage)
        room -= estimate_tokens(retrieval.format_passage(len(chosen), passage))
    mode = "files_only"
    if names:
        budget = min(engine.settings.docs.retrieval_token_budget, room)
        query = " ".join(w for w in text.split() if not w.startswith("@")) or text
        try:
            found = await engine.docs.retrieve(names, query, max(budget, 1))
            chosen += found.passages
            mode = found.mode
            if found.reason:
                notes.append(found.reason)
        except Exception as exc:  # noqa: BLE001 - documents must never cost the answer
            log.exception("document retrieval failed")
            notes.append(f"documents could not be searched: {exc}")
    block = retrieval.format_block(chosen)
    passages = [{"n": n, "location": p.location, **asdict(p)} for n, p in enumerate(chosen, start=1)]
    event = DocsUsed(collections=names, passages=passages, files=[p.path for p in chosen if not p.collection],
                     tokens=estimate_tokens(block) if block else 0, mode=mode,
                     elapsed_ms=round((time.perf_counter() - started) * 1000, 2), notes=notes)
    return ([{"role": "system", "content": block}] if block else []), event


def keep_sources(engine: "Engine", answer_ids: list[int], used: DocsUsed | None) -> None:
    """Store the passages an answer was given with it (a reopened session shows them under it).
    A failure is logged: it must not cost the answer."""
    if used is None or not used.passages or not answer_ids:
        return
    from wits_tui.engine.store.sources import from_passages

    try:
        sources = from_passages(used.passages)
        for message_id in answer_ids:
            engine.store.sources.save(message_id, sources)
    except Exception:  # noqa: BLE001 - logged; the answer is stored already
        log.exception("could not store the sources of answer(s) %s", answer_ids)
