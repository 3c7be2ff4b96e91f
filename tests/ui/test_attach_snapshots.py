"""What attachments look like: a question sent with an image (the 📎 line under it, the vision
model's answer saying what it saw) and two files waiting as chips above the prompt."""

from __future__ import annotations

import hashlib

from tests.attachment_files import png, write_png
from tests.ui.conftest import ready, type_text, wait_for, wait_for_workers
from tests.ui.test_attach import chips, server, settings  # noqa: F401 - fixtures: a vision model is the default
from wits_tui.ui.widgets.chat import AssistantMessage


def test_chips_and_a_sent_image(snap_compare, make_app, tmp_path):
    image = write_png(tmp_path)
    notes = tmp_path / "notes.md"
    notes.write_text("# Shopping\n- milk\n")
    other = write_png(tmp_path, "diagram.png", width=8, height=8, rgb=(10, 200, 10))

    async def attach_and_send(pilot) -> None:
        app = await ready(pilot)
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
        await type_text(pilot, f"/attach {image}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: chips(app), what="the chip")
        await type_text(pilot, "What is in the picture?")
        await pilot.press("enter")
        digest = hashlib.sha256(png()).hexdigest()[:12]
        await wait_for(pilot, lambda: any(digest in a.text for a in app.chat.query(AssistantMessage)), what="the answer")
        await wait_for_workers(pilot)
        await type_text(pilot, f"/attach {notes} {other}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(chips(app)) == 2, what="two chips")
        await wait_for_workers(pilot)
        app.prompt.insert("and these?")
        await wait_for_workers(pilot)
        app.chat_screen.status.set_speed(None, None)  # wall-clock figures (first token, tok/s) differ every run
        await wait_for_workers(pilot)

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=attach_and_send)
