"""The session sidebar: sessions newest first, the open one marked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class SessionList(OptionList):
    BINDINGS = [Binding("delete", "delete_session", "Delete", id="delete_session")]

    @dataclass
    class Chosen(Message):
        session_id: int

    @dataclass
    class DeleteAsked(Message):
        """Delete pressed on a session (the screen asks first)."""

        session_id: int

    def action_delete_session(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id is not None:
            self.post_message(self.DeleteAsked(int(option.id)))

    _active_id: int | None = None

    def show(self, sessions: list[Any], active_id: int | None) -> None:
        options = []
        for s in sessions:
            mark = "▌" if s.id == active_id else " "
            title = s.title if len(s.title) <= 26 else s.title[:25] + "…"
            count = f"{s.message_count} message" + ("" if s.message_count == 1 else "s")
            label = Text.assemble((mark, "bold"), " ", (title, "bold" if s.id == active_id else ""), "\n",
                                  (mark, "bold"), " ", (count, "dim"))
            options.append(Option(label, id=str(s.id)))
        highlighted = self.highlighted_option.id if self.highlighted_option is not None else None
        self.set_options(options)
        # One highlight: the open session's, unless the person is moving through the list
        # and the open session is still the same (a refresh must not yank the cursor).
        moved = active_id != self._active_id
        self._active_id = active_id
        target = str(active_id) if highlighted is None or moved else highlighted
        for index, option in enumerate(options):
            if option.id == target:
                self.highlighted = index
                break

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(int(event.option.id)))


class Sidebar(Vertical):
    def compose(self):
        yield Label("Sessions", id="sidebar-title")
        yield SessionList(id="sessions")
