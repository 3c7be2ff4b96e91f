"""The slash commands without any UI: parser, table, implementations, completion."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from wits_tui.commands import (
    COMMANDS,
    ClearChat,
    CommandContext,
    Listing,
    Notice,
    SetTheme,
    StartPull,
    StartRetry,
    SwitchSession,
    complete,
    parse,
    run_command,
)
from wits_tui.commands.parser import unescape
from wits_tui.engine.backends.base import BackendError, ModelInfo


class Answers:
    """A front end that answers confirm() from a list and records the questions."""

    def __init__(self, *answers: bool) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    async def confirm(self, question: str) -> bool:
        self.asked.append(question)
        return self.answers.pop(0)


class ModelError(Exception):
    pass


def engine_for(store, models=("llama3.2:1b", "qwen2.5:3b"), down=False):
    async def list_models():
        if down:
            raise BackendError("connection", "cannot reach Ollama", "start it with `ollama serve`")
        return [ModelInfo(name=n) for n in models]

    async def model_details(name):
        return None  # unknown capabilities: every model counts as a chat model

    async def refresh_loaded():
        return []

    catalog = SimpleNamespace(refresh_loaded=refresh_loaded)
    return SimpleNamespace(store=store, list_models=list_models, memory=None, model_details=model_details, blobs=None,
                           catalog=catalog, refresh_models=lambda *names: None,
                           model_for=lambda s: (s.model if s and s.model else "llama3.2"))


def ctx(store, session_id=None, frontend=None, tmp_path=None, **kw):
    return CommandContext(engine_for(store, **kw), session_id, frontend or Answers(),
                          themes=("wits-dark", "wits-light", "wits-high-contrast"),
                          **({"export_dir": tmp_path} if tmp_path else {}))


def run(text, c):
    return asyncio.run(run_command(text, c))


@pytest.mark.parametrize("text, expected", [
    ("/new", ("new", "")), ("  /Rename  My chat  ", ("rename", "My chat")), ("/", ("", "")),
    ("hello", None), ("//etc/hosts", None), ("/ spaced", None),
])
def test_parse(text, expected):
    inv = parse(text)
    assert (None if inv is None else (inv.name, inv.args)) == expected


def test_unescape_double_slash():
    assert unescape("//etc/hosts") == "/etc/hosts" and unescape("plain") == "plain"


def test_every_command_has_usage_and_help():
    for name, cmd in COMMANDS.items():
        assert cmd.usage.startswith(f"/{name}") and cmd.help


def test_unknown_command_suggests_and_shows_no_traceback(store):
    result = run("/rnme x", ctx(store, 1))
    assert isinstance(result, Notice) and result.level == "error"
    assert "/rename" in result.text and "\n" not in result.text


@pytest.mark.parametrize("text", ["/switch", "/rename", "/history abc", "/history 0", "/search", "/pull",
                                  "/pull two names", "/export pdf", "/sessions extra", "/clear now"])
def test_bad_arguments_give_one_line_with_usage(store, text):
    session = store.sessions.create("s")
    result = run(text, ctx(store, session.id))
    assert isinstance(result, Notice) and result.level == "error", result
    assert "usage: /" in result.text and "\n" not in result.text


def test_delete_names_a_session_that_does_not_exist(store):
    session = store.sessions.create("s")
    result = run("/delete 999", ctx(store, session.id))
    assert isinstance(result, Notice) and result.level == "error" and "no session '999'" in result.text


def test_new_switch_rename(store):
    first = store.sessions.create("first")
    result = run("/new Second one", ctx(store, first.id))
    assert isinstance(result, SwitchSession)
    assert store.sessions.get(result.session_id).title == "Second one"
    assert store.sessions.active_id() == result.session_id
    back = run("/switch fir", ctx(store, result.session_id))
    assert isinstance(back, SwitchSession) and back.session_id == first.id
    missing = run("/switch nothing-like-it", ctx(store, first.id))
    assert isinstance(missing, Notice) and missing.level == "error"
    renamed = run("/rename Better title", ctx(store, first.id))
    assert renamed.sessions_changed and store.sessions.get(first.id).title == "Better title"


def test_sessions_listing_rows_lead_to_sessions(store):
    a, b = store.sessions.create("a"), store.sessions.create("b")
    store.messages.append(a.id, "user", "hi")
    listing = run("/sessions", ctx(store, a.id))
    assert isinstance(listing, Listing)
    assert {r.session_id for r in listing.rows} == {a.id, b.id}
    marked = [r for r in listing.rows if r.cells[0].startswith(" *")]
    assert [r.session_id for r in marked] == [a.id]


def test_delete_asks_and_respects_no(store):
    s = store.sessions.create("doomed")
    store.messages.append(s.id, "user", "hi")
    no = Answers(False)
    assert isinstance(run("/delete", ctx(store, s.id, no)), Notice)
    assert store.sessions.get(s.id) and "doomed" in no.asked[0] and "1 messages" in no.asked[0]
    result = run("/delete", ctx(store, s.id, Answers(True)))
    assert isinstance(result, SwitchSession)
    # the only session went, so a fresh one was made (SQLite may reuse the id)
    assert [x.title for x in store.sessions.list()] == ["New chat"]
    assert store.sessions.get(result.session_id).title == "New chat"


def test_clear_asks_then_clears(store):
    s = store.sessions.create("c")
    store.messages.append(s.id, "user", "hi")
    assert isinstance(run("/clear", ctx(store, s.id, Answers(False))), Notice)
    assert store.messages.count(s.id) == 1
    result = run("/clear", ctx(store, s.id, Answers(True)))
    assert isinstance(result, ClearChat) and store.messages.count(s.id) == 0


def test_history_and_search(store):
    s = store.sessions.create("s")
    store.history.add("how do I reverse a list", s.id)
    store.history.add("/theme wits-light", s.id)
    m = store.messages.append(s.id, "assistant", "Use reversed() to reverse an iterable.")
    hist = run("/history 1", ctx(store, s.id))
    assert isinstance(hist, Listing) and [r.text for r in hist.rows] == ["/theme wits-light"]
    found = run("/search reverse", ctx(store, s.id))
    assert isinstance(found, Listing)
    assert any(r.message_id == m.id and r.session_id == s.id for r in found.rows)
    assert any(r.text == "how do I reverse a list" for r in found.rows)
    nothing = run("/search zebra", ctx(store, s.id))
    assert isinstance(nothing, Listing) and not nothing.rows and "zebra" in nothing.empty


def test_model_sets_and_refuses_what_is_not_installed(store):
    s = store.sessions.create("s")
    ok = run("/model qwen2.5:3b", ctx(store, s.id))
    assert ok.level == "info" and store.sessions.get(s.id).model == "qwen2.5:3b"
    refused = run("/model nope:7b", ctx(store, s.id))
    assert refused.level == "error" and "/pull nope:7b" in refused.text
    assert store.sessions.get(s.id).model == "qwen2.5:3b"  # unchanged
    shown = run("/model", ctx(store, s.id))
    assert isinstance(shown, Listing) and "qwen2.5:3b" in shown.title
    down = run("/model llama3.2:1b", ctx(store, s.id, down=True))  # server down: set, with a warning, no crash
    assert down.level == "warning" and store.sessions.get(s.id).model == "llama3.2:1b"


def test_pull_retry_theme(store):
    s = store.sessions.create("s")
    assert run("/pull llama3.2", ctx(store, s.id)) == StartPull("llama3.2")
    assert run("/retry", ctx(store, s.id)) == StartRetry(None)
    assert isinstance(run("/theme wits-light", ctx(store, s.id)), SetTheme)
    assert store.state.get("theme") == "wits-light"
    bad = run("/theme nope", ctx(store, s.id))
    assert bad.level == "error" and store.state.get("theme") == "wits-light"


def test_export_md_and_json(store, tmp_path):
    s = store.sessions.create("Exported")
    store.messages.append(s.id, "user", "question")
    store.messages.append(s.id, "assistant", "partial", status="interrupted")
    md = run("/export", ctx(store, s.id, tmp_path=tmp_path))
    text = (tmp_path / f"wits-session-{s.id}.md").read_text()
    assert str(tmp_path) in md.text and "# Exported" in text and "partial\n\n*(stopped before the end)*" in text
    run("/export json", ctx(store, s.id, tmp_path=tmp_path))
    exported = (tmp_path / f"wits-session-{s.id}.json").read_text()
    assert [m["content"] for m in json.loads(exported)["messages"]] == ["question", "partial"]
    from wits_tui.engine.transfer import import_session

    copy = import_session(store, exported)  # the same format `wits import` reads
    assert [m.status for m in store.messages.list(copy)] == ["complete", "interrupted"]


def test_help_lists_every_command(store):
    listing = run("/help", ctx(store, None))
    assert [r.text.strip() for r in listing.rows] == [f"/{n}" for n in COMMANDS]
    one = run("/help /pull", ctx(store, None))
    assert one.text.startswith("/pull NAME")


def test_completion(store):
    store.sessions.create("Project notes")
    c = ctx(store, 1)
    assert [v for v, _ in asyncio.run(complete("/the", c))] == ["/theme "]
    assert {v for v, _ in asyncio.run(complete("/", c))} == {f"/{n} " for n in COMMANDS}
    assert [v for v, _ in asyncio.run(complete("/theme wits-l", c))] == ["/theme wits-light"]
    assert [v for v, _ in asyncio.run(complete("/switch proj", c))] == ["/switch Project notes"]
    assert [v for v, _ in asyncio.run(complete("/model qw", c))] == ["/model qwen2.5:3b"]
    assert asyncio.run(complete("hello", c)) == [] and asyncio.run(complete("/nosuch x", c)) == []
    assert asyncio.run(complete("/model q", ctx(store, 1, down=True))) == []  # server down: no completions, no error


def test_a_misspelt_command_suggests_every_close_match():
    from wits_tui.commands.table import _unknown

    text = _unknown("modle").text
    assert "/module" in text and "/model" in text
