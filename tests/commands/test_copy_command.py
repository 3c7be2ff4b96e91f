"""/copy without a UI: which text it finds; and the code-block numbering it shares with the chat."""

from __future__ import annotations

import pytest

from tests.commands.test_commands import ctx, run
from wits_tui.commands import CopyText, Notice
from wits_tui.engine.markdown_code import code_blocks

ANSWER = "Intro\n\n```py\na = 1\n```\n\n1. step\n\n   ```\n   nested\n   ```\n\nDone.\n\n    indented code\n"


def test_code_blocks_are_numbered_in_reading_order_at_any_depth():
    blocks = code_blocks(ANSWER)
    assert [(b.number, b.language, b.code) for b in blocks] == [(1, "py", "a = 1"), (2, "", "nested"),
                                                               (3, "", "indented code")]


def test_the_chat_labels_the_same_blocks_with_the_same_numbers():
    from wits_tui.ui.widgets import md_render

    lines = md_render.render(ANSWER, 80, md_render.look_from("t", {}, True))
    found = [seg.style.meta[md_render.CODE_META] for line in lines for seg in line if md_render._is_label(seg)]
    assert found == [b.code for b in code_blocks(ANSWER)]
    assert "copy code" not in md_render.plain(lines)  # a selection copies the code, not the labels


@pytest.fixture
def session(store):
    s = store.sessions.create("s")
    for role, text in [("user", "q1"), ("assistant", "first answer"), ("user", "q2"), ("assistant", ANSWER),
                       ("user", "q3"), ("assistant", "")]:  # an empty (failed) answer is not counted
        store.messages.append(s.id, role, text)
    return s.id


@pytest.mark.parametrize("args, text, what", [
    ("", ANSWER, "the last answer"),
    ("2", "first answer", "answer 2 from the end"),
    ("code 3", "indented code", "code block 3"),
    ("code 1", "a = 1", "code block 1 (py)"),
])
def test_copy_finds_the_text(store, session, args, text, what):
    result = run(f"/copy {args}", ctx(store, session))
    assert result == CopyText(text, what)


@pytest.mark.parametrize("args, says", [
    ("3", "has 2 answers to copy, not 3"), ("2 code 1", "has no code blocks"), ("code 9", "has 3 code blocks, not 9"),
    ("zero", "usage: /copy [N] [code M]"), ("code", "usage: /copy"), ("0", "usage: /copy"),
])
def test_copy_refuses_what_is_not_there(store, session, args, says):
    result = run(f"/copy {args}", ctx(store, session))
    assert isinstance(result, Notice) and result.level in ("error", "warning") and says in result.text, result


def test_copy_in_a_session_without_answers(store):
    s = store.sessions.create("empty")
    result = run("/copy", ctx(store, s.id))
    assert isinstance(result, Notice) and "no answer to copy" in result.text
