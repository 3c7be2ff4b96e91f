"""Slash commands, shared by every front end (the TUI, the line mode).

This package must not import textual, rich or prompt_toolkit (an import-linter
contract enforces it). A front end parses what was typed with :func:`parse`,
runs it with :func:`run_command` and renders the typed result it gets back.
"""

from wits_tui.commands.context import CommandContext, Frontend
from wits_tui.commands.parser import Invocation, parse
from wits_tui.commands.results import (
    AttachmentsChanged,
    ClearChat,
    CopyText,
    Listing,
    ManageQueue,
    Notice,
    Result,
    Row,
    SetTheme,
    StartDocsJob,
    StartEdit,
    StartMemoryJob,
    StartPull,
    StartReplay,
    StartRetry,
    StartTraining,
    SwitchModule,
    SwitchSession,
)
from wits_tui.commands.table import COMMANDS, Command, complete, run_command

__all__ = [
    "AttachmentsChanged", "COMMANDS", "ClearChat", "CopyText", "Command", "CommandContext", "Frontend", "Invocation", "Listing", "Notice",
    "ManageQueue", "Result", "Row", "SetTheme", "StartDocsJob", "StartEdit",
    "StartMemoryJob", "StartPull", "StartReplay", "StartRetry", "StartTraining", "SwitchModule",
    "SwitchSession", "complete", "parse", "run_command",
]
