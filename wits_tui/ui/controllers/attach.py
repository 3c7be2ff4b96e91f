"""Attachments for the next message: the list /attach and /detach change, the chips that show
it, paths dropped (pasted) into the prompt, and handing the list to the turn that sends it."""

from __future__ import annotations

import asyncio
import os
import shlex
from typing import TYPE_CHECKING, Any

from wits_tui.ui.controllers.base import Controller

if TYPE_CHECKING:
    from wits_tui.ui.screens.chat import ChatScreen


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")


class AttachController(Controller):
    """Owns ``pending`` (shared with the slash commands' context) and the chips."""

    def __init__(self, screen: "ChatScreen", bridge: Any) -> None:
        super().__init__(screen, bridge)
        self.pending: list[Any] = []

    def changed(self) -> None:
        self.screen.attach_bar.show(self.pending)

    def take(self) -> list[Any]:
        """The attachments for a message being sent (the chips go)."""
        taken, self.pending[:] = list(self.pending), []
        if taken:
            self.changed()
        return taken

    def give_back(self, attachments: list[Any]) -> None:
        """A message that could not go out: its attachments wait for the next one again."""
        if attachments:
            self.pending[:0] = [a for a in attachments if a not in self.pending]
            self.changed()

    def remove(self, index: int) -> None:
        if 0 <= index < len(self.pending):
            gone = self.pending.pop(index)
            self.changed()
            self.screen.notify(f"removed {gone.name}", timeout=3)
            self.screen.prompt.focus()  # the chip that had focus is gone

    def pasted(self, paths: list[str], text: str) -> None:
        """Paths were pasted (a file dropped on the terminal): attach them if they are files, else
        the text goes into the prompt as typed. Into a message being written only images attach:
        a text file's path there is more likely meant as words."""
        images_only = bool(self.screen.prompt.text.strip())
        self.worker(self._pasted(paths, text, images_only), group="attach-paste")

    async def _pasted(self, paths: list[str], text: str, images_only: bool) -> None:
        def all_files() -> bool:
            return all(os.path.isfile(os.path.expanduser(p)) and (not images_only or p.lower().endswith(IMAGE_SUFFIXES))
                       for p in paths)

        if await asyncio.to_thread(all_files):
            self.screen.slash.run("/attach " + shlex.join(paths))
        else:
            self.screen.prompt.insert(text)
