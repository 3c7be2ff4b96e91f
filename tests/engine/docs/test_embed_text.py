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
        "class Box: A box of things. More about boxes.",  # the docstring on one line, cut to OUTLINE_DOC_CHARS
        "def put(self, thing, where=None): Put ``thing`` in the box.",
        "async def fetch(url):",
    ]


def test_a_long_docstring_is_cut_to_the_budget_of_its_vector():
    doc = " ".join(f"word{i}" for i in range(400))
    text = f'def f():\n    """{doc}\n\n    more\n    """\n'
    assert embed_text.outline(text, doc_chars=50) == "def f(): " + doc[:50]
    assert embed_text.outline(text, doc_chars=5000) == f"def f(): {doc} more"


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
        "tool.py\nclass Box: A box of things. More about boxes.",
        "tool.py\ndef put(self, thing, where=None): Put ``thing`` in the box.",
        "tool.py\nasync def fetch(url):",
    ]
    # a name made of several words is also written as them
    assert embed_text.definitions("/src/a.py", "", "def parseString(s):\n    pass\n", "python") == [
        "a.py\nparse string: def parseString(s):"]
    assert embed_text.definitions("/src/app/tool.py", "", "x = 1\n", "python") == []
    assert embed_text.definitions("/d/guide/install.md", "Install", "def put(x): in prose", "markdown") == []


def test_names_are_split_into_the_words_a_question_would_use():
    assert embed_text.name_words("copytree") == "copytree"
    assert embed_text.name_words("format_exc") == "format exc"
    assert embed_text.name_words("parseString") == "parse string"
    assert embed_text.name_words("ThreadingHTTPServer") == "threading http server"
    assert embed_text.name_words("_make_iterencode") == "make iterencode"
    assert embed_text.name_words("HMAC") == "hmac"


def test_a_class_summary_holds_its_docstring_and_public_methods():
    source = (REPO / "wits_tui" / "engine" / "docs" / "rwlock.py").read_text()
    summary = embed_text.code_file(source).classes["ReadWriteLock"]
    assert summary.startswith("class ReadWriteLock: read write lock. Searches share the table;")
    assert summary.endswith("Methods: read; write.")  # __init__ is not a method a question asks about
    code = 'class Box(Base, metaclass=M):\n    """A box."""\n    def put(self):\n        """Put it.\n\n        More."""\n    def _hidden(self):\n        pass\n'
    assert dict(embed_text.code_file(code).classes) == {"Box": "class Box(Base): box. A box. Methods: put (Put it.)."}
    assert dict(embed_text.code_file("class Broken(:\n").classes) == {}
    assert embed_text.code_file("class Broken(:\n") == embed_text.CodeFile()


def test_a_passage_holding_a_class_line_gets_its_class_summary_and_a_method_its_class():
    code = embed_text.code_file(CODE)
    assert code.owners == {7: "Box"}  # put's def line; fetch is a function
    texts = embed_text.definitions("/src/app/tool.py", "class Box", CODE, "python", code, 1)
    summary = "class Box: box. A box of things. More about boxes. Methods: put (Put ``thing`` in the box.)."
    assert texts == [
        "tool.py\nclass Box: A box of things. More about boxes.",
        "tool.py Box\ndef put(self, thing, where=None): Put ``thing`` in the box.",
        "tool.py\nasync def fetch(url):",
        f"tool.py\n{summary}",
    ]
    # the passage starts with the class: its own vector holds the summary too
    assert embed_text.embed_text("/src/app/tool.py", "class Box", CODE, "python", code).splitlines()[-1] == summary
    method = CODE.splitlines()[6:10]  # put alone, as a passage of its own from line 7: no summary, its class named
    assert embed_text.definitions("/src/app/tool.py", "class Box > def put", "\n".join(method), "python", code, 7) == [
        "tool.py Box\ndef put(self, thing, where=None): Put ``thing`` in the box."]
    assert "Methods:" not in embed_text.embed_text("/src/app/tool.py", "class Box > def put", "\n".join(method), "python", code)


def test_indexing_embeds_a_long_class_summary_with_its_head_passage_not_with_its_methods(paths, store, server, tmp_path):
    root = tmp_path / "src"
    root.mkdir()
    body = "\n".join(f"        x{i} = {i}" for i in range(60))
    (root / "pool.py").write_text(
        'class WorkerPool:\n    """Run calls in background threads."""\n\n'
        f'    def submit(self, fn):\n        """Schedule fn."""\n{body}\n\n'
        f'    def shutdown(self):\n        """Stop the workers."""\n{body}\n')
    docs = make_docs(paths, store, server, chunk_tokens=200)
    docs.add([root], "src")
    assert index(docs, "src").chunks >= 3  # the class head, then its methods in passages of their own
    sent = [t for r in server.requests_to("/api/embed") for t in r.body["input"]]
    summary = "pool.py\nclass WorkerPool: worker pool. Run calls in background threads. Methods: submit (Schedule fn.); shutdown (Stop the workers.)."
    assert sent.count(summary) == 1
    rows = docs.passages._table.to_arrow().to_pylist()
    head = next(r for r in rows if not r["of"] and r["text"].startswith("class WorkerPool"))
    assert len([r for r in rows if r["of"] == head["id"]]) == 2  # its class line, and the summary
    assert "pool.py WorkerPool\ndef submit(self, fn): Schedule fn." in sent  # a method's vector names its class
    docs.close()
