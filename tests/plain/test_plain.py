"""The line mode, driven through prompt-toolkit's pipe input against the scripted server."""

from __future__ import annotations

import asyncio
import inspect
import io

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from tests.engine.conftest import CHAT, make_engine
from tests.fakes.ollama_server import Reply
from tests.waiting import async_wait_until, within
from wits_tui.plain.app import PlainChat

UP, CTRL_C, CTRL_D, CTRL_R, TAB = "\x1b[A", "\x03", "\x04", "\x12", "\t"


async def wait_for(predicate, what="the condition"):
    """Until ``predicate()`` holds (the deadline only guards against a hang: tests/waiting.py)."""
    return await async_wait_until(predicate, what=what)


async def asking(chat, question: str) -> None:
    """Until the chat is at a prompt that shows ``question`` (e.g. the "[y/N]" of a confirmation)."""
    prompt = chat.prompt
    await wait_for(lambda: prompt.app.is_running and question in str(prompt.message), what=f"the prompt {question!r}")


async def line_is(chat, text: str) -> None:
    """Until the line being edited reads ``text`` (and no search is going on)."""
    prompt = chat.prompt
    await wait_for(lambda: prompt.app.is_running and not prompt.app.layout.is_searching
                   and prompt.default_buffer.text == text, what=f"the line to read {text!r}")


def drive(engine, script, session_id=None):
    """Run the chat; ``script(pipe, out)`` (or ``script(pipe, out, chat)``) is a coroutine that types into it."""
    out = io.StringIO()

    async def go():
        with create_pipe_input() as pipe:
            chat = PlainChat(engine, session_id=session_id, input=pipe, output=DummyOutput(), out=out)
            runner = asyncio.create_task(chat.run())
            await (script(pipe, out, chat) if len(inspect.signature(script).parameters) == 3 else script(pipe, out))
            code = await within(runner, what="the chat to end")
        await engine.backend.close()
        return code, chat

    code, chat = asyncio.run(go())
    return code, out.getvalue(), chat


def test_a_message_streams_and_ctrl_d_quits(paths, server):
    server.script(CHAT, Reply(text="Plain answers stream as text."))
    engine = make_engine(paths, server.host)

    async def script(pipe, out):
        pipe.send_text("hello there\r")
        await wait_for(lambda: "[llama3.2:1b" in out.getvalue())
        pipe.send_text(CTRL_D)

    code, text, chat = drive(engine, script)
    assert code == 0
    assert "Plain answers stream as text.\n[llama3.2:1b · " in text and text.rstrip().endswith("bye")
    assert "\x1b[" not in text  # no cursor or colour codes in what the user reads
    msgs = engine.store.messages.list(chat.session_id)
    assert [(m.role, m.content) for m in msgs] == [("user", "hello there"), ("assistant", "Plain answers stream as text.")]
    assert engine.store.history.recent(1)[0].command == "hello there"


def test_ctrl_c_stops_the_answer_and_keeps_it_as_interrupted(paths, server):
    server.script(CHAT, Reply(text=" ".join(f"w{i}" for i in range(300)), tokens_per_second=60,
                                  hang_after=100))  # still coming when Ctrl+C arrives, however busy the machine
    engine = make_engine(paths, server.host)

    async def script(pipe, out):
        pipe.send_text("tell me everything\r")
        await wait_for(lambda: "w5" in out.getvalue())
        pipe.send_text(CTRL_C)
        await wait_for(lambda: "[stopped" in out.getvalue())
        pipe.send_text("/history 1\r")
        await wait_for(lambda: "History" in out.getvalue())
        pipe.send_text(CTRL_D)

    code, text, chat = drive(engine, script)
    assert code == 0 and "[stopped: the partial answer is kept as interrupted]" in text
    answer = engine.store.messages.list(chat.session_id)[-1]
    assert answer.status == "interrupted" and answer.content.startswith("w0 w1 w2 w3 w4 w5")
    assert len(answer.content.split()) < 300
    assert "/history 1" in text.split("[stopped")[1]  # the chat went on after the stop


def test_up_arrow_and_ctrl_r_walk_the_shared_history(paths, server):
    engine = make_engine(paths, server.host)
    for cmd in ("an older question about sqlite", "the most recent question"):
        engine.store.history.add(cmd)

    async def script(pipe, out, chat):
        pipe.send_text(UP + "\r")  # Up recalls the newest entry; Enter sends it
        await wait_for(lambda: out.getvalue().count("[llama3.2:1b") == 1)
        await asking(chat, "you>")
        pipe.send_text(CTRL_R + "sqlite")
        await wait_for(lambda: chat.prompt.search_buffer.text == "sqlite", what="the search to be typed")
        pipe.send_text("\r")  # accept the search result into the line
        await line_is(chat, "an older question about sqlite")
        pipe.send_text("\r")
        await wait_for(lambda: out.getvalue().count("[llama3.2:1b") == 2)
        pipe.send_text(CTRL_D)

    drive(engine, script)
    sent = [r.body["messages"][-1]["content"] for r in server.requests_to("/api/chat")]
    assert sent == ["the most recent question", "an older question about sqlite"]


def test_tab_completes_slash_commands_and_session_titles(paths, server):
    engine = make_engine(paths, server.host)
    other = engine.store.sessions.create("Rust lifetimes")
    start = engine.store.sessions.create("Scratch")

    async def script(pipe, out, chat):
        pipe.send_text("/swi" + TAB)
        await line_is(chat, "/switch ")
        pipe.send_text("Rus" + TAB)
        await line_is(chat, "/switch Rust lifetimes")
        pipe.send_text("\r")
        await wait_for(lambda: "Rust lifetimes" in out.getvalue())
        pipe.send_text(CTRL_D)

    code, text, chat = drive(engine, script, session_id=start.id)
    assert chat.session_id == other.id


def test_confirmation_is_asked_in_line_mode(paths, server):
    engine = make_engine(paths, server.host)
    s = engine.store.sessions.create("Doomed")
    keep = engine.store.sessions.create("Keeper")

    async def script(pipe, out, chat):
        pipe.send_text("/delete\r")
        await asking(chat, "[y/N]")
        pipe.send_text("n\r")
        await wait_for(lambda: "kept the session" in out.getvalue(), what="the session to be kept")
        pipe.send_text("/delete\r")
        await asking(chat, "[y/N]")
        pipe.send_text("y\r")
        await asking(chat, "you>")
        pipe.send_text(CTRL_D)

    drive(engine, script, session_id=s.id)
    assert [x.title for x in engine.store.sessions.list()] == ["Keeper"] and keep.id


def test_script_mode_reads_lines_without_a_terminal(paths, server):
    server.script(CHAT, Reply(text="scripted"))
    engine = make_engine(paths, server.host)
    out = io.StringIO()

    async def go():
        chat = PlainChat(engine, out=out, interactive=False)
        await chat.run_lines(io.StringIO("first line\n/delete\n/nope\n"))
        await engine.backend.close()
        return chat

    chat = asyncio.run(go())
    text = out.getvalue()
    assert "scripted\n[llama3.2:1b" in text and "nothing destructive happens without a terminal" in text
    assert "error: unknown command /nope" in text
    assert text.startswith(f"session {chat.session_id} ")  # which session the lines went to
    assert "you> first line\n" in text and "you> /nope\n" in text  # each line read is echoed
    assert engine.store.sessions.get(chat.session_id)  # /delete was refused
    assert [e.command for e in engine.store.history.recent(3)] == ["/nope", "/delete", "first line"]


def test_a_stalled_stream_is_said_on_its_own_line_and_the_answer_goes_on(paths, server):
    server.script(CHAT, Reply(text="one two three four", pause_after=2, pause_s=2.0))
    engine = make_engine(paths, server.host, stall_notice_s=0.2)

    async def script(pipe, out):
        pipe.send_text("count\r")
        await wait_for(lambda: "[llama3.2:1b" in out.getvalue(), what="the end of the answer")
        pipe.send_text(CTRL_D)

    _, text, _ = drive(engine, script)
    assert "one two\n[no tokens for " in text and "Ctrl+C stops; still waiting]\n three four\n" in text
