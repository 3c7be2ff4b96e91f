"""What copying looks like: code blocks with their "copy code N" labels, and the toast
after ``c`` on a focused answer (the clipboard tool is a stand-in xclip)."""

from __future__ import annotations

from tests.ui.conftest import notified, ready, seed, wait_for, wait_for_workers
from tests.ui.test_copy import CONVERSATION, xclip  # noqa: F401 - the fake tool fixture
from wits_tui.ui.widgets.chat import AssistantMessage


def test_code_labels_and_the_copy_toast(snap_compare, make_app, app_paths, xclip):  # noqa: F811
    seed(app_paths, CONVERSATION)

    async def copy(pilot) -> None:
        app = await ready(pilot)
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
        await wait_for_workers(pilot)
        app.chat.query(AssistantMessage).last().focus()
        await pilot.press("c")
        await wait_for(pilot, lambda: notified(app, "Copied the answer"), what="the toast")
        await wait_for_workers(pilot)

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=copy)
