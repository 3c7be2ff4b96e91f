"""The passage table's indexes: a vector index and a bitmap of collections once it is big enough,
and searches within some collections that give the same passages through them."""

from __future__ import annotations

import random

from wits_tui.engine.docs.store import PassageStore

DIM = 16


def _rows(collection: str, n: int, rng: random.Random) -> list[dict]:
    return [{"id": f"{collection}-{i}", "collection": collection, "path": f"/d/{collection}/{i}.md", "kind": "markdown",
             "start_line": 1, "end_line": 2, "heading": "", "text": f"passage {i} of {collection} about kites" if i % 7 == 0
             else f"passage {i} of {collection}", "search_text": f"{collection} passage {i}" + (" kites" if i % 7 == 0 else ""),
             "file_hash": "h", "vector": [rng.uniform(-1, 1) for _ in range(DIM)]} for i in range(n)]


def test_a_big_table_gets_a_collection_bitmap_and_filtered_searches_stay_within_it(tmp_path):
    rng = random.Random(7)
    store = PassageStore(tmp_path / "docs").open()
    store.index_min_rows = 300
    store.ensure_table(DIM, "m")
    store.replace_files("a", [], _rows("a", 250, rng))
    store.replace_files("b", [], _rows("b", 150, rng))
    query = [rng.uniform(-1, 1) for _ in range(DIM)]
    before = [r["id"] for r, _ in store.vector_search(["b"], query, 10)]
    store.optimize()
    kinds = {tuple(i.columns): i.index_type for i in store._table.list_indices()}
    assert kinds[("collection",)] == "Bitmap" and "vector" in {c for cols in kinds for c in cols}
    assert store.meta["collection_index"] and store.meta["indexed"]
    found = store.vector_search(["b"], query, 10)
    assert found and all(r["collection"] == "b" for r, _ in found)
    assert len(set(before) & {r["id"] for r, _ in found}) >= 7  # an approximate index: nearly the same neighbours
    text = store.text_search(["a"], "kites", 50)
    assert len(text) == len(range(0, 250, 7)) and all(r["collection"] == "a" for r, _ in text)
    store.replace_files("b", [], _rows("b2", 20, rng))  # rows added later are found through the bitmap too
    store.optimize()
    assert {r["collection"] for r, _ in store.text_search(["b2"], "kites", 50)} == {"b2"}
    store.close()


def test_a_text_search_within_most_of_the_table_finds_what_filtering_first_finds(tmp_path, monkeypatch):
    from wits_tui.engine.docs import store as module

    rng = random.Random(3)
    store = PassageStore(tmp_path / "docs").open()
    store.ensure_table(DIM, "m")
    store.replace_files("a", [], _rows("a", 300, rng))
    store.replace_files("b", [], _rows("b", 60, rng))
    store.optimize()
    for names, limit in ((["a"], 5), (["a"], 60), (["b"], 5), (["a", "b"], 10)):
        through_table = store.text_search(names, "kites passage", limit)
        monkeypatch.setattr(module, "POSTFILTER_SHARE", 2.0)  # never: always filter first
        filtered = store.text_search(names, "kites passage", limit)
        monkeypatch.undo()
        # the same scores, best first (passages that tie may come in another order)
        assert [round(x, 5) for _, x in through_table] == [round(x, 5) for _, x in filtered], (names, limit)
        assert len(filtered) == limit and {r["collection"] for r, _ in filtered} <= set(names)
    assert store._share(["a"]) == 300 / 360
    store.close()


def test_a_table_made_before_extra_vectors_gets_their_column_and_counts_passages_only(tmp_path):
    import lancedb

    rng = random.Random(3)
    store = PassageStore(tmp_path / "docs").open()
    store.ensure_table(DIM, "m")
    store.close()
    db = lancedb.connect(str(tmp_path / "docs"))
    old = db.open_table("passages").schema
    old = old.remove(old.get_field_index("of"))  # the table as an earlier version made it
    db.create_table("passages", schema=old, mode="overwrite").add(_rows("a", 5, rng))
    store = PassageStore(tmp_path / "docs").open()
    assert "of" in store._table.schema.names and store.count() == store.count("a") == 5
    extra = {**_rows("a", 1, rng)[0], "id": "a-0.0", "of": "a-0", "search_text": ""}
    store.replace_files("a", [], [extra])
    assert store.count("a") == 5 and store._table.count_rows() == 6
    found = store.vector_search(["a"], extra["vector"], 3)
    assert found[0][0]["of"] == "a-0" and {r["of"] for r, _ in found[1:]} == {""}
    store.close()
