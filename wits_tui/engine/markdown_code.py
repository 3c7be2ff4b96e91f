"""The code blocks of a Markdown answer, as the chat numbers them (``/copy code N``).

Parsed with markdown-it, the parser Rich renders answers with, so block N here is the
block the chat labels "copy code N": fenced and indented blocks, at any depth (inside
lists and quotes too), in the order they appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@cache
def _parser() -> "MarkdownIt":
    """Made on first use: the app does not import markdown-it while it starts."""
    from markdown_it import MarkdownIt

    return MarkdownIt().enable("strikethrough").enable("table")


#: The markdown-it tokens of code blocks: fenced and indented.
CODE_TOKENS = ("fence", "code_block")


@dataclass(frozen=True, slots=True)
class CodeBlock:
    number: int  # from 1, in reading order
    language: str  # the fence's info word ("" when none)
    code: str  # the block's text, without the fences, ending without a newline


@lru_cache(maxsize=64)
def _blocks(text: str) -> tuple[CodeBlock, ...]:
    found: list[CodeBlock] = []
    for token in _parser().parse(text):
        if token.type in CODE_TOKENS:
            language = (token.info or "").partition(" ")[0] if token.type == "fence" else ""
            found.append(CodeBlock(len(found) + 1, language, token.content.rstrip("\n")))
    return tuple(found)


def code_blocks(text: str) -> list[CodeBlock]:
    """Every code block of ``text``, numbered from 1."""
    return list(_blocks(text))


def count_code_blocks(text: str) -> int:
    return len(_blocks(text))
