"""/compact: older turns replaced, for the model, by a summary the model writes.

The summary is stored as a visible message (role ``summary``) that records the
last message it stands for; the context sends it instead of those messages. The
originals stay in the database and in exports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wits_tui.engine.context import SUMMARY_ROLE, _answer_text
from wits_tui.engine.errors import NothingToCompact as NothingToCompact  # re-exported: its old home
from wits_tui.engine.store.records import Message
from wits_tui.engine.thinking import think_param

if TYPE_CHECKING:
    from wits_tui.engine.core import Engine

INSTRUCTION = (
    "Summarise the conversation below so that it can replace it as context for the rest of the chat. "
    "Keep every fact, name, number, decision, open question and preference stated; drop greetings and repetition. "
    "Write in the language of the conversation, as short bullet points, without any preamble."
)




async def compact(engine: "Engine", session_id: int, keep_last: int = 2, model: str | None = None) -> Message:
    """Summarise the session's messages except the last ``keep_last`` (and those an
    earlier summary already covers); store and return the summary message."""
    store = engine.store
    messages = store.messages.list(session_id)
    previous = next((m for m in reversed(messages) if m.role == SUMMARY_ROLE and m.summary_of is not None), None)
    start = previous.summary_of if previous is not None and previous.summary_of is not None else -1
    turns = [m for m in messages if m.id > start and m.role in ("user", "assistant") and _answer_text(m)]
    older = turns[: max(0, len(turns) - keep_last)]
    if len(older) < 2:
        raise NothingToCompact(f"there is nothing older to compact yet ({len(turns)} messages since the last summary)")
    lines = [f"Earlier summary:\n{previous.content}\n"] if previous is not None else []
    lines += [f"{'Person' if m.role == 'user' else 'Assistant'}: {_answer_text(m)}" for m in older]
    session = store.sessions.get(session_id)
    chosen = model or engine.model_for(session)
    details = engine.catalog.cached(chosen) or await engine.model_details(chosen)
    think = think_param("off", details.capabilities if details else None)
    request = [{"role": "system", "content": INSTRUCTION}, {"role": "user", "content": "\n\n".join(lines)}]
    parts: list[str] = []
    kwargs: dict[str, Any] = {"think": think} if think is not None else {}
    async for chunk in engine.backend.chat(chosen, request, options={"temperature": 0.2}, **kwargs):
        parts.append(chunk.content)
    from wits_tui.engine.thinking import split_inline

    text = split_inline("".join(parts))[1].strip()
    if not text:
        raise NothingToCompact(f"{chosen} wrote an empty summary; nothing was changed")
    return store.messages.append(session_id, SUMMARY_ROLE, text, model=chosen, summary_of=older[-1].id)
