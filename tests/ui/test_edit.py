"""Edit and resend in the TUI: Up on an empty prompt (after a chat message), ``e`` on a focused
question, ``/edit``; the replaced turns stay as an earlier version, shown under a marker."""

from __future__ import annotations

import pytest

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, press_now, ready, seed, settled, type_text, wait_for
from wits_tui.ui.widgets.chat import AssistantMessage, UserMessage
from wits_tui.ui.widgets.edits import EarlierVersions

pytestmark = pytest.mark.anyio
SIZE = (110, 36)


def shown(app) -> list[tuple[str, str]]:
    return [("you", w.text) if isinstance(w, UserMessage) else ("wits", w.text)
            for w in app.chat.children if isinstance(w, (UserMessage, AssistantMessage))]


def idle(app) -> bool:
    return not app.chat_screen.turns.running


async def ask(pilot, text: str) -> None:
    app = pilot.app
    await type_text(pilot, text)
    await press_now(pilot, "enter")
    await wait_for(pilot, lambda: idle(app) and any(isinstance(w, UserMessage) and w.text == text
                                                    for w in app.chat.children), what=f"{text!r} asked")
    await wait_for(pilot, lambda: idle(app) and isinstance(app.chat.children[-1], AssistantMessage)
                   and app.chat.children[-1].message_id is not None, what=f"the answer to {text!r}")


async def test_up_on_an_empty_prompt_edits_the_last_question_and_keeps_the_old_turn(make_app, server):
    server.script(MODEL, Reply(text="Paris."), Reply(text="Lyon, then."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await ask(pilot, "capital of France?")
        await press_now(pilot, "up")
        await wait_for(pilot, lambda: app.prompt.editing is not None, what="the prompt to edit")
        assert app.prompt.text == "capital of France?" and app.prompt.has_class("-editing")
        assert "editing" in str(app.prompt.border_title)
        app.prompt.clear()
        await type_text(pilot, "second city of France?")
        await press_now(pilot, "enter")
        await wait_for(pilot, lambda: idle(app) and shown(app) == [("you", "second city of France?"),
                                                                  ("wits", "Lyon, then.")], what="the edit answered")
        question = app.chat.query(UserMessage).last()
        assert "edited · 1 earlier version" in str(question.border_subtitle)
        assert not app.prompt.has_class("-editing") and app.prompt.editing is None
        sid = app.chat_screen.sessions.current.id
        everything = app.engine.store.messages.list(sid, branches=True)
        assert [m.content for m in everything] == ["capital of France?", "Paris.", "second city of France?", "Lyon, then."]
        assert [m.superseded_by for m in everything[:2]] == [everything[2].id] * 2
        # Enter on the edited question shows the earlier version, and again hides it
        question.focus()
        await press_now(pilot, "enter")
        earlier = await wait_for(pilot, lambda: app.chat.query(EarlierVersions).first() if app.chat.query(EarlierVersions)
                                 else None, what="the earlier version")
        texts = [getattr(w.content, "markup", str(w.content)) for w in earlier.query("Static")]  # answers: Markdown
        assert any("capital of France?" in t for t in texts) and any("Paris." in t for t in texts)
        await press_now(pilot, "enter")
        await wait_for(pilot, lambda: not app.chat.query(EarlierVersions), what="it to fold again")
        # reopened, the session shows the marker from the database
        app.chat_screen.sessions.open(sid)
        await wait_for(pilot, lambda: any("edited" in str(w.border_subtitle or "") for w in app.chat.query(UserMessage)),
                       what="the marker after reopening")


async def test_up_after_a_command_recalls_it_and_esc_cancels_an_edit(make_app, server):
    server.script(MODEL, Reply(text="Hi."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await ask(pilot, "hello")
        await type_text(pilot, "/theme")
        await press_now(pilot, "enter")
        await wait_for(pilot, lambda: not app.prompt.text and not app.chat_screen.slash.pending, what="the command")
        await press_now(pilot, "up")
        await wait_for(pilot, lambda: app.prompt.text == "/theme", what="history")
        assert app.prompt.editing is None  # the last thing sent was a command: plain history
        await press_now(pilot, "up")
        await wait_for(pilot, lambda: app.prompt.text == "hello", what="further back")
        assert app.prompt.editing is None  # not the newest entry: recalled, not an edit
        app.prompt.clear()
        # e on a focused question edits it; Esc gives up the edit and puts back what was typed
        await type_text(pilot, "a draft")
        app.chat.query(UserMessage).last().focus()
        await press_now(pilot, "e")
        await wait_for(pilot, lambda: app.prompt.editing is not None and app.prompt.text == "hello", what="the edit")
        await press_now(pilot, "escape")
        await wait_for(pilot, lambda: app.prompt.editing is None and app.prompt.text == "a draft", what="cancelled")
        assert idle(app) and len(server.requests_to("/api/chat")) == 1


async def test_e_on_an_earlier_question_replaces_the_turns_from_there(make_app, server):
    server.script(MODEL, Reply(text="One."), Reply(text="Two."), Reply(text="One, edited."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await ask(pilot, "first?")
        await ask(pilot, "second?")
        app.chat.query(UserMessage).first().focus()
        await press_now(pilot, "e")
        await wait_for(pilot, lambda: app.prompt.text == "first?" and app.prompt.editing is not None, what="the edit")
        await type_text(pilot, " (better)")
        await press_now(pilot, "enter")
        await wait_for(pilot, lambda: idle(app) and shown(app) == [("you", "first? (better)"), ("wits", "One, edited.")],
                       what="the later turns replaced")
        # the model was asked the edited question alone: the replaced turns are not context
        last = server.requests_to("/api/chat")[-1].body["messages"]
        assert [(m["role"], m["content"]) for m in last if m["role"] != "system"] == [("user", "first? (better)")]


async def test_slash_edit_asks_again_in_place_of_the_last_question(make_app, server):
    server.script(MODEL, Reply(text="Four."), Reply(text="Five."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await ask(pilot, "2+2?")
        await type_text(pilot, "/edit 2+3?")
        await press_now(pilot, "enter")
        await wait_for(pilot, lambda: idle(app) and shown(app) == [("you", "2+3?"), ("wits", "Five.")], what="/edit")
        # /retry keeps its meaning: the (edited) last question answered again
        server.script(MODEL, Reply(text="Still five."))
        await type_text(pilot, "/retry")
        await press_now(pilot, "enter")
        await wait_for(pilot, lambda: idle(app) and len(server.requests_to("/api/chat")) == 3
                       and shown(app)[-1] == ("wits", "Still five."), what="/retry")
        assert server.requests_to("/api/chat")[-1].body["messages"][-1]["content"] == "2+3?"


def _edited_session(app_paths) -> None:
    """A session whose question was edited once, written through the store."""
    from wits_tui.engine.store import Store

    seed(app_paths, [("user", "Name a fast sorting algorithm."), ("assistant", "Quicksort: O(n log n) on average.")],
         title="Sorting")
    with Store(app_paths.database) as store:
        sid = store.sessions.active_id()
        first = store.messages.list(sid)[0]
        # a fixed time: the earlier version shows when it was asked
        store.db.execute("UPDATE messages SET created_at = '2026-01-05T09:30:00+00:00' WHERE id = ?", [first.id])
        store.db.conn.commit()
        new = store.messages.replace(sid, first.id, "Name a stable, fast sorting algorithm.")
        store.messages.append(sid, "assistant", "Merge sort: stable and O(n log n) in the worst case.", model=MODEL)
        assert new.earlier == 1


def test_snapshot_edited_question_with_its_earlier_version(snap_compare, make_app, server, app_paths):
    _edited_session(app_paths)

    async def expand(pilot) -> None:
        app = await ready(pilot)
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
        app.chat.query(UserMessage).last().focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.chat.query(EarlierVersions), what="the earlier version")
        await wait_for(pilot, lambda: app.chat.body_renderer.idle, what="the answers to render")
        await settled(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=expand)


def test_snapshot_editing_in_the_prompt(snap_compare, make_app, server, app_paths):
    seed(app_paths, [("user", "Explain TCP slow start in two lines."),
                     ("assistant", "The sender starts with a small window and doubles it each round trip until loss.")],
         title="Networking")

    async def edit(pilot) -> None:
        app = await ready(pilot)
        await wait_for(pilot, lambda: app.chat_screen.module_bar.entries, what="the module bar")
        app.prompt.past = ["Explain TCP slow start in two lines."]  # as if it had just been sent
        await pilot.press("up")
        await wait_for(pilot, lambda: app.prompt.editing is not None, what="the edit")
        app.prompt.cursor_blink = False
        await settled(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=edit)


async def test_a_replay_shows_where_a_question_was_edited(make_app, server):
    server.script(MODEL, Reply(text="Paris."), Reply(text="Lyon."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await ask(pilot, "capital of France?")
        await type_text(pilot, "/edit second city of France?")
        await press_now(pilot, "enter")
        await wait_for(pilot, lambda: idle(app) and shown(app) == [("you", "second city of France?"), ("wits", "Lyon.")],
                       what="the edit")
        app.chat_screen.replay.start(app.chat_screen.sessions.current.id, speed=0)
        await wait_for(pilot, lambda: app.chat_screen.replay.state is not None and app.chat_screen.replay.state.done
                       and not app.chat.streaming, what="the replay")
        # both turns, in the order they happened, with the edit said where it happened
        await wait_for(pilot, lambda: shown(app) == [("you", "capital of France?"), ("wits", "Paris."),
                                                     ("you", "second city of France?"), ("wits", "Lyon.")],
                       what="both turns replayed")
        notes = [str(n.content) for n in app.chat.query(".notice")]
        assert any("edited" in n for n in notes), notes
        children = list(app.chat.children)
        notice = next(i for i, w in enumerate(children) if "edited" in str(getattr(w, "content", "")))
        assert isinstance(children[notice + 1], UserMessage) and children[notice + 1].text == "second city of France?"
