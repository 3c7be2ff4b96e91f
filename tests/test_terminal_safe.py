"""Terminal escape injection (issue 21 item 6): the probe's payload in `wits ask`, the line
mode (the TUI's test is tests/ui/test_terminal_safe_ui.py); stored text stays as received."""

from __future__ import annotations

import asyncio

from tests.engine.conftest import CHAT, make_engine
from tests.fakes.ollama_server import Reply
from tests.plain.test_plain import drive, wait_for
from tests.test_cli_ask_doctor import server, wits  # noqa: F401 - the fixture
from wits_tui.engine.store import Store
from wits_tui.engine.textsafe import terminal_safe

#: window title, clear screen, cursor move, OSC 52 clipboard write, OSC 8 hidden link, 8-bit CSI
PAYLOAD = ("Hello \x1b]0;pwned-title\x07 \x1b[2J\x1b[5;5H \x1b]52;c;cHduZWQ=\x07 "
           "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ \x9b31m done\r\nnext\tline")


def test_every_control_character_but_newline_and_tab_is_made_visible():
    shown = terminal_safe(PAYLOAD)
    assert not any(ord(c) < 0x20 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert "␛]0;pwned-title␇" in shown and "␛[2J" in shown and "<U+009B>" in shown
    assert "done\nnext\tline" in shown
    assert terminal_safe("plain text\n") == "plain text\n"
    assert terminal_safe("lone \ud800 surrogate") == "lone \ufffd surrogate"


def test_wits_ask_shows_the_payload_harmlessly_and_stores_it_as_sent(server, paths):  # noqa: F811
    server.script(CHAT, Reply(text=PAYLOAD))
    proc = wits(server.host, "ask", "say hello")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout and "\x9b" not in proc.stdout
    assert "␛]0;pwned-title␇" in proc.stdout
    with Store(paths.database) as s:
        [session] = s.sessions.list()
        assert s.messages.list(session.id)[-1].content == PAYLOAD


def test_the_line_mode_shows_the_payload_harmlessly(paths, server):  # noqa: F811
    server.script(CHAT, Reply(text=PAYLOAD))
    engine = make_engine(paths, server.host)

    async def script(pipe, out):
        pipe.send_text("say hello\r")
        await wait_for(lambda: "[llama3.2:1b" in out.getvalue())
        pipe.send_text("\x04")

    code, text, chat = drive(engine, script)
    assert code == 0
    assert "\x1b" not in text and "\x07" not in text and "␛[2J" in text
    with Store(paths.database) as s:
        assert s.messages.list(chat.session_id)[-1].content == PAYLOAD
    asyncio.set_event_loop(None)
