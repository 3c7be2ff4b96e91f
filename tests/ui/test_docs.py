"""Documents in the TUI: /docs add with the job bar, /docs use, an answer with its sources
under it, a passage opened from its source row."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, ready, settled, type_text, wait_for
from tests.ui.test_snapshots import SIZE
from wits_tui.ui.widgets.sources import SourceRow, SourcesPanel

pytestmark = pytest.mark.anyio

EMBED = "nomic-embed-text"
ANSWER = "The ferry leaves at **7:15** every morning [1], and tickets cost 12 euros at the harbour office [2]."


def manual(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "ferry.md").write_text(
        "# Ferry\n\nThe ferry to the island leaves at 7:15 every morning, and at 18:30 on weekdays.\n\n"
        "## Tickets\n\nTickets cost 12 euros at the harbour office; children travel free.\n")
    (root / "kites.md").write_text("# Kites\n\nKites need a steady wind of 15 km/h.\n")
    return root


@pytest.fixture
def docs_server(server):
    server.add_model(EMBED, capabilities=["embedding"], embedding_dim=64)
    return server


def notices(app) -> list[str]:
    return [str(n.content) for n in app.chat.query(".notice")]


async def add_island(pilot, root: Path) -> None:
    """/docs add the manual as "island" and wait for the index job to end."""
    app = pilot.app
    app.chat_screen.slash.run(f"/docs add {root} --name island")
    await wait_for(pilot, lambda: any("files indexed" in n for n in notices(app)), what="the index job")
    assert "island: 2 files indexed (3 passages)" in notices(app)[-1]
    await wait_for(pilot, lambda: not app.chat_screen.docs.running and not app.chat_screen.job.display,
                   what="the job to end")


def island(make_app, docs_server, tmp_path):
    """An app whose model answers ANSWER, and the island manual to index: (app, its folder)."""
    docs_server.script(MODEL, Reply(text=ANSWER))
    return make_app(), manual(tmp_path / "island")


async def ask(pilot, text: str) -> None:
    app = pilot.app
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: not app.chat_screen.turns.running and not app.chat.streaming, what="the answer")


async def test_add_use_and_an_answer_with_sources(make_app, docs_server, tmp_path):
    app, root = island(make_app, docs_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await add_island(pilot, root)
        app.chat_screen.slash.run("/docs use island")
        await wait_for(pilot, lambda: any("now use island" in n for n in notices(app)), what="/docs use")
        await ask(pilot, "When does the ferry leave, and what does a ticket cost?")
        panel = app.chat.query_one(SourcesPanel)
        answer = app.chat.query("AssistantMessage").last()
        assert app.chat.children.index(panel) == app.chat.children.index(answer) + 1  # right under the answer
        rows = [str(r.content) for r in panel.query(SourceRow)]
        assert rows[0] == "[1] ferry.md:3 — Ferry" and "[2] ferry.md:7 — Ferry > Tickets" in rows
        panel.query(SourceRow).first().focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PassageScreen", what="the passage")
        assert "leaves at 7:15" in str(app.screen.query_one(".passage-text").content)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.chat_screen, what="the passage to close")


async def test_sources_are_shown_again_when_the_session_is_reopened(make_app, docs_server, tmp_path):
    app, root = island(make_app, docs_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await add_island(pilot, root)
        await ask(pilot, "@island When does the ferry leave, and what does a ticket cost?")
        live = [str(r.content) for r in app.chat.query_one(SourcesPanel).query(SourceRow)]
    reopened = make_app()
    async with reopened.run_test(size=SIZE) as pilot:
        await ready(pilot)
        panel = await wait_for(pilot, lambda: reopened.chat.query(SourcesPanel).first() if reopened.chat.query(SourcesPanel)
                               else None, what="the sources after reopening")
        answer = reopened.chat.query("AssistantMessage").last()
        assert ANSWER.split("**")[0] in answer.text
        assert reopened.chat.children.index(panel) == reopened.chat.children.index(answer) + 1  # under its answer
        assert [str(r.content) for r in panel.query(SourceRow)] == live
        assert live[0] == "[1] ferry.md:3 — Ferry"
        next(r for r in panel.query(SourceRow) if "Tickets" in str(r.content)).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: reopened.screen.__class__.__name__ == "PassageScreen", what="the passage")
        assert "children travel free" in str(reopened.screen.query_one(".passage-text").content)
        await pilot.press("escape")
        await wait_for(pilot, lambda: reopened.screen is reopened.chat_screen, what="the passage to close")


def test_snapshot_sources_after_reopening(snap_compare, make_app, docs_server, tmp_path):
    """The reopened session of the test above: the answer from history with its sources under it."""
    import asyncio

    docs_server.script(MODEL, Reply(text=ANSWER))
    root = manual(tmp_path / "island")

    async def first_run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await add_island(pilot, root)
            await ask(pilot, "@island When does the ferry leave, and what does a ticket cost?")
            await wait_for(pilot, lambda: app.chat.query(SourcesPanel), what="the sources")

    asyncio.run(first_run())

    async def run(pilot):
        app = await ready(pilot)
        await wait_for(pilot, lambda: app.chat.query(SourcesPanel), what="the sources after reopening")
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
        # the first run's answer loaded the model: the bar shows it once it has asked the server
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries[0].loaded, what="the loaded dots")
        app.chat.query_one(SourcesPanel).query(SourceRow).first().focus()
        app.chat_screen.status.query_one("#status-speed").update("")  # the measured rate differs from run to run
        await settled(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run)


async def test_a_file_that_does_not_fit_is_explained(make_app, docs_server, tmp_path, monkeypatch):
    docs_server.script(MODEL, Reply(text="I could not see it."))
    (tmp_path / "huge.log").write_text("x " * 40_000)
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await ask(pilot, "what is in @huge.log?")
        assert any("@huge.log is about" in n and "more than the" in n for n in notices(app))
        assert not app.chat.query(SourcesPanel)


async def test_esc_stops_an_index_job_and_keeps_what_was_done(make_app, docs_server, tmp_path):
    from wits_tui.engine.docs import indexer

    root = tmp_path / "many"
    root.mkdir()
    for i in range(indexer.BATCH_FILES * 4):
        (root / f"n{i}.md").write_text(f"# Note {i}\n\nbody {i}\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        bar = app.chat_screen.job
        app.chat_screen.slash.run(f"/docs add {root} --name many")
        await wait_for(pilot, lambda: bar.display and "files" in str(bar.query_one("#job-label").content),
                       what="the progress bar")
        await pilot.press("escape")
        await wait_for(pilot, lambda: any(n.startswith("stopped") for n in notices(app)), what="the stop")
        assert "what was indexed is kept" in notices(app)[-1]
        await wait_for(pilot, lambda: not bar.display, what="the bar to go")
        kept = len(app.engine.store.docs.files("many"))
        assert kept < indexer.BATCH_FILES * 4


def test_snapshot_answer_with_sources(snap_compare, make_app, docs_server, tmp_path):
    docs_server.script(MODEL, Reply(text=ANSWER))
    root = manual(tmp_path / "island")

    async def run(pilot):
        app = await ready(pilot)
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
        app.chat_screen.slash.run(f"/docs add {root} --name island")
        await wait_for(pilot, lambda: any("files indexed" in n for n in notices(app)), what="the index job")
        await app.chat.query(".notice").last().remove()  # it says how long indexing took
        await ask(pilot, "@island When does the ferry leave, and what does a ticket cost?")
        await wait_for(pilot, lambda: app.chat.query(SourcesPanel), what="the sources")
        # the bar looks again after each turn: the answer loaded the model
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries[0].loaded, what="the loaded dots")
        app.chat.query_one(SourcesPanel).query(SourceRow).first().focus()
        app.chat_screen.status.query_one("#status-speed").update("")  # the measured rate differs from run to run
        await settled(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run)


async def test_docs_reembed_asks_then_indexes_every_collection_with_the_new_model(make_app, settings, docs_server, tmp_path):
    from wits_tui.ui.screens.confirm import ConfirmScreen

    docs_server.add_model("other-embed", capabilities=["embedding"], embedding_dim=32)
    root = manual(tmp_path / "island")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await add_island(pilot, root)
    changed = settings.model_copy(update={"docs": settings.docs.model_copy(update={"embedding_model": "other-embed"})})
    app = make_app(settings=changed)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.chat_screen.slash.run("/docs reembed")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        assert "Embed every collection again with other-embed?" in app.screen.question
        await pilot.press("y")
        await wait_for(pilot, lambda: sum("files indexed" in n for n in notices(app)) == 1, what="the index job")
        assert "island: 2 files indexed (3 passages)" in notices(app)[-1]
        await wait_for(pilot, lambda: not app.chat_screen.docs.running, what="the job to end")
        assert app.engine.docs.passages.embed_model == "other-embed"
