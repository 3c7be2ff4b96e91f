"""Streaming on the realistic corpus: what streamed is what a fresh render of the stored text gives.

A live answer freezes each block as it completes and re-renders only the growing tail
(``md_body``). The lines on screen just before the answer ends, and after it ended,
must equal one rendering of the whole text, or the answer would jump when it ends (or
differ from the same answer opened later)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from tests.ui.conftest import settled, wait_for
from wits_tui.ui import messages as msg
from wits_tui.ui.widgets import md_body, md_render
from wits_tui.ui.widgets.chat import ChatView

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.corpus import answer, tokenize  # noqa: E402

pytestmark = pytest.mark.anyio


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield ChatView()


def shown(lines: list) -> list[list[tuple[str, object]]]:
    """Lines as (text, style) runs, blank-insensitive at the right edge."""
    out = []
    for strip in lines:
        runs = [(s.text, s.style) for s in strip.simplify() if s.text]
        while runs and not runs[-1][0].strip() and runs[-1][1] in (None,):
            runs.pop()
        out.append(runs)
    return out


async def stream(chat: ChatView, pilot, text: str, seed: int) -> md_body.MarkdownBody:
    rng = random.Random(seed)
    tokens = tokenize(text)
    await chat.begin_answer(1, "m")
    i = 0
    while i < len(tokens):
        n = rng.choice([1, 1, 2, 3, 8, 40])
        await chat.on_answer_token(msg.AnswerToken(1, "".join(tokens[i:i + n])))
        i += n
        if rng.random() < 0.2:
            await pilot.pause()
    body = chat._live.widget.body
    return body


@pytest.mark.parametrize("tokens,seed", [(200, 1), (1000, 2), (1000, 5), (4000, 3)])
async def test_streamed_corpus_answer_equals_a_fresh_render(tokens: int, seed: int) -> None:
    text = answer(tokens, seed)
    app = Host()
    async with app.run_test(size=(100, 50)) as pilot:
        chat = app.query_one(ChatView)
        chat.session_id = 1
        body = await stream(chat, pilot, text, seed)
        assert len(body._parts) > 1  # blocks were frozen on the way
        await wait_for(pilot, lambda: not body._redraw_pending, what="the last redraw")
        await pilot.pause()
        width = body.size.width
        fresh = md_render.render(text, width, md_body.look_for(app))
        assert body.ready_for(width)
        assert shown(body._lines) == shown(fresh)  # nothing moves when the answer ends

        done = type("Done", (), {"text": text, "message_id": 7})()
        await chat.on_answer_done(msg.AnswerDone(1, done))
        await wait_for(pilot, lambda: chat.body_renderer.idle, what="the final render")
        await pilot.pause()
        assert body.source == text and not body.live
        assert shown(body._lines) == shown(fresh)


async def test_tokens_that_come_after_the_last_layout_still_show_when_the_answer_ends() -> None:
    # A fast stream ends within a frame of its last tokens: the answer ended before the chat laid
    # the body out again for them, and the renderer's lines (as many as the streamed ones) only
    # repainted, so the body kept its old height and the answer's end was cut off (and the chat,
    # following its end, stopped short of it). Pilot at 60 frames/s: 3 of 8 runs before the fix.
    text = answer(1000, 4)
    app = Host()
    async with app.run_test(size=(100, 50)) as pilot:
        chat = app.query_one(ChatView)
        chat.session_id = 1
        await chat.begin_answer(1, "m")
        tokens = tokenize(text)
        half = len(tokens) // 2
        await chat.on_answer_token(msg.AnswerToken(1, "".join(tokens[:half])))
        body = chat._live.widget.body
        await wait_for(pilot, lambda: not body._redraw_pending, what="a redraw")
        await settled(pilot)
        laid_out = body.size.height
        # the rest, and the end, before any frame lays the body out again
        await chat.on_answer_token(msg.AnswerToken(1, "".join(tokens[half:])))
        done = type("Done", (), {"text": text, "message_id": 7})()
        await chat.on_answer_done(msg.AnswerDone(1, done))
        await wait_for(pilot, lambda: chat.body_renderer.idle, what="the final render")
        await settled(pilot)
        assert len(body._lines) > laid_out
        assert body.size.height == len(body._lines)
        assert chat.scroll_y == chat.max_scroll_y  # following the end, all of it


async def test_final_text_that_differs_from_the_stream_replaces_it() -> None:
    app = Host()
    async with app.run_test(size=(100, 50)) as pilot:
        chat = app.query_one(ChatView)
        chat.session_id = 1
        await chat.begin_answer(1, "m")
        await chat.on_answer_token(msg.AnswerToken(1, "Here is one:\n\n```python\ndef f():\n"))
        await settled(pilot)
        final = "Here is one:\n\n```python\ndef f():\n    return 1\n```\n\nDone.\n"
        done = type("Done", (), {"text": final, "message_id": 7})()
        await chat.on_answer_done(msg.AnswerDone(1, done))
        await wait_for(pilot, lambda: chat.body_renderer.idle, what="the final render")
        await settled(pilot)
        body = chat.query_one(md_body.MarkdownBody)
        assert body.source == final
        assert shown(body._lines) == shown(md_render.render(final, body.size.width, md_body.look_for(app)))
        assert "return 1" in md_render.plain(body._lines) and "Done." in md_render.plain(body._lines)


@pytest.mark.parametrize("seed,width,rows", [(0, 112, 38), (3, 72, 20), (7, 192, 45), (11, 50, 30)])
def test_the_end_drawn_first_is_the_end_of_the_whole_rendering(seed: int, width: int, rows: int) -> None:
    """A session opens at its end by rendering the newest answer's last blocks first
    (``render_tail``); the whole rendering that replaces them must end with the same lines."""
    text = answer(4000, seed)
    look = md_render.look_from("textual-dark", {}, True)
    partial = md_render.render_tail(text, width, look, rows)
    assert partial is not None  # a 4,000-token answer is long enough for it to pay
    whole = md_render.render(text, width, look)
    first = next(i for i, line in enumerate(partial) if line.text.strip())  # the guessed rows above are blank
    drawn = partial[first:]
    assert len(drawn) >= rows  # enough to fill the screen
    assert shown(partial[-len(drawn):]) == shown(whole[-len(drawn):])
    assert md_render.render_tail(answer(200, seed), width, look, rows) is None  # short: rendered whole
