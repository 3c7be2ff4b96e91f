"""Engine events to Textual messages for the chat pane: one mapping for live turns and replays."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from wits_tui.ui import messages as msg


def chat_message(session_id: int, ev: Any) -> Message | None:
    """The message the chat pane gets for an engine event (tokens are batched by the caller)."""
    from wits_tui.engine import events as e

    if isinstance(ev, e.Routed):
        return msg.AnswerRouted(session_id, ev)
    if isinstance(ev, e.MemoryRecalled):
        return msg.MemoryUsed(session_id, ev)
    if isinstance(ev, e.DocsUsed):
        return msg.DocsUsed(session_id, ev)
    if isinstance(ev, e.TurnStarted):
        return msg.AnswerStarted(session_id, ev.model)
    if isinstance(ev, e.ToolCalled):
        return msg.ToolCallShown(session_id, ev)
    if isinstance(ev, e.ToolResult):
        return msg.ToolResultShown(session_id, ev)
    if isinstance(ev, e.Fallback):
        return msg.AnswerFallback(session_id, ev)
    if isinstance(ev, e.TurnDone):
        return msg.AnswerDone(session_id, ev)
    if isinstance(ev, e.TurnError):
        return msg.AnswerFailed(session_id, ev)
    if isinstance(ev, e.Thinking):
        return msg.AnswerThinking(session_id, ev.text)
    if isinstance(ev, e.ContextInfo):
        return msg.ContextChanged(session_id, ev)
    if isinstance(ev, e.Stalled):
        return msg.AnswerStalled(session_id, ev)
    return None
