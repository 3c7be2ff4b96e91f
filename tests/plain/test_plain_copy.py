"""/copy in the line mode: the system tool (a stand-in xclip script) and OSC 52 to a terminal."""

from __future__ import annotations

import asyncio
import base64
import io

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from tests.clipboard_fakes import fake_xclip
from tests.engine.conftest import CHAT, make_engine
from tests.fakes.ollama_server import Reply
from tests.plain.conftest import server  # noqa: F401 - the scripted server fixture
from wits_tui.plain.app import PlainChat

ANSWER = "Like this:\n\n```sh\nls -la\n```\n"


def test_copy_a_code_block_with_the_system_tool(paths, server, tmp_path, monkeypatch):  # noqa: F811
    clip = fake_xclip(tmp_path, monkeypatch)
    server.script(CHAT, Reply(text=ANSWER))
    engine = make_engine(paths, server.host)
    out = io.StringIO()

    async def go():
        chat = PlainChat(engine, out=out, interactive=False)
        await chat.run_lines(io.StringIO("list files\n/copy code 1\n"))
        await engine.backend.close()

    asyncio.run(go())
    assert clip.read_text() == "ls -la"
    assert "Copied code block 1 (sh; 6 characters) with xclip." in out.getvalue()
    assert "\x1b]52" not in out.getvalue()  # no terminal: no escape in a script's output


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_copy_goes_to_the_terminal_with_osc52(paths, server, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PATH", "/nonexistent")  # no clipboard tool at all
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "VTE_VERSION", "TERM_PROGRAM", "TMUX", "STY"):
        monkeypatch.delenv(name, raising=False)
    server.script(CHAT, Reply(text=ANSWER))
    engine = make_engine(paths, server.host)
    out = Terminal()

    async def go():
        with create_pipe_input() as pipe:
            chat = PlainChat(engine, input=pipe, output=DummyOutput(), out=out)
            await chat._start()
            await chat.handle("list files")
            await chat.handle("/copy")
        await engine.backend.close()

    asyncio.run(go())
    text = out.getvalue()
    assert f"\x1b]52;c;{base64.b64encode(ANSWER.encode()).decode()}\a" in text
    assert "through the terminal (OSC 52)" in text


def test_attach_in_the_line_mode_goes_with_the_next_message(paths, tmp_path):
    import hashlib

    from tests.attachment_files import png, write_png
    from tests.fakes.ollama_server import ScriptedOllama

    with ScriptedOllama() as vision:
        vision.add_model("llava:7b", capabilities=["completion", "vision"], context_length=4096)
        engine = make_engine(paths, vision.host, default_model="llava:7b")
        image = write_png(tmp_path)
        out = io.StringIO()

        async def go():
            chat = PlainChat(engine, out=out, interactive=False)
            await chat.run_lines(io.StringIO(f"/attach {image}\n/attach\nwhat is this?\nand now?\n"))
            await engine.backend.close()

        asyncio.run(go())
    text = out.getvalue()
    assert "attached cat.png (image, 73 B) to your next message" in text
    assert "attached to your next message: 1. cat.png (image, 73 B)" in text
    assert f"[I see 1 image: 73 bytes, sha256 {hashlib.sha256(png()).hexdigest()[:12]}]" in text
    assert text.count("[I see") == 1  # the next message went without it
