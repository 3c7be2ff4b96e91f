"""The end of a streamed answer: the final text replaces what streamed, with nothing left over.

Regression: ``MarkdownStream.stop()`` cancels its task while an ``append`` runs shielded, so the
append can still be mounting blocks when the final ``update`` takes its list of blocks to remove.
The blocks mounted after that were left above the final answer (seen in tmux as a stretch of
empty lines between the model's name and the answer)."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App
from textual.widgets import Markdown

from tests.ui.conftest import wait_for
from tests.waiting import within
from wits_tui.ui import messages as msg
from wits_tui.ui.widgets.chat import ChatView

pytestmark = pytest.mark.anyio

ANSWER = ("Here is one:\n\n```python\ndef reverse(items):\n    return items[::-1]\n```\n\n"
          "## How it works\n\n- one slice\n- a new list\n\nAsk for more.\n")


class Host(App):
    def compose(self):
        yield ChatView()


def blocks(md: Markdown) -> list[str]:
    return [type(b).__name__ for b in md.children]


async def test_final_text_leaves_no_stale_blocks_when_an_append_is_in_flight():
    app = Host()
    async with app.run_test(size=(100, 60)) as pilot:
        chat = app.query_one(ChatView)
        chat.session_id = 1
        await chat.begin_answer(1, "m")
        md = chat._live.widget.markdown
        slow_append = md.append
        started: list[str] = []
        finished: list[str] = []
        busy = asyncio.Event()  # cleared: an append waits, as on a busy screen
        busy.set()

        def append(fragment: str):
            async def slowly() -> None:
                started.append(fragment)
                await busy.wait()
                await slow_append(fragment)
                finished.append(fragment)
            return slowly()

        md.append = append
        half = len(ANSWER) // 2
        await chat.on_answer_token(msg.AnswerToken(1, ANSWER[:half]))
        await wait_for(pilot, lambda: len(finished) == 1, what="the first append")
        busy.clear()
        await chat.on_answer_token(msg.AnswerToken(1, ANSWER[half:]))
        await wait_for(pilot, lambda: len(started) == 2, what="the second append to start and wait")
        done = type("Done", (), {"text": ANSWER, "message_id": 7})()
        ending = asyncio.create_task(chat.on_answer_done(msg.AnswerDone(1, done)))
        await wait_for(pilot, lambda: chat._live is None, what="the answer to start ending")
        busy.set()  # the append in flight goes on while the answer ends
        await within(ending, what="the answer to end")

        fresh = Markdown(ANSWER)
        await app.query_one(ChatView).mount(fresh)
        await wait_for(pilot, lambda: fresh.children and fresh.outer_size.height, what="the fresh copy laid out")
        await pilot.pause()
        assert blocks(md) == blocks(fresh)
        assert md.outer_size.height == fresh.outer_size.height
