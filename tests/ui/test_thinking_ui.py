"""Thinking in the TUI: live block, folded once the answer starts, toggled by key and click;
the context figure in the status bar and its warning; snapshots of both."""

from __future__ import annotations

import threading

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, make_settings, ready, settled, type_text, wait_for
from wits_tui.ui.widgets.message import AssistantMessage, Notice
from wits_tui.ui.widgets.thinking import ThinkingBlock

pytestmark = pytest.mark.anyio

THINKER = "qwen3:0.6b"
SIZE = (120, 40)
THOUGHT = ("The person asks whether 91 is prime. It looks prime, but 91 = 7 × 13, "
           "so it is not. I should say so and show the factors.")
ANSWER = "**No.** 91 is not prime:\n\n- 91 = 7 × 13\n- so it has divisors other than 1 and itself."


@pytest.fixture
def thinker_app(make_app, server, app_paths):
    server.add_model(THINKER, capabilities=["completion", "thinking"], family="qwen3", context_length=40960)
    return make_app(settings=make_settings(server.host).model_copy(
        update={"chat": make_settings(server.host).chat.model_copy(update={"default_model": THINKER})}))


async def thinking_block(pilot) -> ThinkingBlock:
    chat = pilot.app.chat
    return await wait_for(pilot, lambda: chat.query(ThinkingBlock).first() if chat.query(ThinkingBlock) else None,
                          what="the thinking block")


def hold_a_thought(server) -> threading.Event:
    """The next answer thinks 390 words of a 400-word thought, then waits for the event returned."""
    release = threading.Event()
    words = " ".join(f"idea{i}" for i in range(400))
    server.script(THINKER, Reply(thinking=words, text="Done.", hold_after=390, hold=release))
    return release


async def until_held(pilot) -> ThinkingBlock:
    """Ask, and wait until the held thought (:func:`hold_a_thought`) is on screen."""
    await ready(pilot)
    await ask(pilot, "Think hard")
    block = await thinking_block(pilot)
    await wait_for(pilot, lambda: "idea389" in str(block.render()), what="the held part of the thought")
    return block


async def ask(pilot, text: str) -> None:
    await type_text(pilot, text)
    await pilot.press("enter")


async def test_thinking_streams_live_then_folds_and_toggles(thinker_app, server):
    # slow thoughts, then the answer: the block is live while thinking
    server.script(THINKER, Reply(thinking=THOUGHT, text=ANSWER, tokens_per_second=12))  # ~2 s of thinking
    app = thinker_app
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await ask(pilot, "Is 91 prime?")
        block = await thinking_block(pilot)
        await wait_for(pilot, lambda: "91" in str(block.render()), what="live thoughts")
        assert block.live and block.expanded
        answer = app.chat.query(AssistantMessage).last()
        await wait_for(pilot, lambda: not app.chat_screen.turns.running and answer.text == ANSWER, what="the answer", timeout=60)
        assert not block.live and not block.expanded and "▸ thought 28 words" in str(block.render())
        assert "91 = 7 × 13" not in str(block.render())
        block.focus()
        await pilot.press("enter")
        assert block.expanded and "91 = 7 × 13" in str(block.render())
        await pilot.click(block)
        assert not block.expanded
    assert server.requests_to("/api/chat")[-1].body["think"] is True


async def test_stored_thinking_is_shown_folded_and_the_context_figure_appears(thinker_app, server):
    server.script(THINKER, Reply(thinking="Short thought.", text="Done.", prompt_eval_count=3500, eval_count=20))
    app = thinker_app
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await ask(pilot, "go")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, what="the answer", timeout=60)
        label = app.status.query_one("#status-context")
        await wait_for(pilot, lambda: str(label.content) == "context 3.5k / 4k", what="the measured context")
        assert label.has_class("-warn")  # past 80% of the window
        await pilot.press("ctrl+n")  # another session, then back: from the store
        await wait_for(pilot, lambda: not app.chat.query(ThinkingBlock), what="the new session")
        app.chat_screen.sessions.open(1)
        block = await wait_for(pilot, lambda: app.chat.query(ThinkingBlock).first() if app.chat.query(ThinkingBlock) else None,
                               what="the stored thoughts")
        await wait_for(pilot, lambda: "2 words" in str(block.render()) and app.chat_screen.sessions.current.id == 1, what="the folded block")
        assert not block.expanded
        await pilot.pause()


async def test_start_warns_about_the_default_window(thinker_app, server):
    app = thinker_app
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        note = await wait_for(pilot, lambda: [n for n in app.chat.query(Notice) if "trained for 40k" in str(n.render())],
                              what="the window warning")
        assert "/set num_ctx 16384" in str(note[0].render())


async def test_set_num_ctx_changes_the_window_shown(make_app, server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await ask(pilot, "/set num_ctx 8192")
        await ask(pilot, "hello")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running and app.chat.query(AssistantMessage), what="the answer")
        label = app.status.query_one("#status-context")
        await wait_for(pilot, lambda: str(label.content).endswith("/ 8k"), what="the window")
        assert not label.has_class("-warn")
    assert server.requests_to("/api/chat")[-1].body["options"]["num_ctx"] == 8192


# -- snapshots ------------------------------------------------------------------------------
def _seeded(make_app, server, app_paths):
    from wits_tui.engine.store import Store

    server.add_model(THINKER, capabilities=["completion", "thinking"], family="qwen3", context_length=4096)
    with Store(app_paths.database) as store:
        s = store.sessions.create("Is 91 prime?", model=THINKER)
        store.messages.append(s.id, "user", "Is 91 prime?")
        store.messages.append(s.id, "assistant", ANSWER, model=THINKER, thinking=THOUGHT)
        store.sessions.switch(s.id)
    return make_app()


async def _settle(pilot) -> None:
    app = await ready(pilot)
    await wait_for(pilot, lambda: app.chat_screen.module_bar.entries and app.chat.query(ThinkingBlock), what="the chat")
    await settled(pilot)


def test_snapshot_thinking_collapsed(snap_compare, make_app, server, app_paths):
    assert snap_compare(_seeded(make_app, server, app_paths), terminal_size=SIZE, run_before=_settle)


def test_snapshot_thinking_expanded(snap_compare, make_app, server, app_paths):
    async def expand(pilot) -> None:
        await _settle(pilot)
        await pilot.click(ThinkingBlock)
        await settled(pilot)

    assert snap_compare(_seeded(make_app, server, app_paths), terminal_size=SIZE, run_before=expand)


def test_snapshot_context_warning(snap_compare, make_app, server, app_paths):
    server.script(MODEL, Reply(text="Here is the summary you asked for.", prompt_eval_count=3700, eval_count=12))

    async def answer(pilot) -> None:
        app = await ready(pilot)
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
        await ask(pilot, "Summarise our plan.")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running and "3.7k" in str(app.status.query_one("#status-context").content),
                       what="the answer", timeout=60)
        app.prompt.cursor_blink = False
        app.status.set_speed(None, None)  # measured timings differ from run to run: not part of this picture
        await settled(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=answer)


async def test_palette_shows_this_sessions_settings(make_app, server):
    from tests.ui.test_palette_themes import palette_search

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await ask(pilot, "/set temperature 0.3")
        await wait_for(pilot, lambda: not app.prompt.text, what="the command")
        found = await palette_search(pilot, "temperature")
        assert any("Set temperature = 0.3" in f for f in found), found
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.prompt.text == "/set temperature ", what="the prompt to be filled")
        found = await palette_search(pilot, "thinking off")
        assert any("Thinking: off" in f for f in found), found


async def test_a_replay_shows_the_thinking_again(thinker_app, server):
    server.script(THINKER, Reply(thinking="Replayed thought, word by word.", text="Replayed answer."))
    app = thinker_app
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await ask(pilot, "think")
        await wait_for(pilot, lambda: not app.chat_screen.turns.running and app.chat.query(ThinkingBlock), what="the answer",
                       timeout=60)
        sid = app.chat_screen.sessions.current.id
        app.chat_screen.replay.start(sid, speed=0)
        await wait_for(pilot, lambda: app.chat_screen.replay.state is not None and app.chat_screen.replay.state.done,
                       what="the replay")
        await wait_for(pilot, lambda: [b for b in app.chat.query(ThinkingBlock) if b.text == "Replayed thought, word by word."]
                       and not app.chat.streaming, what="the replayed thoughts")


def test_words_counted_piece_by_piece_add_up_to_the_whole():
    from wits_tui.ui.widgets.thinking import count_words

    text = "  So 91 = 7 × 13,\nwhich\tmeans it is not prime; check 97 next.  Then  stop."
    for size in (1, 2, 3, 5, 7):
        pieces = [text[i:i + size] for i in range(0, len(text), size)]
        total, before = 0, ""
        for piece in pieces:
            total += count_words(piece, not before or before[-1].isspace())
            before += piece
        assert total == len(text.split()), size


async def test_a_live_thought_keeps_its_height_while_it_grows(thinker_app, server):
    # A long thought held mid-stream: appending more repaints the block at the same height
    # (its newest lines), so the chat is not laid out again for every frame of thinking.
    from wits_tui.ui.widgets.thinking import LIVE_LINES

    release = hold_a_thought(server)
    app = thinker_app
    try:
        async with app.run_test(size=SIZE) as pilot:
            block = await until_held(pilot)
            assert block.words == 390 and "390 words" in str(block.render())
            await settled(pilot)
            height = block.size.height
            assert height == 1 + LIVE_LINES
            block.append(" more thoughts " * 30)
            await wait_for(pilot, lambda: "more thoughts" in str(block.render()).splitlines()[-1], what="a redraw")
            await settled(pilot)
            assert block.size.height == height and block.words == 390 + 60
            release.set()
            await wait_for(pilot, lambda: not block.live, what="the answer")
    finally:
        release.set()


async def test_a_key_typed_while_a_thought_streams_is_drawn_at_once(thinker_app, server, monkeypatch):
    # Textual paints on a frame timer that never pauses while a thought streams; the prompt paints
    # what was typed right after handling the key (wits_tui.ui.paint). Fails if Textual's internals
    # that draw_now uses move (it then returns False and keys wait for the next tick again).
    from textual.screen import Screen

    from wits_tui.ui import app as app_module
    from wits_tui.ui import paint
    from wits_tui.ui.widgets import prompt as prompt_module

    frames = 0
    refresh = Screen._compositor_refresh

    def counting(self) -> None:
        nonlocal frames
        frames += 1
        refresh(self)

    drawn: list[tuple[bool, int]] = []

    def recording(widget, **how) -> bool:
        before = frames
        result = paint.draw_now(widget, **how)
        drawn.append((result, frames - before))
        return result

    monkeypatch.setattr(Screen, "_compositor_refresh", counting)
    monkeypatch.setattr(prompt_module, "draw_now", recording)  # typed text
    monkeypatch.setattr(app_module, "draw_now", recording)  # the prompt's bindings (Backspace...)
    release = hold_a_thought(server)
    app = thinker_app
    try:
        async with app.run_test(size=SIZE) as pilot:
            block = await until_held(pilot)
            drawn.clear()
            await pilot.press("q")
            await wait_for(pilot, lambda: drawn, what="the key to reach the prompt")
            assert app.prompt.text == "q"
            assert drawn[-1] == (True, 1)  # painted in the key's own callback
            drawn.clear()
            await pilot.press("backspace")
            await wait_for(pilot, lambda: drawn, what="Backspace to reach the prompt")
            assert app.prompt.text == ""
            assert (True, 1) in drawn
            release.set()
            await wait_for(pilot, lambda: not block.live, what="the answer")
    finally:
        release.set()
