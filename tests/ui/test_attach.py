"""Attachments in the TUI (issue 20.3): /attach shows chips above the prompt, a chip is removed
with a click or Delete, a dropped (pasted) path attaches, sending takes them with the question,
and the scripted vision model answers with what it saw."""

from __future__ import annotations

import hashlib

import pytest

from tests.attachment_files import png, write_png
from tests.fakes.ollama_server import ScriptedOllama
from tests.ui.conftest import MODEL, make_settings, notified, ready, type_text, wait_for, wait_for_workers
from wits_tui.ui.widgets.attachments import Chip
from wits_tui.ui.widgets.chat import AssistantMessage, Notice, UserMessage

pytestmark = pytest.mark.anyio
VISION = "llava:7b"


@pytest.fixture
def server():
    with ScriptedOllama() as s:
        s.add_model(MODEL, capabilities=["completion"], family="llama", parameter_size="1.2B")
        s.add_model(VISION, capabilities=["completion", "vision"], family="llama", parameter_size="7B")
        yield s


@pytest.fixture
def settings(server):
    settings = make_settings(server.host)
    settings.chat.default_model = VISION
    return settings


def chips(app) -> list[str]:
    return [str(c.content) for c in app.query(Chip)]


def notices(app) -> list[str]:
    return [str(n.content) for n in app.chat.query(Notice)]


async def command(pilot, text: str) -> None:
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_for_workers(pilot, "slash")


async def test_attach_send_and_the_vision_model_sees_the_image(make_app, tmp_path, server):
    image = write_png(tmp_path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await command(pilot, f"/attach {image}")
        await wait_for(pilot, lambda: chips(app), what="the chip")
        assert chips(app)[0].startswith("▣ cat.png")
        assert "attached cat.png (image, 73 B) to your next message" in notices(app)[-1]
        await type_text(pilot, "What is in the picture?")
        await pilot.press("enter")
        digest = hashlib.sha256(png()).hexdigest()[:12]
        await wait_for(pilot, lambda: any(digest in a.text for a in app.chat.query(AssistantMessage)), what="the answer")
        assert not app.chat_screen.attach_bar.display and chips(app) == []  # sent with the message
        question = app.chat.query(UserMessage).last()
        assert str(question.content) == "What is in the picture?\n▣ cat.png"
        [body] = [r.body for r in server.requests_to("/api/chat") if r.body.get("messages")]
        assert len(body["messages"][-1]["images"]) == 1


async def test_chips_are_removed_with_a_click_or_delete_and_detach(make_app, tmp_path):
    first, second = write_png(tmp_path, "a.png"), tmp_path / "notes.txt"
    second.write_text("some notes\n")
    third = write_png(tmp_path, "c.png", rgb=(1, 2, 3))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await command(pilot, f"/attach {first} {second} {third}")
        await wait_for(pilot, lambda: len(chips(app)) == 3, what="three chips")
        await pilot.click(app.query(Chip).first())
        await wait_for(pilot, lambda: len(chips(app)) == 2, what="a chip to go")
        chip = app.query(Chip).first()
        assert str(chip.content).startswith("≣ notes.txt")
        chip.focus()
        await pilot.press("delete")
        await wait_for(pilot, lambda: len(chips(app)) == 1, what="the focused chip to go")
        await command(pilot, "/detach c.png")
        await wait_for(pilot, lambda: chips(app) == [], what="the last chip to go")
        assert not app.chat_screen.attach_bar.display


async def test_a_dropped_path_attaches_and_other_pastes_are_text(make_app, tmp_path):
    from textual import events

    image = write_png(tmp_path, "My Cat.png")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.prompt.post_message(events.Paste(f"'{image}'"))  # as a terminal pastes a dropped file
        await wait_for(pilot, lambda: chips(app), what="the chip")
        assert chips(app)[0].startswith("▣ My Cat.png") and app.prompt.text == ""
        app.prompt.post_message(events.Paste("/no/such/file.png"))
        await wait_for(pilot, lambda: app.prompt.text == "/no/such/file.png", what="the paste as text")
        assert len(chips(app)) == 1
        notes = tmp_path / "notes.txt"
        notes.write_text("n\n")
        app.prompt.text = "compare with "
        app.prompt.move_cursor(app.prompt.document.end)
        app.prompt.post_message(events.Paste(str(notes)))  # a text file's path into a sentence: words
        await wait_for(pilot, lambda: app.prompt.text == f"compare with {notes}", what="the path as text")
        app.prompt.post_message(events.Paste(str(write_png(tmp_path, "b.png"))))  # an image still attaches
        await wait_for(pilot, lambda: len(chips(app)) == 2, what="the second image")
        assert app.prompt.text == f"compare with {notes}"


async def test_refusals_name_the_problem(make_app, tmp_path):
    blob = tmp_path / "data.bin"
    blob.write_bytes(b"\x00\x01binary")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await command(pilot, f"/attach {blob}")
        await wait_for(pilot, lambda: notices(app), what="the refusal")
        assert "data.bin is neither an image (PNG, JPEG, GIF, WebP or BMP) nor a text file" in notices(app)[-1]
        await command(pilot, f"/model {MODEL}")
        await command(pilot, f"/attach {write_png(tmp_path)}")
        await wait_for(pilot, lambda: "cannot see images" in notices(app)[-1], what="the warning")
        assert chips(app)  # attached anyway: the person may switch model before sending
        assert not notified(app, "Traceback")
