"""Collections end to end against a real SQLite file, a real LanceDB directory and the scripted server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.engine.docs.conftest import EMBED, REPO, embedded_texts, index, make_docs
from tests.engine.docs.pdfs import pdf
from wits_tui.engine.docs.store import DocsError


def _tree(root: Path) -> Path:
    (root / "guide").mkdir(parents=True)
    (root / "guide" / "install.md").write_text("# Install\n\nRun `pip install wits`.\n\n## Upgrade\n\nRun pip again.\n")
    (root / "guide" / "usage.rst").write_text("Usage\n=====\n\nType a question and press Enter.\n")
    (root / "tool.py").write_text("def greet(name):\n    return f'hello {name}'\n\n\nclass Box:\n    size = 3\n")
    (root / "notes.txt").write_text("The boat leaves at 7.\n\nBring a coat.\n")
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    return root


@pytest.fixture
def docs(paths, store, server):
    d = make_docs(paths, store, server)
    yield d
    d.close()


def test_add_index_and_search(docs, tmp_path, server):
    root = _tree(tmp_path / "docs")
    docs.add([root], "guide")
    report = index(docs, "guide")
    assert report.ok and report.indexed == 4 and not report.failed
    assert report.skipped == [(str(root / "image.png"), "not a document type Wits reads (.png)")]
    # one vector per passage, one more per definition of tool.py's passage (greet, Box), and Box's summary
    assert report.chunks + 3 == embedded_texts(server) == report.embedded
    found, mode = docs.run_sync(docs.search(["guide"], "when does the boat leave"))
    assert mode == "hybrid"
    assert found[0].rel == "notes.txt" and found[0].location == "notes.txt:1-3"
    stats = docs.collections()[0]
    assert (stats.name, stats.files, stats.chunks, stats.failed) == ("guide", 4, report.chunks, 0)


def test_update_reembeds_only_changed_files_and_drops_deleted_ones(docs, tmp_path, server, store):
    root = _tree(tmp_path / "docs")
    docs.add([root], "guide")
    first = index(docs, "guide")
    server.clear_requests()
    again = index(docs, "guide")
    assert (again.indexed, again.unchanged, again.removed, embedded_texts(server)) == (0, 4, 0, 0)

    (root / "notes.txt").write_text("The boat leaves at 9 now.\n")
    (root / "tool.py").unlink()
    (root / "new.md").write_text("# New\n\nA fresh page about kites.\n")
    os.utime(root / "guide" / "install.md", ns=(1, 1))  # touched, not changed: hashed, not embedded
    server.clear_requests()
    report = index(docs, "guide")
    assert (report.indexed, report.removed, report.unchanged) == (2, 1, 2)
    assert embedded_texts(server) == 2  # one passage each for notes.txt and new.md
    assert set(store.docs.files("guide")) == {str(p) for p in (root / "notes.txt", root / "new.md",
                                                               root / "guide" / "install.md", root / "guide" / "usage.rst")}
    found, _ = docs.run_sync(docs.search(["guide"], "boat"))
    texts = [p.text for p in found]
    assert any("at 9 now" in t for t in texts) and not any("leaves at 7" in t for t in texts)
    assert not any(p.rel == "tool.py" for p in found)
    assert docs.passages._table.count_rows(f"path = '{root / 'tool.py'}'") == 0  # its definitions' vectors too
    assert docs.passages.count("guide") == store.docs.counts("guide")["chunks"] < first.chunks + 1


def test_embeddings_are_cached_by_content(docs, tmp_path, server):
    root = _tree(tmp_path / "docs")
    docs.add([root], "a")
    first = index(docs, "a")
    docs.remove("a")
    assert docs.passages.count() == 0
    server.clear_requests()
    docs.add([root], "a")
    again = index(docs, "a")
    assert again.chunks == first.chunks and again.cached == first.embedded and again.embedded == 0
    assert embedded_texts(server) == 0


def test_gitignore_size_limit_and_links_outside(paths, store, server, tmp_path):
    docs = make_docs(paths, store, server, max_file_kb=1)
    root = tmp_path / "repo"
    (root / "build").mkdir(parents=True)
    (root / ".gitignore").write_text("build/\n*.log\n")
    (root / "build" / "out.md").write_text("# generated\n")
    (root / "debug.log").write_text("noise\n")
    (root / "big.md").write_text("# Big\n\n" + "word " * 400)
    (root / "ok.md").write_text("# Fine\n\nsmall\n")
    outside = tmp_path / "secret.md"
    outside.write_text("# Secret\n")
    (root / "link.md").symlink_to(outside)
    docs.add([root], "repo")
    report = index(docs, "repo")
    assert report.indexed == 1 and report.ignored == 2
    reasons = dict(report.skipped)
    assert "larger than docs.max_file_kb" in reasons[str(root / "big.md")]
    assert "outside the collection's folders" in reasons[str(root / "link.md")]
    docs.close()


def test_bad_files_fail_alone_and_are_retried_on_update(docs, tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "good.md").write_text("# Good\n\nfine text\n")
    (root / "binary.txt").write_bytes(b"abc\x00\x01\x02" * 50)
    (root / "scan.pdf").write_bytes(pdf(["", ""]))
    (root / "paper.pdf").write_bytes(pdf(["Kites fly in wind", "Boats float on water"]))
    docs.add([root], "mix")
    report = index(docs, "mix")
    failed = dict(report.failed)
    assert failed[str(root / "binary.txt")] == "binary file (not text)"
    assert "PDF without a text layer" in failed[str(root / "scan.pdf")]
    assert report.indexed == 2
    found, _ = docs.run_sync(docs.search(["mix"], "boats float"))
    assert found[0].location == "paper.pdf p.2"

    (root / "binary.txt").write_text("now it is text about turtles\n")
    report = index(docs, "mix")
    assert report.indexed == 1 and [p for p, _ in report.failed] == [str(root / "scan.pdf")]
    report = index(docs, "mix")
    assert [p for p, _ in report.failed] == [str(root / "scan.pdf")]  # tried again every time, still failing


def test_a_missing_embedding_model_indexes_nothing(paths, store, server, tmp_path):
    docs = make_docs(paths, store, server, embedding_model="not-pulled")
    root = _tree(tmp_path / "docs")
    docs.add([root], "guide")
    report = index(docs, "guide")
    assert not report.ok and "not-pulled" in report.error and "ollama pull not-pulled" in report.hint
    assert store.docs.files("guide") == {} and docs.passages.count() == 0
    docs.close()
    fixed = make_docs(paths, store, server, embedding_model=EMBED)
    assert index(fixed, "guide").indexed == 4  # the same collection, now with a model that answers
    fixed.close()


def test_add_checks_its_arguments(docs, tmp_path):
    with pytest.raises(DocsError, match="does not exist"):
        docs.add([tmp_path / "nope"])
    with pytest.raises(DocsError, match="not a usable collection name"):
        docs.add([tmp_path], "two words")
    with pytest.raises(DocsError, match="there is no collection"):
        index(docs, "ghost")
    assert docs.add([REPO / "README.md"]).name == "README.md"


def test_the_index_is_beside_memory_with_its_own_stats(docs, tmp_path, paths):
    root = _tree(tmp_path / "docs")
    docs.add([root], "guide")
    index(docs, "guide")
    stats = docs.stats()
    assert paths.docs_dir != paths.memory_dir and paths.docs_dir.parent == paths.memory_dir.parent
    assert stats["passages"] > 0 and stats["size_bytes"] > 0 and stats["embed_model"] == EMBED
    assert not paths.memory_dir.exists()  # indexing documents never touched memory


def test_another_embedding_model_is_said_and_reembed_indexes_everything_with_it(paths, store, server, tmp_path):
    server.add_model("other-embed", capabilities=["embedding"], embedding_dim=32)
    root = _tree(tmp_path / "docs")
    first = make_docs(paths, store, server)
    first.add([root], "guide")
    built = index(first, "guide")
    assert first.model_change() is None and first.passages.dim == 64
    first.close()

    docs = make_docs(paths, store, server, embedding_model="other-embed")
    docs.open_store()
    assert docs.embed_model == EMBED  # the index keeps its own model until it is rebuilt
    assert "holds vectors of nomic-embed-text, but docs.embedding_model is other-embed" in docs.model_change()
    assert docs.forget_vectors() == ["guide"]
    assert docs.passages.count() == 0
    server.clear_requests()
    again = index(docs, "guide")
    assert again.ok and again.indexed == built.indexed and again.chunks == built.chunks
    assert {r.body["model"] for r in server.requests_to("/api/embed")} == {"other-embed"}
    assert (docs.passages.embed_model, docs.passages.dim, docs.model_change()) == ("other-embed", 32, None)
    found, mode = docs.run_sync(docs.search(["guide"], "when does the boat leave"))
    assert mode == "hybrid" and found[0].rel == "notes.txt"
    docs.close()


def test_an_update_that_changes_nothing_does_not_fold_the_table_again(docs, tmp_path, monkeypatch):
    root = _tree(tmp_path / "docs")
    (root / "binary.txt").write_bytes(b"\x00\x01" * 50)  # fails each time it is tried again: nothing to fold
    docs.add([root], "guide")
    assert len(index(docs, "guide").failed) == 1
    folds = []
    real = docs.passages._table.optimize
    monkeypatch.setattr(docs.passages._table, "optimize", lambda **kw: (folds.append(kw), real(**kw))[1])
    assert index(docs, "guide").unchanged == 4 and folds == []
    (root / "notes.txt").write_text("The boat leaves at 9 now.\n")
    assert index(docs, "guide").indexed == 1 and len(folds) == 1
    assert index(docs, "guide").unchanged == 4 and len(folds) == 1


def test_a_search_sees_what_another_process_updated(docs, tmp_path, server):
    # The app keeps its index open while `wits docs update` runs in another terminal, which folds
    # the table and deletes the files of older versions: the app's next search must read the new
    # version (it failed with "lance error: Not found" on every search until restarted).
    import subprocess
    import sys

    root = _tree(tmp_path / "docs")
    docs.add([root], "guide")
    index(docs, "guide")
    found, _ = docs.run_sync(docs.search(["guide"], "when does the boat leave"))
    assert "The boat leaves at 7." in found[0].text
    (root / "notes.txt").write_text("The boat leaves at 8 now.\n\nBring a hat.\n")
    (root / "tool.py").unlink()
    env = {**os.environ, "WITS_OLLAMA__HOST": server.host}
    done = subprocess.run([sys.executable, "-m", "wits_tui", "docs", "update", "guide"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 files indexed" in done.stdout and "1 removed" in done.stdout
    found, mode = docs.run_sync(docs.search(["guide"], "when does the boat leave"))
    assert mode == "hybrid"
    assert "The boat leaves at 8 now." in found[0].text
    assert all(p.rel != "tool.py" for p in found)


@contextmanager
def _open_elsewhere(directory: Path) -> Iterator[None]:
    """Another process with the document index open (as the app is while `wits docs update` runs)."""
    import subprocess
    import sys

    hold = ("import sys; from pathlib import Path; from wits_tui.engine.docs.store import PassageStore; "
            "PassageStore(Path(sys.argv[1])).open(); print('open', flush=True); sys.stdin.read()")
    other = subprocess.Popen([sys.executable, "-c", hold, str(directory)], cwd=REPO,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "open"
        yield
    finally:
        assert other.stdin is not None
        other.stdin.close()
        other.wait(60)


def test_old_versions_stay_a_while_when_another_process_has_the_index_open(docs, tmp_path, paths):
    # memory's rule (proclock.py): an update deletes old versions' files at once only when no other
    # process has the index open; otherwise they stay for the grace period, so a search that process
    # started on the old version still finds its files
    root = _tree(tmp_path / "docs")
    docs.add([root], "guide")
    index(docs, "guide")
    table = docs.passages._table
    with _open_elsewhere(paths.docs_dir):
        read = table.version  # the version a search in the other process may be reading
        (root / "notes.txt").write_text("The boat leaves at 8 now.\n")
        index(docs, "guide")
        assert read in [v["version"] for v in table.to_lance().versions()]
    (root / "notes.txt").write_text("The boat leaves at 9 now.\n")
    index(docs, "guide")  # alone now: everything old goes at once
    assert read not in [v["version"] for v in table.to_lance().versions()]


def test_old_versions_kept_for_another_process_do_not_count_towards_the_cap(docs, tmp_path, paths):
    # While another process has the index open, an update keeps the files of old versions for the
    # grace period; they go within minutes and must not make the next update fail on the cap.
    root = _tree(tmp_path / "docs")
    docs.add([root], "guide")
    index(docs, "guide")
    with _open_elsewhere(paths.docs_dir):
        (root / "notes.txt").write_text("The boat leaves at 8 now.\n")
        index(docs, "guide")
        disk, live = docs.passages.disk_bytes(), docs.passages.live_bytes()
        assert live < disk  # the old versions' files are still there
        docs.settings.max_size_mb = (live + (disk - live) / 2) / 1_000_000
        (root / "notes.txt").write_text("The boat leaves at 9 now.\n")
        report = index(docs, "guide")
        assert not report.error and report.indexed == 1
        assert docs.passages.disk_bytes() > docs.settings.max_size_mb * 1_000_000  # the kept files are still there
