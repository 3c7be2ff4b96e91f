"""Copy (issue 20.1): the focused answer with a key, /copy [N] [code M], a code block's
"copy" label clicked with the mouse, and a mouse selection with Ctrl+C. The system tool is
a script on PATH standing in for xclip: it writes what it was given to a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clipboard_fakes import fake_xclip
from tests.ui.conftest import notified, ready, seed, type_text, wait_for
from wits_tui.ui.widgets.chat import AssistantMessage
from wits_tui.ui.widgets.md_body import MarkdownBody
from wits_tui.ui.widgets.md_render import CODE_META

pytestmark = pytest.mark.anyio

ANSWER = ("Two ways:\n\n```python\nprint('one')\n```\n\nand in the shell:\n\n```bash\necho two\n```\n")
CONVERSATION = [("user", "how do I print?"), ("assistant", "An older answer."), ("user", "and again?"),
                ("assistant", ANSWER)]


@pytest.fixture
def xclip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return fake_xclip(tmp_path, monkeypatch)


async def copied(pilot, out: Path, what: str) -> str:
    await wait_for(pilot, lambda: out.exists() and notified(pilot.app, f"Copied {what}"), what=f"{what} to be copied")
    return out.read_text()


async def test_key_on_a_focused_answer_copies_it(make_app, app_paths, xclip):
    seed(app_paths, CONVERSATION)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        first = app.chat.query(AssistantMessage).first()
        first.focus()
        await pilot.press("c")
        assert await copied(pilot, xclip, "the answer") == "An older answer."
        assert app.clipboard == "An older answer."  # OSC 52 went out too (Textual keeps the last copy)
        assert notified(app, "with xclip (and through the terminal, OSC 52)")


async def test_slash_copy_answers_and_code_blocks(make_app, app_paths, xclip):
    seed(app_paths, CONVERSATION)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        for command, what, expected in [
            ("/copy code 2", "code block 2 (bash;", "echo two"),
            ("/copy", "the last answer", ANSWER),
            ("/copy 2", "answer 2 from the end", "An older answer."),
            ("/copy code 1", "code block 1 (python;", "print('one')"),
        ]:
            xclip.unlink(missing_ok=True)
            await type_text(pilot, command)
            await pilot.press("enter")
            assert await copied(pilot, xclip, what) == expected
        await type_text(pilot, "/copy code 3")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("has 2 code blocks, not 3" in str(n.content) for n in app.chat.query("Notice")),
                       what="the refusal")


async def test_clicking_a_code_blocks_label_copies_it(make_app, app_paths, xclip):
    seed(app_paths, CONVERSATION)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        body = app.chat.query(AssistantMessage).last().query_one(MarkdownBody)
        width = body.size.width
        spot = next((x, y) for y in range(body.size.height) for x in range(width)
                    if CODE_META in body.get_style_at(x, y).meta and body.get_style_at(x, y).meta[CODE_META] == "echo two")
        assert await pilot.click(body, offset=spot)
        assert await copied(pilot, xclip, "code block 2") == "echo two"


async def test_mouse_selection_copies_with_ctrl_c(make_app, app_paths, xclip):
    seed(app_paths, [("user", "hi"), ("assistant", "The quick brown fox jumps over the lazy dog.")])
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        body = app.chat.query(AssistantMessage).last().query_one(MarkdownBody)
        await pilot.mouse_down(body, offset=(4, 0))
        await pilot.hover(body, offset=(15, 0))
        await pilot.mouse_up(body, offset=(15, 0))
        await wait_for(pilot, lambda: app.screen.get_selected_text(), what="a selection")
        selected = app.screen.get_selected_text()
        assert selected and selected.startswith("quick brown")
        await pilot.press("ctrl+c")
        assert await copied(pilot, xclip, "the selection") == selected


async def test_nothing_copied_is_said_plainly(make_app, app_paths, xclip, monkeypatch):
    monkeypatch.setenv("VTE_VERSION", "7600")  # a terminal that ignores OSC 52...
    monkeypatch.delenv("DISPLAY")  # ...and no display for a clipboard tool
    seed(app_paths, CONVERSATION)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_text(pilot, "/copy")
        await pilot.press("enter")
        await wait_for(pilot, lambda: notified(app, "Nothing copied: a VTE terminal"), what="the warning")
        assert not xclip.exists()
        assert notified(app, "install one of wl-copy, xclip, xsel, pbcopy, clip.exe")
