"""Queue while answering: a message sent while an answer streams waits above the prompt and
goes out when the answer ends; Esc stops the answer and holds the queue; queued messages can
be dropped or taken back."""

from __future__ import annotations

import threading

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, press_now, ready, settled, type_text, wait_for, wait_for_workers
from tests.waiting import hang_guard
from wits_tui.ui.widgets.chat import AssistantMessage
from wits_tui.ui.widgets.queue import QueuedLine

pytestmark = pytest.mark.anyio
SIZE = (110, 32)


def gated(text: str) -> tuple[threading.Event, object]:
    """A reply that does not begin until the test opens the gate: the answer is coming for as
    long as the test needs, however busy the machine."""
    gate = threading.Event()

    def reply(request: dict) -> Reply:
        gate.wait(hang_guard())
        return Reply(text=text)

    return gate, reply


def queued(app) -> list[str]:
    return [str(w.content) for w in app.chat_screen.queue_bar.query(QueuedLine)]


def questions(server) -> list[str]:
    return [r.body["messages"][-1]["content"] for r in server.requests_to("/api/chat")]


def complete_answers(app) -> list[str]:
    return [a.text for a in app.chat.query(AssistantMessage) if a.status == "complete" and a.message_id is not None]


async def send(pilot, text: str) -> None:
    await type_text(pilot, text)
    await press_now(pilot, "enter")


async def test_a_message_sent_while_answering_waits_and_goes_out_when_the_answer_ends(make_app, server):
    gate, first = gated("First answer.")
    server.script(MODEL, first, Reply(text="Second answer."), Reply(text="Third answer."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = app.chat_screen
        await send(pilot, "first question")
        await wait_for(pilot, lambda: screen.turns.running and questions(server), what="the first answer to be coming")
        await send(pilot, "second question")
        await send(pilot, "third question")
        await wait_for(pilot, lambda: len(queued(app)) == 2, what="two queued lines")
        assert "second question" in queued(app)[0] and "third question" in queued(app)[1]
        assert app.prompt.text == "" and screen.queue_bar.display
        assert questions(server) == ["first question"]  # nothing else went out yet
        assert not any("still coming" in str(n.message) for n in app._notifications)
        gate.set()
        await wait_for(pilot, lambda: len(complete_answers(app)) == 3 and not screen.turns.running,
                       what="the three answers, one after another")
        assert questions(server) == ["first question", "second question", "third question"]
        assert complete_answers(app) == ["First answer.", "Second answer.", "Third answer."]
        await wait_for(pilot, lambda: not screen.queue_bar.display and not queued(app), what="the queue bar to go")
        stored = app.engine.store.messages.list(screen.sessions.current.id)
        assert [m.content for m in stored if m.role == "user"] == ["first question", "second question", "third question"]


async def test_escape_stops_the_answer_and_holds_the_queue_until_enter(make_app, server):
    server.script(MODEL, Reply(text="word " * 200, token_delay=0.01, hang_after=10), Reply(text="After the stop."),
                  Reply(text="And the last one."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = app.chat_screen
        await send(pilot, "ramble on")
        await wait_for(pilot, lambda: app.chat._live and app.chat._live.text, what="streaming")
        await send(pilot, "queued one")
        await send(pilot, "queued two")
        await wait_for(pilot, lambda: len(queued(app)) == 2, what="two queued lines")
        await press_now(pilot, "escape")
        await wait_for(pilot, lambda: not screen.turns.running and screen.queue.held, what="the stop, the queue held")
        await wait_for(pilot, lambda: "held" in str(screen.queue_bar.query_one(".queue-hint").content),
                       what="the bar to say it is held")
        await settled(pilot)
        assert questions(server) == ["ramble on"]  # stopping did not send the next one behind the person's back
        assert len(queued(app)) == 2  # ... and did not drop anything
        # Enter on an empty prompt sends the held queue, in order: the second follows the first's answer
        app.prompt.focus()
        await press_now(pilot, "enter")
        await wait_for(pilot, lambda: len(questions(server)) == 3 and not screen.turns.running and not queued(app),
                       what="the held queue to go out")
        assert questions(server) == ["ramble on", "queued one", "queued two"]
        await wait_for(pilot, lambda: complete_answers(app)[-2:] == ["After the stop.", "And the last one."],
                       what="their answers")


async def test_a_new_message_after_a_held_queue_goes_out_behind_it(make_app, server):
    server.script(MODEL, Reply(text="word " * 200, token_delay=0.01, hang_after=5), Reply(text="Held one answered."),
                  Reply(text="New one answered."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = app.chat_screen
        await send(pilot, "ramble on")
        await wait_for(pilot, lambda: app.chat._live and app.chat._live.text, what="streaming")
        await send(pilot, "held one")
        await wait_for(pilot, lambda: len(queued(app)) == 1, what="the queued line")
        await press_now(pilot, "escape")
        await wait_for(pilot, lambda: not screen.turns.running and screen.queue.held, what="the queue held")
        await send(pilot, "new one")  # the order stays the order they were typed in
        await wait_for(pilot, lambda: len(questions(server)) == 3 and not screen.turns.running and not queued(app),
                       what="both to go out")
        assert questions(server) == ["ramble on", "held one", "new one"]
        await wait_for(pilot, lambda: complete_answers(app)[-2:] == ["Held one answered.", "New one answered."],
                       what="their answers")


async def test_a_queued_message_can_be_taken_back_or_dropped(make_app, server):
    gate, first = gated("Only answer.")
    server.script(MODEL, first)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = app.chat_screen
        await send(pilot, "question")
        await wait_for(pilot, lambda: screen.turns.running and questions(server), what="the answer to be coming")
        for text in ("keep me", "change me", "drop me"):
            await send(pilot, text)
        await wait_for(pilot, lambda: len(queued(app)) == 3, what="three queued lines")
        # Up on an empty prompt takes the newest back into the prompt
        await press_now(pilot, "up")
        await wait_for(pilot, lambda: app.prompt.text == "drop me" and len(queued(app)) == 2, what="taken back")
        app.prompt.clear()
        # Delete on a focused queued line drops it
        line = screen.queue_bar.query(QueuedLine).last()
        assert "change me" in str(line.content)
        line.focus()
        await press_now(pilot, "delete")
        await wait_for(pilot, lambda: len(queued(app)) == 1 and "keep me" in queued(app)[0], what="one dropped")
        # /queue lists, /queue clear drops the rest
        await send(pilot, "/queue")
        await wait_for(pilot, lambda: any("keep me" in str(n.content) for n in app.chat.query(".notice")),
                       what="the listing")
        await send(pilot, "/queue clear")
        await wait_for(pilot, lambda: not queued(app) and not screen.queue_bar.display, what="the queue cleared")
        gate.set()
        await wait_for(pilot, lambda: complete_answers(app) == ["Only answer."] and not screen.turns.running,
                       what="the answer")
        await settled(pilot)
        assert questions(server) == ["question"]


def test_snapshot_queue_held_after_esc(snap_compare, make_app, server, app_paths):
    """The queue held after Esc (a picture without the live thinking animation, which moves)."""
    from tests.ui.conftest import seed

    seed(app_paths, [("user", "What is a B-tree?"),
                     ("assistant", "A balanced search tree whose nodes hold many keys, so lookups touch few disk pages.")],
         title="Storage")
    partial = "An LSM tree buffers writes in memory and"
    server.script(MODEL, Reply(text=partial + " flushes sorted runs to disk.", hang_after=len(partial.split(" "))))

    async def queue_two_then_stop(pilot) -> None:
        app = await ready(pilot)
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
        await send(pilot, "And an LSM tree?")
        await wait_for(pilot, lambda: app.chat._live and app.chat._live.text.rstrip() == partial, what="the partial answer")
        await send(pilot, "Which one suits a write-heavy log?")
        await send(pilot, "Give me a table comparing both.")
        await wait_for(pilot, lambda: len(queued(app)) == 2, what="two queued lines")
        await press_now(pilot, "escape")
        await wait_for(pilot, lambda: app.chat_screen.queue.held and not app.chat_screen.turns.running
                       and "held" in str(app.chat_screen.queue_bar.query_one(".queue-hint").content), what="held")
        app.prompt.cursor_blink = False
        app.status.set_speed(None, None)  # measured timings differ from run to run: not part of this picture
        app.clear_notifications()  # the toast saying the same goes after a few seconds
        await wait_for_workers(pilot, "modules")  # the module bar's loaded-model dots, read after the turn
        await settled(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=queue_two_then_stop)
