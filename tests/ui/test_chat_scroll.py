"""Reading from the keyboard: PageUp/PageDown, Ctrl+Home/Ctrl+End with the prompt focused; the
view stays where the reader is; command output and search hits are brought into view; answers
are rendered once, not again as they scroll."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, press_now, ready, seed, settled, type_text, wait_for
from wits_tui.ui.widgets import md_render
from wits_tui.ui.widgets.chat import AssistantMessage, UserMessage

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.corpus import answer  # noqa: E402

pytestmark = pytest.mark.anyio


def conversation(turns: int, tokens: int = 200) -> list[tuple[str, str]]:
    out = []
    for i in range(turns):
        out += [("user", f"question {i}"), ("assistant", f"answer {i}\n\n" + answer(tokens, i))]
    return out


async def rendered(pilot):
    """The app ready and every answer in its chat rendered: the chat."""
    await ready(pilot)
    chat = pilot.app.chat
    await wait_for(pilot, lambda: chat.body_renderer.idle, timeout=60, what="rendering")
    return chat


def first_visible(chat):
    top = chat.scroll_y
    return next(w for w in chat.children if w.virtual_region.bottom > top)


async def test_page_keys_scroll_the_chat_while_the_prompt_keeps_focus(make_app, app_paths):
    seed(app_paths, conversation(6), title="long")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        chat = app.chat
        await type_text(pilot, "draft")
        bottom = chat.scroll_y
        assert bottom > 0 and chat.following
        await pilot.press("pageup")
        assert chat.scroll_y < bottom and app.focused is app.prompt
        assert not chat.following
        await pilot.press("pagedown")
        await pilot.press("pagedown")
        assert chat.scroll_y == chat.max_scroll_y
        await pilot.press("ctrl+home")
        assert chat.scroll_y == 0
        await pilot.press("ctrl+end")
        assert chat.scroll_y == chat.max_scroll_y and chat.following
        assert app.prompt.text == "draft" and app.focused is app.prompt


def seed_400(app_paths) -> None:
    seed(app_paths, [("user" if i % 2 == 0 else "assistant", f"message {i}") for i in range(400)], title="long")


async def first_page(pilot):
    """Ctrl+Home on a seeded 400-message session: its first page, the window scrolled to the top."""
    from wits_tui.ui.controllers.sessions import TAIL

    chat = pilot.app.chat
    await ready(pilot)
    await pilot.press("ctrl+home")
    await wait_for(pilot, lambda: any(getattr(w, "text", "") == "message 0" for w in chat.query(AssistantMessage))
                   or str(chat.children[0].content) == "message 0", what="the first page")
    await wait_for(pilot, lambda: chat.scroll_y == 0 and len(chat.children) == TAIL, what="the top of the page")
    return chat


async def test_ctrl_home_opens_the_start_of_a_long_session_and_ctrl_end_returns(make_app, app_paths):
    from wits_tui.ui.controllers.sessions import TAIL

    seed_400(app_paths)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        chat = await first_page(pilot)
        assert chat.has_newer and not chat.has_more
        # scrolling to the end of the page loads the next one below
        chat.scroll_end(animate=False)
        await wait_for(pilot, lambda: len(chat.children) == 2 * TAIL, what="newer messages")
        await pilot.press("ctrl+end")
        await wait_for(pilot, lambda: not chat.has_newer, what="the last page")
        await wait_for(pilot, lambda: "message 399" in str(chat.children[-1].query_one(".body").source)
                       if isinstance(chat.children[-1], AssistantMessage) else False, what="the newest message")
        assert chat.following


async def test_the_view_does_not_jump_when_an_answer_ends_after_scrolling_up(make_app, app_paths, server):
    seed(app_paths, conversation(5), title="long")
    held = threading.Event()  # the answer waits after 150 tokens until the view is scrolled up
    server.script(MODEL, Reply(text=answer(1000, 9), token_delay=0.002, hold_after=150, hold=held))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            await ready(pilot)
            chat = app.chat
            await type_text(pilot, "tell me more")
            await press_now(pilot, "enter")
            await wait_for(pilot, lambda: chat._live and len(chat._live.text) > 200, what="streaming")
            await press_now(pilot, "pageup", "pageup")
            await pilot.pause()
            anchor = first_visible(chat)
            offset = anchor.virtual_region.y - chat.scroll_y
        finally:
            held.set()
        await wait_for(pilot, lambda: not app.chat_screen.turns.running, timeout=60, what="the end of the answer")
        await wait_for(pilot, lambda: chat.body_renderer.idle, timeout=60, what="the final render")
        await settled(pilot)
        assert not chat.following
        assert first_visible(chat) is anchor
        assert anchor.virtual_region.y - chat.scroll_y == offset


async def test_older_messages_load_above_without_moving_the_view(make_app, app_paths):
    seed(app_paths, conversation(40, tokens=200), title="long")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        chat = app.chat
        count = len(chat.children)
        chat.scroll_to(y=0, animate=False, immediate=True)
        anchor = chat.children[0]
        offset = anchor.virtual_region.y - chat.scroll_y
        await wait_for(pilot, lambda: len(chat.children) > count, what="older messages")
        await wait_for(pilot, lambda: chat.body_renderer.idle, timeout=60, what="their rendering")
        await settled(pilot)
        assert anchor.virtual_region.y - chat.scroll_y == offset  # the old top message is where it was
        assert chat.scroll_y > 0


async def test_command_output_is_scrolled_into_view(make_app, app_paths):
    seed(app_paths, conversation(6), title="long")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        chat = app.chat
        await pilot.press("ctrl+home")
        assert chat.scroll_y == 0
        await type_text(pilot, "/theme")  # a command that answers with a notice
        await pilot.press("enter")
        await wait_for(pilot, lambda: chat.query(".notice"), what="the notice")
        await pilot.pause()
        notice = chat.query(".notice").last()
        assert notice.virtual_region.bottom <= chat.scroll_y + chat.scrollable_content_region.height
        assert chat.scroll_y == chat.max_scroll_y


async def test_a_search_hit_opens_at_the_message(make_app, app_paths):
    convo = [("user" if i % 2 == 0 else "assistant", f"filler {i}\n\n" + answer(200, i)) for i in range(300)]
    convo[101] = ("assistant", "the needle is here\n\n" + answer(1000, 1))
    seed(app_paths, convo, title="haystack")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        hit = next(m for m in app.engine.store.messages.list(app.chat_screen.sessions.current.id) if m.content.startswith("the needle"))
        app.chat_screen.sessions.open(app.chat_screen.sessions.current.id, hit.id)
        chat = app.chat
        await wait_for(pilot, lambda: chat.query(".-found"), what="the hit")
        target = chat.query_one(".-found")
        await wait_for(pilot, lambda: abs(target.virtual_region.y - chat.scroll_y) <= 1, what="the hit at the top")
        await wait_for(pilot, lambda: chat.body_renderer.idle, timeout=60, what="rendering")
        await settled(pilot)
        assert abs(target.virtual_region.y - chat.scroll_y) <= 1
        assert chat.has_newer  # the messages after it load when scrolled to
        chat.scroll_end(animate=False)
        await wait_for(pilot, lambda: len(chat.children) > 40, what="newer messages")
        await wait_for(pilot, lambda: chat.body_renderer.idle, timeout=60, what="rendering")
        await settled(pilot)


async def test_finished_answers_render_once_however_they_scroll(make_app, app_paths, monkeypatch):
    calls: list[int] = []
    tails: list[int] = []  # the newest answer's last blocks, drawn first when the session opens
    real = md_render.render
    stored: set[str] = set()

    def counting(text, width, look):
        (calls if text in stored else tails).append(width)
        return real(text, width, look)

    monkeypatch.setattr(md_render, "render", counting)
    convo = conversation(12, tokens=1000)
    stored.update(text for role, text in convo if role == "assistant")
    seed(app_paths, convo, title="long")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        chat = app.chat
        await wait_for(pilot, lambda: chat.body_renderer.idle, what="rendering")
        answers = len(chat.query(AssistantMessage))
        assert len(calls) == answers == 12  # each once, at one width
        assert len(tails) <= 1
        for _ in range(60):
            await pilot.press("pageup")
        for _ in range(60):
            await pilot.press("pagedown")
        await pilot.pause()
        assert len(calls) == answers
        assert len(chat.query(UserMessage)) == 12


async def test_a_page_asked_for_by_an_older_window_is_not_added_to_a_new_one(make_app, app_paths):
    # Ctrl+Home replaces the window; while the old one went, its clamped scroll position asked
    # for the page after its own newest message: that page came back empty, and the session
    # seemed to end after the first page. Pages now load only onto the window that asked.
    from wits_tui.ui.controllers.sessions import TAIL

    seed_400(app_paths)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        chat = await first_page(pilot)
        assert chat.has_newer
        newest = chat._edge_id(last=True)
        await chat.append_newer(chat.session_id, [], False, after_id=400)  # asked for by the old window
        assert chat.has_newer and chat._edge_id(last=True) == newest
        for _ in range(200):  # PageDown goes on into the next pages
            await pilot.press("pagedown")
            if chat._edge_id(last=True) != newest:
                break
        await wait_for(pilot, lambda: chat._edge_id(last=True) == newest + TAIL, what="the next page")


async def test_answers_dropped_from_the_window_let_their_lines_go(make_app, app_paths):
    # A dropped widget is cyclic garbage that only a full collection frees, and paging through
    # 1,000 long answers kept hundreds of MB of rendered lines alive until one ran (issue 13: RSS).
    seed(app_paths, conversation(60, tokens=300), title="long")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        chat = await rendered(pilot)
        bodies = [w.body for w in chat.query(AssistantMessage)]
        assert bodies and all(b._lines for b in bodies)
        await pilot.press("ctrl+home")  # the first page replaces the window
        await wait_for(pilot, lambda: not any(b.is_attached for b in bodies), what="the old window to go")
        assert all(b._lines == [] for b in bodies)
        await pilot.press("ctrl+end")
        await wait_for(pilot, lambda: not chat.has_newer, what="the last page")
        await wait_for(pilot, lambda: chat.body_renderer.idle, timeout=60, what="rendering")
        shown = list(chat.query(AssistantMessage))
        assert shown and all(w.body._lines for w in shown)  # mounted anew, rendered anew


async def test_lines_drawn_far_from_the_view_are_let_go(make_app, app_paths):
    # Textual keeps every line a widget has drawn, with the pieces the compositor cut it into:
    # paging through long answers kept about five strips per line of every answer in the window.
    seed(app_paths, conversation(12, tokens=1000), title="long")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        chat = await rendered(pilot)
        chat.scroll_to(y=0, animate=False, immediate=True)
        await settled(pilot)
        answers = list(chat.query(AssistantMessage))
        first = answers[0]
        assert first.body._styles_cache._cache  # drawn
        while chat.scroll_y < chat.max_scroll_y:
            await pilot.press("pagedown")
        await settled(pilot)
        height = chat.size.height
        far = [a for a in answers if a.virtual_region.bottom < chat.scroll_y - height]
        assert first in far
        assert all(not a.body._styles_cache._cache and not a._styles_cache._cache for a in far)
        assert answers[-1].body._styles_cache._cache  # on screen: drawn
        chat.scroll_to(y=0, animate=False, immediate=True)
        await settled(pilot)
        assert first.body._styles_cache._cache  # drawn again from its rendered lines
        assert "answer 0" in md_render.plain(first.body._lines)
