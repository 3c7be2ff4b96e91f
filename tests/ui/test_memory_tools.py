"""Memory and tools in the TUI: the status bar, "memory used" and tool call lines (live and
replayed), /memory jobs on the progress bar, automatic prune notices."""

from __future__ import annotations

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, make_settings, ready, type_text, wait_for
from tests.ui.record_replay import load_fixture
from tests.ui.test_snapshots import SIZE
from wits_tui.ui.widgets.details import MemoryUsedLine, ToolLine

pytestmark = pytest.mark.anyio

EMBED = "nomic-embed-text"


@pytest.fixture
def memory_server(server):
    server.add_model(MODEL, capabilities=["completion", "tools"])
    server.add_model(EMBED, capabilities=["embedding"], embedding_dim=768)
    return server


def memory_app(make_app, server, **memory):
    settings = make_settings(server.host, memory={"recall_min_similarity": 0.2, **memory})
    return make_app(settings=settings)


async def memory_open(pilot):
    app = await ready(pilot)
    await wait_for(pilot, lambda: app.engine.memory.status.state != "closed", what="memory to open")
    return app


def notices(app) -> list[str]:
    return [str(n.content) for n in app.chat.query(".notice")]


async def send(pilot, text: str) -> None:
    app = pilot.app
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: not app.chat_screen.turns.running and not app.chat.streaming, what="the answer")


async def test_remember_then_recall_shows_memory_used_line_that_expands(make_app, memory_server):
    memory_server.script(MODEL, Reply(text="It is 84 square metres."))
    app = memory_app(make_app, memory_server)
    async with app.run_test(size=SIZE) as pilot:
        await memory_open(pilot)
        assert app.engine.use_memory
        app.chat_screen.slash.run("/remember The garden is 12 metres long and 7 metres wide.")
        await wait_for(pilot, lambda: any("remembered" in n for n in notices(app)), what="the note")
        await send(pilot, "How big is my garden in square metres?")
        line = app.chat.query_one(MemoryUsedLine)
        assert str(line.title) == "memory used (1)" and line.collapsed
        answer = app.chat.query("AssistantMessage").last()
        assert app.chat.children.index(line) < app.chat.children.index(answer)
        line.query_one("CollapsibleTitle").focus()
        await pilot.press("enter")
        assert not line.collapsed
        body = str(line.query_one(".detail-body").content)
        assert "The garden is 12 metres long" in body and "similarity" in body


async def test_recall_off_for_the_session_hides_memory(make_app, memory_server):
    memory_server.script(MODEL, Reply(text="No idea."))
    app = memory_app(make_app, memory_server)
    async with app.run_test(size=SIZE) as pilot:
        await memory_open(pilot)
        app.chat_screen.slash.run("/remember The garden is 12 metres long and 7 metres wide.")
        await wait_for(pilot, lambda: any("remembered" in n for n in notices(app)), what="the note")
        app.chat_screen.slash.run("/memory off")
        await wait_for(pilot, lambda: any("recall is off" in n for n in notices(app)), what="/memory off")
        await send(pilot, "How big is my garden in square metres?")
        assert not app.chat.query(MemoryUsedLine)


async def test_tool_calls_show_result_and_error_lines(make_app, memory_server):
    memory_server.script(MODEL, Reply(tool_calls=[
        {"function": {"name": "calculator", "arguments": {"expression": "2+2"}}},
        {"function": {"name": "calculator", "arguments": {}}}]), Reply(text="It is 4."))
    app = make_app(settings=make_settings(memory_server.host))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await send(pilot, "What is 2+2?")
        good, bad = app.chat.query(ToolLine)
        assert str(good.title).startswith("⚙ calculator(expression='2+2') → 4 · ")
        assert str(good.title).endswith(" ms") and not good.has_class("-error")
        assert str(bad.title) == "✗ calculator: invalid_arguments (expression: Field required)"
        assert bad.has_class("-error")
        good.query_one("CollapsibleTitle").focus()
        await pilot.press("enter")
        body = str(good.query_one(".detail-body").content)
        assert '"expression": "2+2"' in body and '"result": "4"' in body


async def test_memory_off_in_config_is_never_opened(make_app, server):
    app = make_app()  # the test settings switch memory off
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.chat_screen.slash.run("/memory")
        await wait_for(pilot, lambda: notices(app), what="/memory")
        assert "switched off in the config" in notices(app)[-1]
        assert not app.engine.use_memory


async def test_text_only_shows_in_the_status_bar(make_app, server):
    """No embedding model: memory works by exact words and the status bar says so."""
    server.script(MODEL, Reply(text="Noted."))
    import sys

    interval = sys.getswitchinterval()
    app = make_app(settings=make_settings(server.host, memory={}))
    async with app.run_test(size=SIZE) as pilot:
        await memory_open(pilot)
        await wait_for(pilot, lambda: not any(w.group == "memory-open" and w.is_running for w in app.workers),
                       what="the opening worker")
        assert sys.getswitchinterval() == interval  # shortened only while lancedb loads
        label = app.status.query_one("#status-memory")
        assert not label.has_class("-shown")
        app.chat_screen.slash.run("/remember the spare key is under the blue pot")
        await wait_for(pilot, lambda: label.has_class("-shown"), what="the memory label")
        assert str(label.content) == "memory: text search only"


async def test_broken_memory_shows_repair_hint_and_chat_works(make_app, server, app_paths):
    app_paths.memory_dir.mkdir(parents=True, exist_ok=True)
    (app_paths.memory_dir / "wits-memory.json").write_text("{ not json")  # a damaged memory directory
    server.script(MODEL, Reply(text="Still here."))
    app = make_app(settings=make_settings(server.host, memory={}))
    async with app.run_test(size=SIZE) as pilot:
        await memory_open(pilot)
        assert app.engine.memory.status.state == "broken"
        label = app.status.query_one("#status-memory")
        await wait_for(pilot, lambda: label.has_class("-shown"), what="the memory label")
        assert "wits memory repair" in str(label.content)
        await send(pilot, "hello")
        assert app.chat.query("AssistantMessage").last().text == "Still here."


async def test_memory_prune_job_reports_and_auto_prune_notice(make_app, memory_server):
    from wits_tui.engine.memory.records import PruneResult
    from wits_tui.ui import messages as msg

    app = memory_app(make_app, memory_server)
    async with app.run_test(size=SIZE) as pilot:
        await memory_open(pilot)
        app.chat_screen.slash.run("/memory prune least_relevant")
        await wait_for(pilot, lambda: any("nothing needed pruning" in n for n in notices(app)), what="the prune")
        assert not app.query_one("#job").display
        app.chat_screen.post_message(msg.MemoryPruned(PruneResult("hybrid", 3, ["a", "b", "c"], 5_000_000, 2_000_000, 4_000_000, 1)))
        await wait_for(pilot, lambda: any("removed 3 segments" in n for n in notices(app)), what="the prune notice")
        app.chat_screen.post_message(msg.MemoryJobUpdate("memory prune: removing 4 segments", 0.5))
        await wait_for(pilot, lambda: app.query_one("#job").display, what="the progress bar")
        app.chat_screen.post_message(msg.MemoryJobUpdate("", None, done=True))
        await wait_for(pilot, lambda: not app.query_one("#job").display, what="the bar to hide")


async def test_replay_shows_memory_and_tool_lines(make_app, app_paths, server):
    from wits_tui.engine.store import Store

    with Store(app_paths.database) as store:
        sid = load_fixture("memory_tools", store)
    app = make_app(replay=(sid, 0.0, 1))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: app.chat_screen.replay.state is not None and app.chat_screen.replay.state.done and not app.chat.streaming,
                       what="the replay")
        assert [str(t.title) for t in app.chat.query(ToolLine)] == [
            "⚙ calculator(expression='12*7') → 84 · 0.3 ms", "✗ calculator: invalid_arguments (expression: Field required)"]
        assert str(app.chat.query_one(MemoryUsedLine).title) == "memory used (1)"


def test_snapshot_memory_used_expanded_and_tool_calls(snap_compare, make_app, app_paths):
    from wits_tui.engine.store import Store

    with Store(app_paths.database) as store:
        sid = load_fixture("memory_tools", store)

    async def run(pilot):
        app = await ready(pilot)
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
        await wait_for(pilot, lambda: app.chat_screen.replay.state is not None and app.chat_screen.replay.state.done and not app.chat.streaming,
                       what="the replay")
        line = app.chat.query_one(MemoryUsedLine)
        line.collapsed = False
        app.query_one(ToolLine).collapsed = False
        await wait_for(pilot, lambda: all(w.query_one(".detail-body").size.height for w in (line, app.query_one(ToolLine))),
                       what="both lines to be expanded")

    assert snap_compare(make_app(replay=(sid, 0.0, 1)), terminal_size=SIZE, run_before=run)
