"""The chunkers on real files of this repository (its README and source) and small samples we wrote."""

from __future__ import annotations

from tests.engine.docs.conftest import REPO
from wits_tui.engine.docs import chunking as c
from wits_tui.engine.docs.readers import html_text, kind_of

LIMITS = c.Limits(max_tokens=200, overlap_tokens=20)


def _check_lines(text: str, chunks: list[c.Chunk], limits: c.Limits) -> None:
    """Every passage is within the budget and is really the text of its line range."""
    lines = text.splitlines()
    assert chunks
    for ch in chunks:
        assert len(ch.text) <= limits.max_chars + 1, ch.heading
        assert 1 <= ch.start_line <= ch.end_line <= len(lines)
        span = "\n".join(lines[ch.start_line - 1:ch.end_line])
        assert ch.text.strip() in span or all(piece in span for piece in ch.text.split("\n"))


def test_readme_is_cut_at_headings_with_heading_paths():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    chunks = c.chunk_markdown(text, LIMITS)
    _check_lines(text, chunks, LIMITS)
    headings = [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("## ")]
    top = text.splitlines()[0].lstrip("# ").strip()
    for h in headings[:5]:
        assert any(ch.heading == f"{top} > {h}" or ch.heading.startswith(f"{top} > {h} >") for ch in chunks), h
    # no passage runs across a heading line
    lines = text.splitlines()
    for ch in chunks:
        inner = lines[ch.start_line:ch.end_line]
        assert not any(line.startswith("## ") for line in inner[:-1] if not line.startswith("```")) or "```" in ch.text


def test_python_source_is_cut_at_definitions():
    path = REPO / "wits_tui" / "engine" / "docs" / "chunking.py"
    text = path.read_text(encoding="utf-8")
    chunks = c.chunk_python(text, LIMITS)
    _check_lines(text, chunks, LIMITS)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines, 1) if line.startswith("def chunk_python"))
    mine = [ch for ch in chunks if "def chunk_python" in ch.heading]
    assert mine and mine[0].start_line == start
    # a passage with a definition's heading starts at a definition (or a decorator) or inside a long one
    for ch in chunks:
        if ch.heading and ch.start_line > 1:
            first = lines[ch.start_line - 1].lstrip()
            assert first.startswith(("def ", "class ", "@", "async def")) or ch.heading.count("def") >= 1


def test_a_long_class_is_cut_at_its_methods():
    text = (REPO / "wits_tui" / "engine" / "memory" / "store.py").read_text(encoding="utf-8")
    chunks = c.chunk_python(text, LIMITS)
    assert any(ch.heading.startswith("class SegmentStore > def ") for ch in chunks)
    _check_lines(text, chunks, LIMITS)


def test_python_that_does_not_parse_falls_back_to_line_windows():
    text = "def broken(:\n    pass\n\n" + "\n".join(f"x{i} = {i}" for i in range(400))
    chunks = c.chunk_python(text, LIMITS)
    assert len(chunks) > 1
    _check_lines(text, chunks, LIMITS)


def test_windows_overlap():
    lines = [f"line number {i} with some words" for i in range(200)]
    chunks = c.windows(lines, 1, LIMITS)
    assert len(chunks) > 2
    for a, b in zip(chunks, chunks[1:]):
        assert b.start_line <= a.end_line  # the next one repeats the end of this one
        assert b.start_line > a.start_line


def test_a_single_huge_line_is_cut():
    chunks = c.chunk_prose("word " * 5000, LIMITS)
    assert len(chunks) > 5 and all(len(ch.text) <= LIMITS.max_chars for ch in chunks)


def test_rst_titles_make_levels():
    text = "Guide\n=====\n\nIntro text.\n\nInstall\n-------\n\nRun pip.\n\nUsage\n-----\n\nCall it.\n\nMore\n====\n\nEnd.\n"
    chunks = c.chunk_rst(text, LIMITS)
    assert [(ch.heading, ch.text) for ch in chunks] == [
        ("Guide", "Intro text."), ("Guide > Install", "Run pip."), ("Guide > Usage", "Call it."), ("More", "End.")]
    assert chunks[1].start_line == 9


def test_prose_is_packed_by_paragraphs():
    paras = [f"Paragraph {i}. " + "text " * 60 for i in range(12)]
    text = "\n\n".join(paras)
    chunks = c.chunk_prose(text, LIMITS)
    assert len(chunks) > 1
    for ch in chunks:  # whole paragraphs only
        assert ch.text.startswith("Paragraph ")


def test_markdown_code_fences_hide_headings():
    text = "# A\n\ntext\n\n```sh\n# not a heading\n\necho hi\n```\n\n## B\n\nmore\n"
    chunks = c.chunk_markdown(text, LIMITS)
    assert [ch.heading for ch in chunks] == ["A", "A > B"]
    assert "# not a heading" in chunks[0].text


def test_html_keeps_headings_and_drops_scripts():
    html = "<html><head><title>x</title><script>var a=1</script></head><body><h1>Title</h1><p>One  two</p>" \
           "<h2>Part</h2><ul><li>first</li><li>second</li></ul><pre>code\n  indented</pre></body></html>"
    text = html_text(html)
    assert "var a" not in text
    chunks = c.chunk("html", text, LIMITS)
    assert chunks[0].heading == "Title" and "One two" in chunks[0].text
    assert chunks[1].heading == "Title > Part" and "- first" in chunks[1].text and "  indented" in chunks[1].text


def test_kinds():
    assert kind_of(REPO / "README.md") == "markdown"
    assert kind_of(REPO / "pyproject.toml") == "code"
    assert kind_of(REPO / "wits_tui" / "cli" / "__init__.py") == "python"
    assert kind_of(REPO / "x.png") is None
