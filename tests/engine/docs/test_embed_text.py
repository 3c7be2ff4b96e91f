"""What a passage's vector is made from, and an index made by an older recipe embedded again on update."""

from __future__ import annotations

import json

from tests.engine.docs.conftest import REPO, embedded_texts, index, make_docs
from wits_tui.engine.docs import embed_text
from wits_tui.engine.docs.chunking import chunk
from wits_tui.engine.docs.store import META_FILE

CODE = '''class Box:
    """A box of things.

    More about boxes.
    """

    def put(self, thing,
            where=None):
        """Put ``thing`` in the box."""
        self.things.append(thing)


async def fetch(url):
    return await get(url)
'''


def test_a_code_passage_is_embedded_as_its_place_signatures_and_docstrings():
    text = embed_text.embed_text("/src/app/tool.py", "class Box", CODE, "python")
    assert text.splitlines() == [
        "tool.py — class Box",
        "class Box: A box of things.",
        "def put(self, thing, where=None): Put ``thing`` in the box.",
        "async def fetch(url):",
    ]


def test_prose_and_code_without_definitions_keep_their_text_and_generic_names_their_folder():
    assert embed_text.embed_text("/d/guide/install.md", "Install", "Run pip.", "markdown") == "install.md — Install\nRun pip."
    assert embed_text.embed_text("/lib/json/__init__.py", "", "x = 1\n", "python") == "json/__init__.py\nx = 1\n"


def test_every_definition_of_this_repos_source_is_in_its_passages_outline():
    path = REPO / "wits_tui" / "engine" / "docs" / "chunking.py"
    for c in chunk("python", path.read_text()):
        made = embed_text.embed_text(str(path), c.heading, c.text, "python")
        for name in (h.split(" ", 1)[1] for h in c.heading.split(", ") if h.startswith(("def ", "class "))):
            assert f"{name}(" in made or f"class {name}" in made, (name, made)


def test_an_index_made_with_another_recipe_is_embedded_again_by_update_then_stays_incremental(paths, store, server, tmp_path):
    root = tmp_path / "notes"
    root.mkdir()
    (root / "a.md").write_text("# A\n\nalpha\n")
    (root / "b.py").write_text("def b():\n    '''Bee.'''\n")
    docs = make_docs(paths, store, server)
    docs.add([root], "notes")
    first = index(docs, "notes")
    assert first.ok and first.indexed == 2
    meta_path = paths.docs_dir / META_FILE
    meta = json.loads(meta_path.read_text())
    assert meta["schemes"] == {"notes": embed_text.SCHEME}
    docs.close()

    meta["schemes"] = {"notes": "an-older-recipe"}  # as an index made before this recipe
    meta_path.write_text(json.dumps(meta))
    docs = make_docs(paths, store, server)
    docs.open_store()
    assert docs.model_change() == "notes: embedded by an earlier version of Wits; the next `wits docs update` embeds it again (once)"
    server.clear_requests()
    again = index(docs, "notes")
    assert docs.model_change() is None
    assert (again.indexed, again.unchanged) == (2, 0)
    assert again.chunks == first.chunks and docs.passages.count("notes") == first.chunks  # replaced, not doubled
    assert json.loads(meta_path.read_text())["schemes"] == {"notes": embed_text.SCHEME}
    server.clear_requests()
    third = index(docs, "notes")
    assert (third.indexed, third.unchanged, embedded_texts(server)) == (0, 2, 0)
    docs.close()


def test_a_code_passage_has_one_more_text_per_definition_and_prose_none():
    assert embed_text.definitions("/src/app/tool.py", "class Box", CODE, "python") == [
        "tool.py\nclass Box: A box of things.",
        "tool.py\ndef put(self, thing, where=None): Put ``thing`` in the box.",
        "tool.py\nasync def fetch(url):",
    ]
    assert embed_text.definitions("/src/app/tool.py", "", "x = 1\n", "python") == []
    assert embed_text.definitions("/d/guide/install.md", "Install", "def put(x): in prose", "markdown") == []
