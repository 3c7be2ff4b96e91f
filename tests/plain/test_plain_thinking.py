"""The line mode with a thinking model, the context figure, and the window notes."""

from __future__ import annotations

import asyncio
import io

from tests.engine.conftest import make_engine
from tests.fakes.ollama_server import Reply
from wits_tui.plain.app import PlainChat

THINKER = "qwen3:0.6b"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_script(engine, lines: str, out: io.StringIO) -> PlainChat:
    async def go():
        chat = PlainChat(engine, out=out, interactive=False)
        await chat.run_lines(io.StringIO(lines))
        await engine.aclose()
        return chat

    return asyncio.run(go())


def thinker_engine(paths, server, **chat):
    server.add_model(THINKER, capabilities=["completion", "thinking"], family="qwen3", context_length=40960)
    return make_engine(paths, server.host, default_model=THINKER, **chat)


def test_thinking_is_printed_dimmed_on_a_terminal(paths, server):
    server.script(THINKER, Reply(thinking="Small primes first.", text="7 is prime.", prompt_eval_count=3000, eval_count=100))
    out = Tty()
    run_script(thinker_engine(paths, server), "is 7 prime?\n", out)
    text = out.getvalue()
    assert "\x1b[2mSmall primes first.\x1b[0m" in text.replace("\x1b[0m\x1b[2m", "")
    assert text.index("Small") < text.index("7 is prime.")
    assert "context 3.1k / 4k]" in text  # the window Ollama gives by default


def test_thinking_without_a_terminal_is_labelled_and_can_be_hidden(paths, server):
    server.script(THINKER, Reply(thinking="Hmm.", text="Yes."), Reply(thinking="Hidden thought.", text="No."))
    out = io.StringIO()
    engine = thinker_engine(paths, server)
    run_script(engine, "first?\n", out)
    assert "thinking: Hmm.\n[end of thinking]\nYes." in out.getvalue()
    engine = make_engine(paths, server.host, default_model=THINKER, show_thinking=False)
    hidden = io.StringIO()
    run_script(engine, "second?\n", hidden)
    assert "Hidden thought." not in hidden.getvalue() and "No." in hidden.getvalue()
    # hidden, but kept
    assert engine.store.messages.list(engine.store.sessions.active().id)[-1].thinking == "Hidden thought."


def test_start_warns_about_the_default_window_and_trimming_is_said_once(paths, server):
    out = io.StringIO()
    engine = thinker_engine(paths, server, answer_reserve_tokens=16)
    engine.catalog.default_num_ctx = 256
    sid = engine.store.sessions.create().id
    for i in range(10):
        engine.store.messages.append(sid, "user" if i % 2 == 0 else "assistant", "padding words " * 40)
    engine.store.sessions.switch(sid)
    run_script(engine, "one\ntwo\n", out)
    text = out.getvalue()
    assert f"note: {THINKER} was trained for 40k tokens of context but Ollama runs it with 256 (its default)" in text
    assert text.count("older messages no longer fit the 256 window: /set num_ctx 1024 or /compact") == 1
