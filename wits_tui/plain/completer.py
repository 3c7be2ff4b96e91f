"""Tab completion for slash commands, session titles, models and modules: the
same completion function the TUI uses."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from wits_tui.commands import CommandContext, complete


class SlashCompleter(Completer):
    def __init__(self, context: Callable[[], CommandContext]) -> None:
        self.context = context

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        return []  # completion needs the store and the server: async only

    async def get_completions_async(self, document: Document, complete_event: CompleteEvent) -> AsyncGenerator[Completion, None]:
        text = document.text_before_cursor
        if not text.startswith("/"):
            return
        for value, meta in await complete(text, self.context()):
            yield Completion(value, start_position=-len(text), display_meta=meta or None)
