"""What a passage's vector is made from (pure functions).

An embedding model reads only the start of a text (all-MiniLM-L6-v2: 256 word pieces), so
a code passage is embedded as what says what it does: the path of its file, its heading path,
then each definition's signature and the first paragraph of its docstring; the code itself
is searched by full text. Prose passages are embedded as their place and text.

A code passage also gets one vector per definition in it (:func:`definitions`): a passage of
several small functions is found by the one a question is about (see ``retrieval.fuse``).

``SCHEME`` names this recipe; an index embedded with another recipe is embedded again by
its next ``update`` (see ``indexer``).
"""

from __future__ import annotations

import re
from pathlib import PurePath

#: The recipe of the vectors in an index: change it whenever what is embedded changes.
SCHEME = "outline-2"
#: Which recipe ``embed_text`` follows ("plain": place and text; "outline": definitions of code;
#: "outline+text": the definitions, then the code).
MODE = "outline"

#: Files whose name alone says little: shown with their folder (``json/__init__.py``).
_GENERIC = re.compile(r"^(__init__|__main__|index|readme|main|mod|lib)(\.\w+)?$", re.IGNORECASE)
_DEF = re.compile(r"^\s*(?:async\s+def|def|class)\s+\w+")
_QUOTES = ('"""', "'''", 'r"""', "r'''")
CODE_KINDS = frozenset({"python"})


def place(path: str, heading: str) -> str:
    """``shutil.py — copytree`` / ``json/__init__.py — dumps``: where a passage is, in words."""
    p = PurePath(path)
    name = f"{p.parent.name}/{p.name}" if _GENERIC.match(p.name) and p.parent.name else p.name
    return name + (f" — {heading}" if heading else "")


def _signature(lines: list[str], i: int) -> tuple[str, int]:
    """The definition starting at line ``i`` up to its colon (several lines joined), and the next line."""
    parts = []
    while i < len(lines):
        parts.append(lines[i].strip())
        i += 1
        if parts[-1].endswith(":") or len(parts) >= 6:
            break
    return " ".join(parts), i


def _docstring(lines: list[str], i: int, max_chars: int = 400) -> str:
    """The first paragraph of a docstring starting at line ``i`` (or "")."""
    if i >= len(lines):
        return ""
    first = lines[i].strip()
    quote = next((q for q in _QUOTES if first.startswith(q)), None)
    if quote is None:
        return ""
    body = first[len(quote):]
    out: list[str] = []
    end = quote.lstrip("r")
    while True:
        if end in body:
            out.append(body.split(end)[0].strip())
            break
        if not body.strip() and out:
            break  # the first paragraph ends at a blank line
        out.append(body.strip())
        i += 1
        if i >= len(lines) or sum(map(len, out)) > max_chars:
            break
        body = lines[i]
    return " ".join(x for x in out if x)[:max_chars]


def outline(text: str) -> str:
    """Each definition's signature and first docstring paragraph; "" when the text has none."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _DEF.match(lines[i]):
            sig, i = _signature(lines, i)
            doc = _docstring(lines, i)
            out.append(f"{sig} {doc}".strip())
            continue
        i += 1
    return "\n".join(out)


def embed_text(path: str, heading: str, text: str, kind: str = "") -> str:
    """The text a passage's vector is made from."""
    head = place(path, heading)
    if MODE.startswith("outline") and kind in CODE_KINDS:
        summary = outline(text)
        if summary:
            return f"{head}\n{summary}" + (f"\n{text}" if MODE == "outline+text" else "")
    return f"{head}\n{text}"


def definitions(path: str, heading: str, text: str, kind: str = "") -> list[str]:
    """The texts of a passage's extra vectors, one per definition in it (its file, signature and
    first docstring paragraph); none for prose or for code without definitions."""
    if not MODE.startswith("outline") or kind not in CODE_KINDS:
        return []
    head = place(path, "")
    return [f"{head}\n{line}" for line in outline(text).splitlines()]
