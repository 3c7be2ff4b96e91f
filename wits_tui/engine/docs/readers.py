"""What kind of document a file is, and its text.

HTML becomes Markdown-like text (headings kept, so it is cut at them); a PDF becomes
one section per page ("## Page N"), through pypdf. Each reader says in one line why a
file cannot be read, in :class:`Unreadable`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

MARKDOWN = {".md", ".markdown", ".mdx", ".mdown"}
RST = {".rst", ".rest"}
TEXT = {".txt", ".text", ".log", ""}
PYTHON = {".py", ".pyi", ".pyw"}
HTML = {".html", ".htm", ".xhtml"}
CODE = {
    ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".cs", ".java", ".kt", ".kts", ".scala", ".go", ".rs", ".swift",
    ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".vue", ".svelte", ".rb", ".php", ".pl", ".pm", ".lua", ".r", ".jl",
    ".hs", ".ml", ".mli", ".ex", ".exs", ".erl", ".clj", ".el", ".vim", ".sh", ".bash", ".zsh", ".fish", ".ps1",
    ".sql", ".css", ".scss", ".sass", ".less", ".tcss", ".toml", ".yaml", ".yml", ".json", ".ini", ".cfg", ".conf",
    ".xml", ".proto", ".graphql", ".tf", ".nix", ".cmake", ".mk", ".bat", ".dart", ".zig", ".nim", ".asm", ".s",
    ".tex", ".bib", ".org", ".adoc", ".csv", ".tsv", ".jsonl", ".ndjson",
}
CODE_NAMES = {"makefile", "dockerfile", "justfile", "rakefile", "gemfile", "cmakelists.txt", "procfile"}
#: Bytes read to tell text from binary.
SNIFF_BYTES = 8192


class Unreadable(Exception):
    """The file cannot be indexed; the message says why (one line)."""


def kind_of(path: Path) -> str | None:
    """markdown | rst | python | code | html | pdf | text, or None for other files."""
    name, suffix = path.name.lower(), path.suffix.lower()
    if name in CODE_NAMES:
        return "code"
    for kind, suffixes in (("markdown", MARKDOWN), ("rst", RST), ("python", PYTHON), ("html", HTML), ("code", CODE)):
        if suffix in suffixes:
            return kind
    if suffix == ".pdf":
        return "pdf"
    if suffix in TEXT or name.startswith(("readme", "license", "changelog", "copying", "authors", "notice")):
        return "text"
    return None


def decode(data: bytes) -> str:
    """Text of the bytes: UTF-8 (a BOM is dropped), else Windows-1252/Latin-1. Raises Unreadable
    for binary data (a NUL byte in the first 8 KB)."""
    if b"\x00" in data[:SNIFF_BYTES]:
        raise Unreadable("binary file (not text)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def read_text(path: Path, kind: str, data: bytes) -> str:
    """The text to cut into passages. Raises Unreadable."""
    if kind == "pdf":
        return pdf_text(path, data)
    text = decode(data)
    if kind == "html":
        text = html_text(text)
    return text  # may be empty: indexed with no passages


# -- HTML ------------------------------------------------------------------------------------
class _HtmlText(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "svg", "head"}
    BLOCK = {"p", "div", "section", "article", "li", "tr", "br", "pre", "table", "ul", "ol", "blockquote", "dd", "dt",
             "header", "footer", "nav", "main", "aside", "figure", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self.BLOCK:
            self.out.append("\n\n" if tag in ("p", "pre", "table", "ul", "ol") else "\n")
            if tag == "pre":
                self.pre += 1
                self.out.append("```\n")
            elif tag == "li":
                self.out.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n")
        elif tag == "pre" and self.pre:
            self.pre -= 1
            self.out.append("\n```\n\n")
        elif tag in ("td", "th"):
            self.out.append(" | ")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        self.out.append(data if self.pre else re.sub(r"\s+", " ", data))


def html_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = [line.rstrip() for line in "".join(parser.out).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# -- PDF -------------------------------------------------------------------------------------
def pdf_text(path: Path, data: bytes) -> str:
    """One ``## Page N`` section per page. Raises Unreadable for a damaged or encrypted PDF,
    and for one without a text layer (a scan)."""
    import io
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns about every odd object
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:  # noqa: BLE001
                raise Unreadable("encrypted PDF (give Wits a copy without a password)") from exc
        pages = [page.extract_text() or "" for page in reader.pages]
    except Unreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise Unreadable(f"damaged PDF ({type(exc).__name__}: {exc})") from exc
    if not any(p.strip() for p in pages):
        raise Unreadable("PDF without a text layer (a scan?): run OCR on it first, e.g. ocrmypdf")
    parts = [f"## Page {n}\n\n{text.strip()}\n" for n, text in enumerate(pages, start=1) if text.strip()]
    return "\n".join(parts)
