"""`wits ask --attach FILE`: an image to a vision model (the scripted server echoes what it saw),
and a clear refusal for a file that cannot go."""

from __future__ import annotations

import hashlib

import pytest

from tests.attachment_files import png, write_png
from tests.fakes.ollama_server import ScriptedOllama
from tests.test_cli_ask_doctor import wits


@pytest.fixture
def server():
    with ScriptedOllama() as s:
        s.add_model("llava:7b", capabilities=["completion", "vision"])
        yield s


def test_ask_with_an_image(server, tmp_path):
    proc = wits(server.host, "ask", "--attach", str(write_png(tmp_path)), "what is this?",
                WITS_CHAT__DEFAULT_MODEL="llava:7b")
    assert proc.returncode == 0, proc.stderr
    assert f"[I see 1 image: {len(png())} bytes, sha256 {hashlib.sha256(png()).hexdigest()[:12]}]" in proc.stdout


def test_ask_refuses_a_file_that_is_not_an_image_or_text(server, tmp_path):
    blob = tmp_path / "x.bin"
    blob.write_bytes(b"\x00\x01\x02")
    proc = wits(server.host, "ask", "-a", str(blob), "what is this?", WITS_CHAT__DEFAULT_MODEL="llava:7b")
    assert proc.returncode == 2 and "x.bin is neither an image" in proc.stderr and "Fix:" in proc.stderr
    assert server.requests_to("/api/chat") == []
    from wits_tui.engine.store import Store
    from wits_tui.paths import resolve_paths

    with Store(resolve_paths().database) as store:
        assert store.sessions.list() == []  # no empty session left behind
