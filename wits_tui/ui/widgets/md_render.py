"""Markdown to terminal lines, with Rich: how the chat draws an answer.

Textual's ``Markdown`` widget builds a widget per block and a highlighter per code
block: 4.6-5.6 s for a 4,000-token corpus answer (issue 13). Rich's ``Markdown``
renders the same text to lines in 60-70 ms (``benchmarks/corpus.py`` answers, 100
columns), so an answer is rendered once per width and theme to ``Strip``s and drawn
with the Line API. Everything here is pure and thread-safe (a Console per thread),
so finished answers can be rendered off the event loop.

Code blocks keep Pygments highlighting and wrap (Rich's ``Syntax(word_wrap=True)``),
tables shrink their columns to fit, and links show their address after the text:
everything wraps, nothing needs a horizontal scroll.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.theme import Theme
from textual.color import Color
from textual.strip import Strip

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@cache
def _parser() -> "MarkdownIt":
    """What rich.markdown parses with. Made on first use: markdown-it, rich.markdown and Pygments
    are imported when the first answer is drawn, not while the app starts (about 50 ms)."""
    from markdown_it import MarkdownIt

    return MarkdownIt().enable("strikethrough").enable("table")
_local = threading.local()


@dataclass(frozen=True)
class Look:
    """Colours for rendered Markdown, taken from the app's theme. ``key`` names it for caches."""

    key: str
    theme: Theme
    code_theme: str


def _hex(variables: dict[str, str], name: str, fallback: str) -> str:
    try:
        return Color.parse(variables.get(name, fallback)).hex6
    except Exception:
        return fallback


def look_from(theme_name: str, variables: dict[str, str], dark: bool) -> Look:
    """A Look from Textual's CSS variables (``App.get_css_variables()``)."""
    fg = _hex(variables, "foreground", "#e0e0e0")
    bg = _hex(variables, "background", "#121212")
    primary = _hex(variables, "text-primary", _hex(variables, "primary", "#0178d4"))
    secondary = _hex(variables, "text-secondary", primary)
    accent = _hex(variables, "text-accent", _hex(variables, "accent", "#ffa62b"))
    muted = Color.parse(fg).blend(Color.parse(bg), 0.4).hex6
    code_bg = Color.parse(bg).blend(Color.parse(fg), 0.08).hex6
    styles = {
        "markdown.paragraph": "", "markdown.text": "", "markdown.em": "italic", "markdown.strong": "bold",
        "markdown.s": "strike", "markdown.emph": "italic",
        "markdown.code": f"bold {accent} on {code_bg}", "markdown.code_block": f"on {code_bg}",
        "markdown.h1": f"bold {primary}", "markdown.h1.border": primary, "markdown.h2": f"bold underline {primary}",
        "markdown.h3": f"bold {primary}", "markdown.h4": f"bold italic {primary}", "markdown.h5": "italic",
        "markdown.h6": "italic", "markdown.block_quote": f"italic {muted}", "markdown.hr": muted,
        "markdown.item.bullet": f"bold {accent}", "markdown.item.number": f"bold {accent}",
        "markdown.link": f"underline {secondary}", "markdown.link_url": muted,
        "markdown.table.border": muted, "markdown.table.header": f"bold {primary}",
    }
    return Look(f"{theme_name}:{fg}:{bg}:{primary}", Theme(styles, inherit=True),
                "monokai" if dark else "default")


def _console(look: Look, width: int) -> Console:
    cache: dict[str, Console] = getattr(_local, "consoles", None) or {}
    _local.consoles = cache
    console = cache.get(look.key)
    if console is None:
        if len(cache) > 4:
            cache.clear()
        console = cache[look.key] = Console(
            file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor", theme=look.theme,
            legacy_windows=False, highlight=False, emoji=False, markup=False,
        )
    return console


#: Style meta on a code block's "copy" label: the block's text and number (a click copies it).
CODE_META = "wits_code"
CODE_NUMBER_META = "wits_code_n"


@cache
def _markdown_class() -> Any:
    """Rich's Markdown with labelled code blocks; built on first use (rich.markdown and Pygments
    are imported when the first answer is drawn, not while the app starts)."""
    from rich.markdown import CodeBlock, Markdown
    from rich.syntax import Syntax

    class LabelledCode(CodeBlock):
        """A code block whose top padding line carries a "copy code N" label at its right end.
        N counts the answer's code blocks as ``engine.markdown_code`` does (``/copy code N``)."""

        number = 0

        @classmethod
        def create(cls, markdown: Markdown, token: Any) -> CodeBlock:
            block = super().create(markdown, token)
            block.number = markdown.first_code + markdown.code_seen + 1  # type: ignore[attr-defined]
            markdown.code_seen += 1  # type: ignore[attr-defined]
            return block

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            code = str(self.text).rstrip()
            syntax = Syntax(code, self.lexer_name, theme=self.theme, word_wrap=True, padding=1)
            lines = console.render_lines(syntax, options, pad=True)
            if lines:
                width = options.max_width
                bg = next((seg.style for seg in lines[0] if seg.style is not None), None) or Style()
                label = f" copy code {self.number} " if width >= 24 else " copy "
                meta = Style(dim=True, meta={CODE_META: code, CODE_NUMBER_META: self.number})
                if width > len(label):
                    lines[0] = [Segment(" " * (width - len(label)), bg), Segment(label, bg + meta)]
            for line in lines:
                yield from line
                yield Segment.line()

    class LabelledMarkdown(Markdown):
        elements = {**Markdown.elements, "fence": LabelledCode, "code_block": LabelledCode}

        def __init__(self, text: str, first_code: int = 0, **kwargs: Any) -> None:
            self.first_code = first_code  # code blocks before this text (a live answer renders in parts)
            self.code_seen = 0
            super().__init__(text, **kwargs)

    return LabelledMarkdown


def render(text: str, width: int, look: Look, first_code: int = 0) -> list[Strip]:
    """``text`` as lines ``width`` cells wide (at most; shorter lines are not padded).
    ``first_code``: how many code blocks come before ``text`` in the answer (their labels count on)."""
    width = max(8, width)
    console = _console(look, width)
    md = _markdown_class()(text, first_code, code_theme=look.code_theme, hyperlinks=False)
    lines = console.render_lines(md, console.options.update(width=width, height=None), pad=False, new_lines=False)
    return [Strip(line) for line in lines]


def _is_label(segment: Segment) -> bool:
    style = segment.style
    return style is not None and bool(style._meta) and CODE_META in style.meta


def plain(lines: list[Strip]) -> str:
    """The text of rendered lines (for selections), without the code blocks' copy labels."""
    return "\n".join("".join(seg.text for seg in strip if not _is_label(seg)).rstrip() for strip in lines)


# -- streaming: which part of a growing answer is complete ---------------------
CONTAINERS = {"bullet_list_open", "ordered_list_open", "blockquote_open", "table_open"}


def blocks(text: str) -> list[tuple[int, str]]:
    """(first line, token type) of each top-level block."""
    return _top_level(_parser().parse(text))


def _top_level(tokens: list[Any]) -> list[tuple[int, str]]:
    return [(t.map[0], t.type) for t in tokens if t.level == 0 and t.nesting >= 0 and t.map is not None and t.type != "inline"]


def _line_offset(text: str, line: int) -> int:
    offset = 0
    for _ in range(line):
        offset = text.index("\n", offset) + 1
    return offset


def split_complete(text: str) -> tuple[int, str, str]:
    """(length of the leading complete blocks, type of the first and of the last of them).

    Every top-level block but the last is complete once the last one has a whole first
    line (``"1. a\\n\\n2"`` may yet become one list). 0 when nothing is complete."""
    found = blocks(text)
    if len(found) >= 2:
        cut = _line_offset(text, found[-1][0])
        if "\n" in text[cut:]:
            return cut, found[0][1], found[-2][1]
    if len(found) >= 3:
        return _line_offset(text, found[-2][0]), found[0][1], found[-3][1]
    return 0, "", ""


def render_tail(text: str, width: int, look: Look, rows: int) -> list[Strip] | None:
    """The lines of ``text`` with only its last blocks rendered, enough to fill ``rows``
    lines, and blank lines guessed for the rest above (None when ``text`` is not long
    enough for that to pay). Opening a session at its end shows the newest answer's
    end from this; the whole rendering replaces it a moment later, and its last lines
    are the same (blocks rendered apart join as in the whole: :func:`needs_gap`)."""
    if estimate_height(text, width) <= 4 * rows:
        return None
    tokens = _parser().parse(text)  # once: the blocks, and the code blocks above the cut
    found = _top_level(tokens)
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for i in range(len(found) - 1, 0, -1):
        cut = starts[found[i][0]]
        if estimate_height(text[cut:], width) > 2 * rows:  # the guess can be high: a margin
            break
    else:
        return None
    gap = needs_gap(found[i - 1][1], found[i][1])
    # the tail's code labels number on from the blocks above (at any depth, as markdown_code counts them)
    from wits_tui.engine.markdown_code import CODE_TOKENS

    before = sum(1 for t in tokens if t.type in CODE_TOKENS and t.map is not None and t.map[0] < found[i][0])
    return [Strip.blank(0)] * (estimate_height(text[:cut], width) + gap) + render(text[cut:], width, look, before)


def needs_gap(before_last: str, after_first: str) -> bool:
    """Is there a blank line between two parts rendered apart, as Rich puts one in the whole?

    Rich writes a blank line before a block when the element closed just before it asks
    for one: for a list, quote or table that is its own first item (so its rendering
    starts with the blank line), for a paragraph, heading or code block it is the
    previous block, which asks for one unless it is a rule."""
    return after_first not in CONTAINERS and before_last != "hr"


def first_type(text: str) -> str:
    found = blocks(text)
    return found[0][1] if found else ""


def is_open_fence(text: str) -> bool:
    """Does ``text`` (the unfinished tail) start a fenced code block that is not closed yet?"""
    head = text.lstrip(" ")
    if not head.startswith(("```", "~~~")):
        return False
    marker = head[:3]
    lines = head.split("\n")
    return not any(line.strip().startswith(marker) for line in lines[1:])


def estimate_height(text: str, width: int) -> int:
    """A cheap guess of the rendered height, for answers not rendered yet."""
    width = max(8, width)
    rows = 0
    for line in text.split("\n"):
        rows += max(1, -(-len(line) // width))
    return rows + 2 * text.count("```") // 2

