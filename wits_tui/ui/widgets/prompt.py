"""The prompt: multi-line input, history on Up/Down at its edges, slash completion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList, TextArea
from textual.widgets.option_list import Option

from wits_tui.ui.markup import escape
from wits_tui.ui.paint import draw_now


class CompletionMenu(OptionList, can_focus=False):
    """Suggestions for a partly typed slash command, shown above the prompt."""

    def show(self, items: list[tuple[str, str]]) -> None:
        self.set_options([Option(f"{escape(value)}  [dim]{escape(help_)}[/dim]" if help_ else escape(value), id=value)
                          for value, help_ in items])
        self.display = bool(items)
        if items:
            self.highlighted = 0

    def hide(self) -> None:
        self.display = False

    @property
    def choice(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None and self.display else None


class PromptInput(TextArea):
    """Enter sends; Ctrl+J (or Shift+Enter where the terminal tells them apart) adds a line."""

    BINDINGS = [
        # Not priority bindings: those run when the App receives the key, ahead of the
        # characters still queued for this widget, so "go⏎" typed while the app was busy
        # sent "" or "g". _on_key runs them instead, in typing order.
        Binding("enter", "submit", "Send", id="send"),
        Binding("ctrl+j,shift+enter", "newline", "New line", id="newline", show=False),
        Binding("tab", "complete", "Complete", id="complete", show=False),
    ]
    _OWN_IDS = frozenset(b.id for b in BINDINGS if isinstance(b, Binding))  # not TextArea's (arrows, ...)

    @dataclass
    class Submitted(Message):
        text: str
        #: Sent as an edit of this user message (it replaces it and what followed it).
        edit_of: int | None = None

    class Nudged(Message):
        """Enter on an empty prompt (a held queue goes out)."""

    @dataclass
    class EditChanged(Message):
        """The prompt started (a message id) or stopped (None) editing a sent message."""

        message_id: int | None

    @dataclass
    class Typed(Message):
        """The text changed; the app may look up completions for it."""

        text: str
        programmatic: bool = False  # set from history, not typed

    @dataclass
    class PathsPasted(Message):
        """A paste that is only file paths (a file dropped on the terminal): the screen attaches
        them if they are files, else puts ``text`` back here."""

        paths: list[str]
        text: str

    async def _on_paste(self, event: events.Paste) -> None:
        from wits_tui.engine.attachments import unquote_paths

        paths = None if self.text.lstrip().startswith("/") else unquote_paths(event.text)
        if paths:
            event.stop()
            event.prevent_default()
            self.post_message(self.PathsPasted(paths, event.text))
            return
        await super()._on_paste(event)

    #: Keys that are characters but which the user's keymap binds (e.g. the opt-in
    #: Option-character module keys): the prompt lets the app have them. Set by the app.
    pass_keys: frozenset[str] = frozenset()

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return key not in self.pass_keys and super().check_consume_key(key, character)

    async def _run_own_binding(self, event: events.Key) -> bool:
        """Run this widget's binding for ``event`` (as the user's keymap has it), if any."""
        if event.is_printable:
            return False
        active = self.screen.active_bindings.get(event.key)
        if active is None or active.node is not self or not active.enabled or active.binding.id not in self._OWN_IDS:
            return False  # TextArea's own keys (arrows, ...) stay TextArea's
        event.stop()
        event.prevent_default()  # TextArea must not type it (Enter would add a line)
        await self.run_action(active.binding.action)
        return True

    def __init__(self, **kwargs) -> None:
        super().__init__(soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                         highlight_cursor_line=False, **kwargs)
        self.past: list[str] = []  # newest first
        self._walk = -1  # -1: the draft being typed
        self._draft = ""
        self._menu_touched = False
        self._programmatic = False
        self.menu: CompletionMenu | None = None
        #: The user message being edited (Enter replaces it), or None.
        self.editing: int | None = None
        #: Set by the screen. ``take_back()``: Up on an empty prompt; True if it put something back
        #: (a queued message). ``edit_target(text)``: when Up recalls ``text`` as the first history
        #: entry, the id of the session's last question if that is what it is (then Up edits it).
        self.take_back: Callable[[], bool] | None = None
        self.edit_target: Callable[[str], int | None] | None = None

    # -- sending -------------------------------------------------------------
    def action_submit(self) -> None:
        if self._menu_touched and self.menu is not None and self.menu.choice:
            self._accept(self.menu.choice)
            return
        text = self.text
        if not text.strip():
            self.post_message(self.Nudged())
            return
        # Out of the prompt at once: keys typed after Enter start the next message instead of
        # joining this one ("/switch 1⏎/switch 2⏎" sent "/switch 1/switch 2").
        editing = self.editing
        self.take()
        self.post_message(self.Submitted(text, editing))

    def give_back(self, text: str) -> bool:
        """Put a message that could not go out back in the prompt, unless something new is
        being typed there (then the caller says what it was). True if it is back."""
        if self.text.strip():
            return False
        self.text = text
        self.move_cursor(self.document.end)
        return True

    def take(self) -> str:
        """Clear the prompt after a send; remember the text for Up."""
        text = self.text
        if text.strip() and (not self.past or self.past[0] != text):
            self.past.insert(0, text)
        self._walk, self._draft = -1, ""
        self.set_editing(None)
        self.clear()
        return text

    # -- editing a sent message -------------------------------------------------
    def set_editing(self, message_id: int | None) -> None:
        if message_id != self.editing:
            self.editing = message_id
            self.set_class(message_id is not None, "-editing")
            self.border_title = "✎ editing your message · Enter sends it in its place · Esc cancels" if message_id else None
            self.post_message(self.EditChanged(message_id))

    def start_edit(self, message_id: int, text: str) -> None:
        """Load a sent message to be changed; Enter sends it in its place."""
        if self.editing is None:  # what was being typed comes back on Esc
            self._draft = self.text
        self._walk = -1
        self._programmatic = True
        self.text = text
        self.move_cursor(self.document.end)
        self.set_editing(message_id)
        self.focus()

    def put_back(self, text: str) -> None:
        """A queued message taken back: in the prompt, to be changed and sent again."""
        self._programmatic = True
        self.text = text
        self.move_cursor(self.document.end)

    def cancel_edit(self) -> None:
        """Esc while editing: back to what was being typed before."""
        self._programmatic = True
        self.text = self._draft
        self._walk, self._draft = -1, ""
        self.move_cursor(self.document.end)
        self.set_editing(None)

    def action_newline(self) -> None:
        self.insert("\n")

    # -- completion ------------------------------------------------------------
    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._menu_touched = False
        self.post_message(self.Typed(self.text, self._programmatic))
        self._programmatic = False

    def _accept(self, value: str) -> None:
        self.text = value
        self.move_cursor(self.document.end)
        self._menu_touched = False

    def action_complete(self) -> None:
        if self.menu is not None and self.menu.choice:
            self._accept(self.menu.choice)
        else:
            self.screen.focus_next()

    # -- history and the menu on Up/Down -----------------------------------------
    async def _on_key(self, event: events.Key) -> None:
        if await self._run_own_binding(event):
            return
        menu = self.menu if self.menu is not None and self.menu.display else None
        if menu is not None and event.key in ("up", "down"):
            event.stop()
            event.prevent_default()
            self._menu_touched = True
            menu.action_cursor_up() if event.key == "up" else menu.action_cursor_down()
            return
        if menu is not None and event.key == "escape":
            event.stop()
            event.prevent_default()
            menu.hide()
            return
        if event.key == "escape" and self.editing is not None:
            event.stop()
            event.prevent_default()
            self.cancel_edit()
            return
        if event.key == "up" and not self.text and self._walk == -1 and self.take_back is not None and self.take_back():
            event.stop()
            event.prevent_default()
            return
        row, _ = self.cursor_location
        if event.key == "up" and row == 0 and self.past:
            event.stop()
            event.prevent_default()
            self._walk_history(+1)
            return
        if event.key == "down" and row == self.document.line_count - 1 and self._walk >= 0:
            event.stop()
            event.prevent_default()
            self._walk_history(-1)
            return
        await super()._on_key(event)
        draw_now(self)  # what was typed shows now, not at the next frame tick

    def _walk_history(self, step: int) -> None:
        index = max(-1, min(len(self.past) - 1, self._walk + step))
        if index == self._walk:
            return
        if self._walk == -1:
            self._draft = self.text
        self._walk = index
        self._programmatic = True
        self.text = self._draft if index == -1 else self.past[index]
        target = self.edit_target(self.text) if index == 0 and not self._draft and self.edit_target else None
        self.set_editing(target)
        self.move_cursor(self.document.end if step < 0 or index == -1 else (0, len(self.document[0])))
        if self.menu is not None:
            self.menu.hide()
