"""What a passage's vector is made from (pure functions).

An embedding model reads only the start of a text (all-MiniLM-L6-v2: 256 word pieces), so
a code passage is embedded as what says what it does: the path of its file, its heading path,
then each definition's signature and the start of its docstring; the code itself is searched
by full text. Prose passages are embedded as their place and text.

A code passage also gets more vectors (:func:`definitions`), so that a passage of several
definitions is found by the one a question is about (see ``retrieval.fuse``):

* one per definition in it: its name in words (``copytree`` -> "copy tree"), its signature and
  its whole docstring (as much as the model reads), a method's with the name of its class;
* one per class whose ``class`` line is in it (:func:`code_file`): the class's docstring and
  the names of its public methods with the first line of their docstrings, so that a question
  about what a class is for finds its head even when its methods are passages of their own
  (a passage starting with a class has that summary in its own vector too).

``SCHEME`` names this recipe; an index embedded with another recipe is embedded again by
its next ``update`` (see ``indexer``). Chosen on ``benchmarks/data/docs_tuning.jsonl``.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

#: The recipe of the vectors in an index: change it whenever what is embedded changes.
SCHEME = "outline-3"
#: Which recipe ``embed_text`` follows ("plain": place and text; "outline": definitions of code;
#: "outline+text": the definitions, then the code).
MODE = "outline"
#: Characters of each docstring in a passage's own vector, in a definition's vector, in a class's.
OUTLINE_DOC_CHARS = 200
DEFINITION_DOC_CHARS = 1000
CLASS_DOC_CHARS = 600

#: Files whose name alone says little: shown with their folder (``json/__init__.py``).
_GENERIC = re.compile(r"^(__init__|__main__|index|readme|main|mod|lib)(\.\w+)?$", re.IGNORECASE)
_DEF = re.compile(r"^\s*(?:async\s+def|def|class)\s+(\w+)")
_CLASS = re.compile(r"^\s*class\s+(\w+)")
_HEAD_CLASS = re.compile(r"^\s*(?:@.*\n\s*)*class\s+(\w+)")  # a passage that starts with a class (maybe decorated)
_QUOTES = ('"""', "'''", 'r"""', "r'''")
CODE_KINDS = frozenset({"python"})


def place(path: str, heading: str) -> str:
    """``shutil.py — copytree`` / ``json/__init__.py — dumps``: where a passage is, in words."""
    p = PurePath(path)
    name = f"{p.parent.name}/{p.name}" if _GENERIC.match(p.name) and p.parent.name else p.name
    return name + (f" — {heading}" if heading else "")


def name_words(name: str) -> str:
    """An identifier as the words a question would use: ``copytree`` stays, ``parseString`` ->
    "parse string", ``HTTPServer`` -> "http server", ``format_exc`` -> "format exc"."""
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name))
    return " ".join(w.lower() for w in re.split(r"[_\W]+", spaced) if w)


def _signature(lines: list[str], i: int) -> tuple[str, int]:
    """The definition starting at line ``i`` up to its colon (several lines joined), and the next line."""
    parts = []
    while i < len(lines):
        parts.append(lines[i].strip())
        i += 1
        if parts[-1].endswith(":") or len(parts) >= 6:
            break
    return " ".join(parts), i


def _docstring(lines: list[str], i: int, max_chars: int) -> str:
    """The docstring starting at line ``i`` (or ""), on one line, cut to ``max_chars``."""
    if i >= len(lines):
        return ""
    first = lines[i].strip()
    quote = next((q for q in _QUOTES if first.startswith(q)), None)
    if quote is None:
        return ""
    body, end = first[len(quote):], quote.lstrip("r")
    out: list[str] = []
    while True:
        if end in body:
            out.append(body.split(end)[0].strip())
            break
        out.append(body.strip())
        i += 1
        if i >= len(lines) or sum(map(len, out)) > max_chars:
            break
        body = lines[i]
    return re.sub(r"\s+", " ", " ".join(x for x in out if x))[:max_chars]


def _outline(text: str, doc_chars: int, names: bool) -> list[tuple[int, str]]:
    """(line index in ``text``, signature and docstring) of each definition."""
    lines = text.splitlines()
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        m = _DEF.match(lines[i])
        if m:
            at = i
            sig, i = _signature(lines, i)
            words = name_words(m.group(1))
            head = f"{words}: {sig}" if names and words != m.group(1).lower() else sig
            out.append((at, f"{head} {_docstring(lines, i, doc_chars)}".strip()))
            continue
        i += 1
    return out


def outline(text: str, doc_chars: int = OUTLINE_DOC_CHARS, names: bool = False) -> str:
    """Each definition's signature and docstring (up to ``doc_chars``), a line each, with its name in
    words first when ``names`` and they differ from it; "" when the text has none."""
    return "\n".join(line for _, line in _outline(text, doc_chars, names))


@dataclass(frozen=True, slots=True)
class CodeFile:
    """What a passage's vectors take from its whole file (:func:`code_file`)."""

    classes: Mapping[str, str] = field(default_factory=dict)  # class name -> its summary
    owners: Mapping[int, str] = field(default_factory=dict)  # line (1-based) of a method's ``def`` -> its class


def parse_python(source: str) -> ast.Module | None:
    """The syntax tree of a Python file, None when it does not parse (chunking and :func:`code_file` share it)."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _statements(tree: ast.Module) -> Iterator[ast.AST]:
    """Every statement of a tree, breadth first as ``ast.walk`` (whose expressions it skips)."""
    todo: deque[ast.AST] = deque([tree])
    while todo:
        node = todo.popleft()
        yield node
        todo.extend(c for c in ast.iter_child_nodes(node) if isinstance(c, (ast.stmt, ast.excepthandler, ast.match_case)))


def code_file(source: str, doc_chars: int = CLASS_DOC_CHARS, tree: ast.Module | None = None) -> CodeFile:
    """A Python file's classes, each summed up as ``class Name(Base): name in words. Docstring.
    Methods: method in words (first line of its docstring); …`` (public methods only), and the
    class of each method; empty when the file does not parse (``tree``: its tree, parsed already)."""
    tree = tree or parse_python(source)
    if tree is None:
        return CodeFile()
    classes: dict[str, str] = {}
    owners: dict[int, str] = {}
    for node in _statements(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        doc = re.sub(r"\s+", " ", ast.get_docstring(node) or "")[:doc_chars]
        methods = []
        for m in node.body:
            if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
                owners[m.lineno] = node.name
                if not m.name.startswith("_"):
                    first = (ast.get_docstring(m) or "").strip().split("\n")[0]
                    methods.append(name_words(m.name) + (f" ({first})" if first else ""))
        bases = ", ".join(ast.unparse(b) for b in node.bases)
        classes[node.name] = (f"class {node.name}" + (f"({bases})" if bases else "") + f": {name_words(node.name)}. {doc}"
                              + (f" Methods: {'; '.join(methods)}." if methods else ""))
    return CodeFile(classes, owners)


def embed_text(path: str, heading: str, text: str, kind: str = "", code: CodeFile | None = None) -> str:
    """The text a passage's vector is made from (``code``: its file's, for a passage that starts with a class)."""
    head = place(path, heading)
    if MODE.startswith("outline") and kind in CODE_KINDS:
        summary = outline(text)
        if summary:
            cls = _HEAD_CLASS.match(text)
            if code is not None and cls and cls.group(1) in code.classes:
                summary += "\n" + code.classes[cls.group(1)]
            return f"{head}\n{summary}" + (f"\n{text}" if MODE == "outline+text" else "")
    return f"{head}\n{text}"


def definitions(path: str, heading: str, text: str, kind: str = "", code: CodeFile | None = None,
                first_line: int = 1) -> list[str]:
    """The texts of a passage's extra vectors: one per definition in it (its file, a method's class,
    its name in words, signature and docstring), then one per class whose ``class`` line it holds;
    ``code`` (:func:`code_file` of its file, whose line ``first_line`` the text starts at) gives the
    classes. None for prose or for code without definitions."""
    if not MODE.startswith("outline") or kind not in CODE_KINDS:
        return []
    head = place(path, "")
    code = code or CodeFile()
    texts = []
    for at, line in _outline(text, DEFINITION_DOC_CHARS, names=True):
        owner = code.owners.get(first_line + at)
        texts.append(f"{head} {owner}\n{line}" if owner else f"{head}\n{line}")
    named = dict.fromkeys(m.group(1) for m in map(_CLASS.match, text.splitlines()) if m)
    return texts + [f"{head}\n{code.classes[n]}" for n in named if n in code.classes]
