"""Compact lines in the chat that expand on click or Enter: the memory an answer used,
and each tool call with its result."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Collapsible, Static

from wits_tui.commands import describe

SEGMENT_CHARS = 400  # of each recalled segment shown when expanded


class DetailLine(Collapsible):
    """One line (a ▶ title) with a body shown when expanded. Titles are plain text."""

    def __init__(self, title: str, body: str, *, classes: str = "") -> None:
        super().__init__(Static(body, markup=False, classes="detail-body"), title=Content(title),  # type: ignore[arg-type]  # a Content is shown as is (a str is markup)
                         collapsed=True, collapsed_symbol="▸", expanded_symbol="▾", classes=f"detail-line {classes}")

    def set_detail(self, title: str, body: str) -> None:
        self.title = Content(title)  # type: ignore[assignment]
        self.query_one(".detail-body", Static).update(body)


def memory_body(segments: list[dict[str, Any]]) -> str:
    parts = []
    for seg in segments:
        text = " ".join(str(seg.get("text", "")).split())
        text = text if len(text) <= SEGMENT_CHARS else text[: SEGMENT_CHARS - 1] + "…"
        head = describe.segment_line({**seg, "text": ""}).rstrip(" ·")
        parts.append(f"{head}\n  {text}")
    return "\n".join(parts)


class MemoryUsedLine(DetailLine):
    """“memory used (N)” above an answer; expanded: each segment with when and how well it matched."""

    def __init__(self, event: Any) -> None:
        n = len(event.segments)
        how = " · text search only" if event.mode == "text_only" else ""
        super().__init__(f"memory used ({n}){how}", memory_body(event.segments), classes="memory-used")
        self.segments = event.segments


class ToolLine(DetailLine):
    """“⚙ calculator(expression='2+2') → 4 · 3 ms”; expanded: the arguments and the result as JSON."""

    def __init__(self, event: Any) -> None:
        super().__init__(describe.tool_line(event.name, event.arguments, ok=None),
                         f"arguments:\n{describe.pretty_json(event.arguments)}", classes="tool-call -running")
        self.round, self.tool, self.done = event.round, event.name, False

    def finish(self, result: Any) -> None:
        self.done = True
        title = describe.tool_line(result.name, result.arguments, ok=result.ok, content=result.content,
                                   error_type=result.error_type, duration_ms=result.duration_ms)
        self.set_detail(title, f"arguments:\n{describe.pretty_json(result.arguments)}\n\n"
                               f"result{'' if result.ok else ' (error)'}:\n{describe.pretty_json(result.content)}")
        self.remove_class("-running")
        self.set_class(not result.ok, "-error")
