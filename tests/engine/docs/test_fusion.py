"""Fusing the vector rows (passages' own and their definitions') with full-text hits."""

from __future__ import annotations

from wits_tui.engine.docs import retrieval


def _row(pid: str, kind: str = "python", of: str = "") -> dict:
    return {"id": f"{of}.{pid}" if of else pid, "of": of, "collection": "c", "path": f"/d/{of or pid}", "kind": kind,
            "start_line": 1, "end_line": 9, "heading": "", "text": f"text of {of or pid}"}


def test_a_passage_of_several_definitions_is_found_by_the_one_asked_about():
    # by their own vectors, "many" (several small functions) comes after two others; by one of its
    # definitions it is the best match, so it comes first
    hits = [(_row("a"), 0.60), (_row("b"), 0.58), (_row("0", of="many"), 0.57), (_row("many"), 0.40),
            (_row("0", of="a"), 0.30), (_row("1", of="many"), 0.20), (_row("0", of="b"), 0.10)]
    fused = retrieval.fuse(hits, [])
    assert [p.id for p in fused] == ["many", "a", "b"]
    assert fused[0].similarity == 0.57 and fused[0].text == "text of many"  # the passage, its best similarity


def test_prose_counts_by_its_own_vector_twice_and_code_without_definitions_once():
    hits = [(_row("imports"), 0.9), (_row("guide", kind="markdown"), 0.8), (_row("0", of="f"), 0.7), (_row("f"), 0.1)]
    fused = retrieval.fuse(hits, [])
    assert [p.id for p in fused] == ["guide", "f", "imports"]
    # full text still counts: a passage found only by its words joins the list
    words = retrieval.fuse(hits, [(_row("other", kind="markdown"), 3.0)], text_weight=10.0)
    assert words[0].id == "other" and words[0].text_score == 3.0 and words[0].similarity is None
