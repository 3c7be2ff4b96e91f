"""One message in the chat: what the person typed, an answer, a notice."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from wits_tui.ui.widgets.md_body import MarkdownBody
from wits_tui.ui.widgets.progress import Thinking


def route_label(module: str | None, reason: str | None = None) -> str:
    """"code_expert · code 0.82 (keywords+embeddings)" live; "code_expert" from history."""
    if not module:
        return ""
    return f"{module} · {reason}" if reason else module


class UserMessage(Static, can_focus=True):
    """What the person typed, and the names of the files sent with it. ``e`` (focused) loads it
    into the prompt to be changed and sent again; an edited question says how many earlier
    versions it has, and Enter (or a click) shows them (:mod:`wits_tui.ui.widgets.edits`)."""

    BINDINGS = [
        Binding("e", "edit", "Edit", id="edit_message"),
        Binding("enter,v", "earlier", "Earlier versions", id="earlier_versions", show=False),
    ]

    def __init__(self, text: str, message_id: int | None = None, earlier: int = 0, attachments: Any = ()) -> None:
        from wits_tui.ui.widgets.attachments import attachment_line

        shown = f"{text}\n{attachment_line(attachments)}" if attachments else text
        super().__init__(shown, markup=False, classes="message user")
        self.message_id = message_id
        self.text = text
        self.earlier = earlier
        self.attachments = tuple(attachments)
        self.border_title = "you"
        if earlier:
            self.add_class("-edited")
            self.border_subtitle = f"✎ edited · {earlier} earlier version{'s' if earlier > 1 else ''} ▸"

    def action_edit(self) -> None:
        from wits_tui.ui import messages as msg

        if self.message_id is None:
            self.notify("This message is not stored yet (or is a replay): it cannot be edited.", severity="warning")
            return
        self.post_message(msg.EditAsked(self.message_id, self.text))

    def action_earlier(self) -> None:
        from wits_tui.ui.widgets.edits import toggle_earlier

        toggle_earlier(self)

    def on_click(self) -> None:
        if self.earlier:
            self.action_earlier()


class AssistantMessage(Vertical, can_focus=True):
    """An answer, rendered as Markdown; ``status`` other than complete is shown under it.
    The label beside the model says which module answered (and, live, why).
    ``live``: the answer is streaming in; ``eager``: render it during layout rather than
    in the chat's background renderer (see ``md_body``). ``c`` copies it when focused."""

    BINDINGS = [Binding("c", "copy_answer", "Copy", id="copy_answer")]

    def action_copy_answer(self) -> None:
        from wits_tui.ui import messages as msg

        self.post_message(msg.CopyRequested(self.body.source if self.body.live else self.text, "the answer"))

    def __init__(self, text: str = "", *, status: str = "complete", model: str | None = None,
                 message_id: int | None = None, thinking: bool = False, module: str | None = None,
                 route: str = "", thought: str = "", live: bool = False, eager: bool = True) -> None:
        super().__init__(classes="message assistant")
        self.body = MarkdownBody(text, live=live, eager=eager, classes="body")
        self.text = text
        self.status = status
        self.message_id = message_id
        self.model = model
        self.module = module
        self.route = route or route_label(module)
        self._thinking = thinking
        self.thought = thought  # what a thinking model thought (shown folded above the answer)
        self.stall = ""  # while streaming: "no tokens for 20 s — Esc stops"

    def compose(self) -> ComposeResult:
        with Horizontal(classes="who-row"):
            yield Static(self.model or "wits", classes="who", markup=False)
            yield Static(self.route, classes="route", markup=False)
        if self._thinking:
            yield Thinking()
        if self.thought:
            from wits_tui.ui.widgets.thinking import ThinkingBlock

            yield ThinkingBlock(self.thought)
        yield self.body
        yield Static(self._status_line(), classes="status-line", markup=False)

    def _status_line(self) -> str:
        if self.stall:
            return self.stall
        if self.status == "interrupted" and not (self.text or self.thought):
            return "⏹ interrupted before the answer began"
        return {"interrupted": "⏹ interrupted", "error": "✗ failed", "streaming": "… unfinished"}.get(self.status, "")

    @property
    def markdown(self) -> MarkdownBody:
        return self.body

    def set_model(self, model: str) -> None:
        self.model = model
        self.query_one(".who", Static).update(model)

    def set_route(self, module: str, reason: str | None) -> None:
        self.module, self.route = module, route_label(module, reason)
        self.query_one(".route", Static).update(self.route)

    def stop_thinking(self) -> None:
        for w in self.query(Thinking):
            w.remove()

    def set_stall(self, text: str) -> None:
        """While the answer streams: say that nothing has come for a while ("" when tokens flow again)."""
        if text != self.stall:
            self.stall = text
            self.set_status(self.status, keep_stall=True)

    def set_status(self, status: str, keep_stall: bool = False) -> None:
        self.status = status
        if not keep_stall:
            self.stall = ""
        line = self.query_one(".status-line", Static)
        line.update(self._status_line())
        line.set_class(bool(self._status_line()), "-shown")

    def on_mount(self) -> None:
        self.query_one(".status-line").set_class(bool(self._status_line()), "-shown")


class Notice(Static):
    """A one-line note in the chat (fallbacks, command results). Not stored."""

    def __init__(self, text: str, level: str = "info") -> None:
        super().__init__(text, markup=False, classes=f"notice -{level}")
