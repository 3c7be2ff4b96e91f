"""Cutting a document into passages that follow its structure. Pure functions.

Markdown and reStructuredText are cut at headings, Python at top-level definitions
(through :mod:`ast`), other code and prose at blank lines; a piece longer than the
budget is cut into line windows that overlap. Every passage keeps its line range
(1-based, inclusive) and the path of headings (or definitions) it sits under.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Characters per estimated token (the same estimate as engine.context.estimate_tokens).
CHARS_PER_TOKEN = 4


@dataclass(frozen=True, slots=True)
class Chunk:
    text: str
    start_line: int
    end_line: int
    heading: str = ""  # "Install > From source", "class Store > def add"


@dataclass(frozen=True, slots=True)
class Limits:
    max_tokens: int = 350
    overlap_tokens: int = 40

    @property
    def max_chars(self) -> int:
        return self.max_tokens * CHARS_PER_TOKEN

    @property
    def overlap_chars(self) -> int:
        return min(self.overlap_tokens * CHARS_PER_TOKEN, self.max_chars // 2)


# -- the building blocks ----------------------------------------------------------------------
def _cut_long_line(line: str, max_chars: int) -> list[str]:
    """A line longer than the budget, cut at spaces where possible."""
    pieces = []
    while len(line) > max_chars:
        cut = line.rfind(" ", max_chars // 2, max_chars)
        cut = cut if cut > 0 else max_chars
        pieces.append(line[:cut])
        line = line[cut:].lstrip()
    return [*pieces, line] if line else pieces


def windows(lines: Sequence[str], first_line: int, limits: Limits, heading: str = "") -> list[Chunk]:
    """Consecutive lines packed into passages of at most ``limits.max_chars``; each passage after
    the first repeats the last lines of the one before (up to ``limits.overlap_chars``)."""
    items: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        for piece in _cut_long_line(line, limits.max_chars) if len(line) > limits.max_chars else [line]:
            items.append((first_line + i, piece))
    chunks: list[Chunk] = []
    start = 0
    while start < len(items):
        end, size = start, 0
        while end < len(items) and (end == start or size + len(items[end][1]) + 1 <= limits.max_chars):
            size += len(items[end][1]) + 1
            end += 1
        body = "\n".join(text for _, text in items[start:end])
        if body.strip():
            chunks.append(Chunk(body, items[start][0], items[end - 1][0], heading))
        if end >= len(items):
            break
        back, kept = end, 0  # the overlap: lines from the end of this window
        while back - 1 > start and kept + len(items[back - 1][1]) + 1 <= limits.overlap_chars:
            back -= 1
            kept += len(items[back][1]) + 1
        start = back
    return chunks


def blocks(lines: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) index ranges of the runs of non-blank lines; a fenced code block (```)
    stays one block even with blank lines inside."""
    out, start, fence = [], None, False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if line.strip() or fence:
            if start is None:
                start = i
        elif start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(lines)))
    return out


def pack(lines: Sequence[str], first_line: int, limits: Limits, heading: str = "") -> list[Chunk]:
    """Paragraphs (blank-line separated blocks) packed whole into passages up to the budget;
    a paragraph too long for one passage is cut into overlapping line windows."""
    chunks: list[Chunk] = []
    group: list[tuple[int, int]] = []

    def flush() -> None:
        if group:
            a, b = group[0][0], group[-1][1]
            body = "\n".join(lines[a:b]).strip("\n")
            chunks.append(Chunk(body, first_line + a, first_line + b - 1, heading))
            group.clear()

    for a, b in blocks(lines):
        size = sum(len(x) + 1 for x in lines[a:b])
        if size > limits.max_chars:
            flush()
            chunks.extend(windows(lines[a:b], first_line + a, limits, heading))
            continue
        if group and sum(len(x) + 1 for x in lines[group[0][0]:b]) > limits.max_chars:
            flush()
        group.append((a, b))
    flush()
    return chunks


def _sections(lines: Sequence[str], headings: Iterable[tuple[int, int, int, str]], limits: Limits) -> list[Chunk]:
    """Cut at headings given as (first line index, body start index, level, title)."""
    marks = sorted(headings)
    path: list[tuple[int, str]] = []
    chunks: list[Chunk] = []
    starts = [m[0] for m in marks]
    if not marks or marks[0][0] > 0:
        chunks += pack(lines[: starts[0] if marks else len(lines)], 1, limits)
    for n, (_first, body, level, title) in enumerate(marks):
        end = starts[n + 1] if n + 1 < len(marks) else len(lines)
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, title))
        if not any(line.strip() for line in lines[body:end]):
            continue  # a heading with nothing under it (before its first sub-heading)
        # the heading itself lives in the heading path (embedded and searched with the passage)
        chunks += pack(lines[body:end], body + 1, limits, " > ".join(t for _, t in path))
    return chunks


# -- per format --------------------------------------------------------------------------------
_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")


def markdown_headings(lines: Sequence[str]) -> list[tuple[int, int, int, str]]:
    out, fence = [], False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence:
            continue
        m = _ATX.match(line)
        if m:
            out.append((i, i + 1, len(m.group(1)), m.group(2).strip()))
        elif i > 0 and _SETEXT.match(line) and lines[i - 1].strip() and not (out and out[-1][0] == i - 1):
            prev = lines[i - 1].strip()
            if not _ATX.match(lines[i - 1]) and not prev.startswith(("-", "*", "|", ">")):
                out.append((i - 1, i + 1, 1 if line.strip()[0] == "=" else 2, prev))
    return out


def chunk_markdown(text: str, limits: Limits = Limits()) -> list[Chunk]:
    lines = text.splitlines()
    return _sections(lines, markdown_headings(lines), limits)


_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+<>:._])\1{2,}\s*$")


def rst_headings(lines: Sequence[str]) -> list[tuple[int, int, int, str]]:
    """Titles underlined (and maybe overlined) with punctuation; levels in order of first use."""
    styles: list[tuple[str, bool]] = []
    out = []
    i = 1
    while i < len(lines):
        line, title = lines[i], lines[i - 1]
        m = _RST_UNDERLINE.match(line)
        if m and title.strip() and not _RST_UNDERLINE.match(title) and len(line.rstrip()) >= len(title.rstrip()):
            over = i >= 2 and lines[i - 2].strip() == line.strip()
            style = (m.group(1), over)
            if style not in styles:
                styles.append(style)
            out.append((i - 2 if over else i - 1, i + 1, styles.index(style) + 1, title.strip()))
            i += 2
            continue
        i += 1
    return out


def chunk_rst(text: str, limits: Limits = Limits()) -> list[Chunk]:
    lines = text.splitlines()
    return _sections(lines, rst_headings(lines), limits)


def chunk_prose(text: str, limits: Limits = Limits()) -> list[Chunk]:
    return pack(text.splitlines(), 1, limits)


def chunk_code(text: str, limits: Limits = Limits()) -> list[Chunk]:
    """Code in a language without a parser here: blank-line separated blocks, line windows."""
    return pack(text.splitlines(), 1, limits)


def _def_name(node: ast.AST) -> str:
    if isinstance(node, ast.ClassDef):
        return f"class {node.name}"
    return f"def {getattr(node, 'name', '?')}"


def _span(node: ast.stmt) -> tuple[int, int]:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return first, node.end_lineno or node.lineno


def _python_units(body: Sequence[ast.stmt], lines: Sequence[str], lo: int, hi: int, prefix: str,
                  limits: Limits) -> list[Chunk]:
    """Lines lo..hi (1-based) cut at the definitions of ``body``; a class too long for one passage
    is cut again at its methods; the code between definitions is packed by blank lines."""
    defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    chunks: list[Chunk] = []
    cursor = lo

    def loose(a: int, b: int) -> None:  # module-level (or class-level) code between definitions
        if b >= a:
            chunks.extend(pack(lines[a - 1:b], a, limits, prefix))

    for node in body:
        if not isinstance(node, defs):
            continue
        a, b = _span(node)
        loose(cursor, a - 1)
        name = f"{prefix} > {_def_name(node)}" if prefix else _def_name(node)
        size = sum(len(x) + 1 for x in lines[a - 1:b])
        if size <= limits.max_chars:
            chunks.append(Chunk("\n".join(lines[a - 1:b]), a, b, name))
        elif isinstance(node, ast.ClassDef):
            chunks.extend(_python_units(node.body, lines, a, b, name, limits))
        else:
            chunks.extend(windows(lines[a - 1:b], a, limits, name))
        cursor = b + 1
    loose(cursor, hi)
    return chunks


def _joined(a: str, b: str) -> str:
    if a == b or not b or a.startswith(b + " > "):  # b: loose code of the class a's method is in
        return a
    if not a:
        return b
    head_a, _, last_a = a.rpartition(" > ")
    head_b, _, last_b = b.rpartition(" > ")
    if head_a == head_b:
        return f"{a}, {last_b}"
    return f"{a}, {b}"


def merge_small(chunks: Sequence[Chunk], lines: Sequence[str], limits: Limits) -> list[Chunk]:
    """Neighbouring passages (small functions, a comment between methods) joined while the
    result fits the budget: a two-line property alone is a poor passage."""
    out: list[Chunk] = []
    for c in chunks:
        prev = out[-1] if out else None
        if prev is not None and c.start_line > prev.end_line and \
                sum(len(x) + 1 for x in lines[prev.start_line - 1:c.end_line]) <= limits.max_chars:
            out[-1] = Chunk("\n".join(lines[prev.start_line - 1:c.end_line]), prev.start_line, c.end_line,
                            _joined(prev.heading, c.heading))
        else:
            out.append(c)
    return out


def chunk_python(text: str, limits: Limits = Limits(), tree: ast.Module | None = None) -> list[Chunk]:
    """Top-level functions and classes (a long class by its methods; ``tree``: the text's, when parsed
    already); the line-window fallback when the file does not parse."""
    try:
        tree = tree or ast.parse(text)
    except (SyntaxError, ValueError):
        return chunk_code(text, limits)
    lines = text.splitlines()
    units = [c for c in _python_units(tree.body, lines, 1, len(lines), "", limits) if c.text.strip()]
    return merge_small(units, lines, limits)


CHUNKERS = {
    "markdown": chunk_markdown, "rst": chunk_rst, "python": chunk_python, "code": chunk_code,
    "text": chunk_prose, "html": chunk_markdown, "pdf": chunk_markdown,
}


def chunk(kind: str, text: str, limits: Limits = Limits()) -> list[Chunk]:
    """Passages of a document of ``kind`` (see :data:`CHUNKERS`)."""
    return CHUNKERS.get(kind, chunk_prose)(text, limits)
