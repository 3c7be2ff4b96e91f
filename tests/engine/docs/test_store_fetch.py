"""Searches read what ranks a row; the passages kept after the fusion are read by row id."""

from __future__ import annotations

import random

from wits_tui.engine.docs import retrieval
from wits_tui.engine.docs.store import FIELDS, PassageStore

DIM = 8


def _rows(collection: str, n: int, rng: random.Random) -> list[dict]:
    return [{"id": f"{collection}-{i}", "collection": collection, "path": f"/d/{collection}/{i}.md", "kind": "markdown",
             "start_line": i, "end_line": i + 3, "heading": f"H{i}", "text": f"passage {i} of {collection}",
             "search_text": f"{collection} passage {i} kites", "file_hash": "h", "of": "",
             "vector": [rng.uniform(-1, 1) for _ in range(DIM)]} for i in range(n)]


def _store(tmp_path, rng):
    store = PassageStore(tmp_path / "docs").open()
    store.ensure_table(DIM, "m")
    store.replace_files("a", [], _rows("a", 120, rng))
    store.replace_files("b", [], _rows("b", 30, rng))
    return store


def test_searches_read_no_text_and_fetch_reads_the_rest_in_order(tmp_path):
    rng = random.Random(5)
    store = _store(tmp_path, rng)
    hits = store.vector_search(["a"], [rng.uniform(-1, 1) for _ in range(DIM)], 10)
    assert len(hits) == 10 and all("text" not in r and r["collection"] == "a" for r, _ in hits)
    rows = [r for r, _ in hits][::-1]
    full = store.fetch(rows)
    assert [f["id"] for f in full] == [r["id"] for r in rows]
    n = int(rows[0]["id"].split("-")[1])
    assert {k: full[0][k] for k in FIELDS} == {"id": f"a-{n}", "collection": "a", "path": f"/d/a/{n}.md", "kind": "markdown",
                                               "start_line": n, "end_line": n + 3, "heading": f"H{n}", "text": f"passage {n} of a"}
    store.close()


def test_a_row_that_moved_or_went_since_the_search_is_found_by_its_id_or_dropped(tmp_path):
    rng = random.Random(6)
    store = _store(tmp_path, rng)
    hits = [r for r, _ in store.text_search(None, "kites", 200)]
    store.fetch(hits[:3])  # the dataset of this table version is opened
    store.delete_files("a", ["/d/a/0.md", "/d/a/1.md", "/d/a/2.md"])
    store.optimize()  # compaction: the rows left get new row ids
    full = store.fetch(hits)
    gone = {"a-0", "a-1", "a-2"}
    assert [f and f["id"] for f in full] == [None if r["id"] in gone else r["id"] for r in hits]
    assert all(f["text"] == f"passage {f['id'].split('-')[1]} of {f['collection']}" for f in full if f)
    store.close()


def test_a_vector_search_within_most_of_the_table_finds_what_filtering_first_finds(tmp_path, monkeypatch):
    from wits_tui.engine.docs import store as module

    rng = random.Random(8)
    store = _store(tmp_path, rng)
    for names, limit in ((["a"], 5), (["a"], 100), (["b"], 5), (["a", "b"], 20)):
        query = [rng.uniform(-1, 1) for _ in range(DIM)]
        through_table = store.vector_search(names, query, limit)
        monkeypatch.setattr(module, "POSTFILTER_SHARE", 2.0)  # never: always filter first
        filtered = store.vector_search(names, query, limit)
        monkeypatch.undo()
        assert [r["id"] for r, _ in through_table] == [r["id"] for r, _ in filtered], (names, limit)
        assert len(filtered) == limit and {r["collection"] for r, _ in filtered} <= set(names)
    store.close()


def test_fusion_fetches_only_the_passages_it_keeps_and_a_definition_stands_for_its_passage():
    def light(pid: str, of: str = "", kind: str = "python") -> dict:
        return {"id": f"{of}.{pid}" if of else pid, "of": of, "collection": "c", "kind": kind, "_rowid": len(pid + of)}

    asked: list[list[str]] = []

    def fetch(rows):
        asked.append([r["id"] for r in rows])
        return [None if r["id"] == "gone" else {**r, "path": f"/d/{r['of'] or r['id']}", "start_line": 1, "end_line": 2,
                                                "heading": "", "text": f"text of {r['id']}"} for r in rows]

    # "many" is found by one of its definitions only; "gone" (prose: counted twice) went meanwhile
    hits = [(light("0", of="many"), 0.9), (light("a"), 0.8), (light("gone", kind="markdown"), 0.7), (light("b"), 0.6)]
    fused = retrieval.fuse(hits, [(light("c", kind="markdown"), 2.0)], fetch=fetch, limit=3)
    assert asked == [["gone", "many.0", "a"]]  # the best three only ("a" and "c" tie: by id)
    assert [p.id for p in fused] == ["many", "a"] and fused[0].text == "text of many.0" and fused[0].path == "/d/many"
    assert fused[0].similarity == 0.9 and fused[1].similarity == 0.8
