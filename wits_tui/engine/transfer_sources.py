"""The sources an answer was given, in the exports: a list under the answer in Markdown, one
folded passage each in HTML, every field in JSON (and back on import)."""

from __future__ import annotations

import html
from typing import Any

from wits_tui.engine.docs.records import source_title

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~"})


def sources_markdown(m: Any) -> list[str]:
    """``**Sources**`` and a line per passage, or nothing."""
    if not getattr(m, "sources", ()):
        return []
    lines = [f"- {' '.join(source_title(s.to_dict()).split()).translate(_MD_SPECIAL)}" for s in m.sources]
    return ["**Sources**", "", *lines, ""]


def sources_html(m: Any) -> str:
    """A folded passage per source (its title opens it), or ""."""
    if not getattr(m, "sources", ()):
        return ""
    items = "".join(f"<details><summary>{html.escape(source_title(s.to_dict()))}</summary><pre>{html.escape(s.text)}</pre></details>"
                    for s in m.sources)
    return f'<div class="sources"><div class="who">Sources</div>{items}</div>'


SOURCES_CSS = ".sources{font-size:.9rem;margin-top:.6rem}.sources summary{cursor:pointer}.sources pre{white-space:pre-wrap}\n"


def insert_sources(db: Any, message_id: int, rows: list[Any]) -> None:
    """An imported answer's sources (``rows``: the file's validated source rows)."""
    from wits_tui.engine.store import sources
    from wits_tui.engine.store.records import Source

    if rows:
        sources.insert(db, message_id, [Source.from_dict(r.model_dump()) for r in rows])
