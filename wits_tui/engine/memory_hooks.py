"""Where long-term memory meets the turn loop: recall before, remember after."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from wits_tui.engine.events import MemoryRecalled

if TYPE_CHECKING:
    from wits_tui.engine.core import Engine

log = logging.getLogger("wits.memory")


async def recall(engine: "Engine", session_id: int, text: str) -> tuple[list[dict[str, str]], MemoryRecalled | None]:
    """Prompt messages with what memory holds about ``text``, and the event that says so.

    Nothing happens unless the frontend uses memory, it is open, and recall is on for
    the session; a failure costs the recall, never the turn."""
    memory = engine.memory if engine.use_memory else None
    if memory is not None and memory.status.state == "closed":
        # The frontend has not opened it yet (it waits until the person stops typing):
        # open it now, off the loop, rather than answer the first message without recall.
        await asyncio.to_thread(engine.open_memory)
    if not engine.memory_ready():
        return [], None
    from wits_tui.engine.memory.session_flags import recall_enabled

    if not recall_enabled(engine.store, session_id):
        return [], None
    try:
        found = await engine.memory.recall(text)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001
        log.exception("recall failed; answering without memory")
        return [], None
    segments = [
        {
            "id": h.segment.id,
            "text": h.segment.text,
            "kind": h.segment.kind,
            "created_at": h.segment.created_at,
            "similarity": h.similarity,
            "text_score": h.text_score,
        }
        for h in found.hits
    ]
    event = MemoryRecalled(
        mode=found.mode, segments=segments, tokens=found.tokens, elapsed_ms=round(found.elapsed_ms, 2), reason=found.reason
    )
    prefix = [{"role": "system", "content": found.block}] if found.block else []
    return prefix, event


def remember(engine: "Engine", session_id: int, user_text: str, answer_text: str, message_id: int | None) -> None:
    """Queue the exchange and write it in the background (batched; pruning follows writes)."""
    memory = engine.memory if engine.use_memory else None
    if memory is None or not answer_text.strip():
        return
    memory.queue_turn(session_id, user_text, answer_text, message_id=message_id)

    async def flush() -> None:
        try:
            await memory.flush()
        except Exception:  # noqa: BLE001 - memory must never cost the chat
            log.exception("could not write the exchange to memory")

    engine.in_background(flush())


def forget_replaced(engine: "Engine", replaced: list[Any]) -> None:
    """An edit replaced these messages: what memory remembered of them goes (in the background)."""
    memory = engine.memory if engine.use_memory else None
    ids = [m.id for m in replaced if m.role == "assistant"]
    if memory is None or not ids:
        return

    async def forget() -> None:
        try:
            await asyncio.to_thread(memory.forget_messages, ids)
        except Exception:  # noqa: BLE001 - memory must never cost the chat
            log.exception("could not forget the replaced answers")

    engine.in_background(forget())
