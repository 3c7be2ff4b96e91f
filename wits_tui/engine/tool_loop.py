"""One model attempt: stream the answer, and run tool rounds until the model
answers in text or the round limit is reached."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wits_tui.engine.errors import BackendError, ErrorKind
from wits_tui.engine.events import Stalled, Thinking, Token, ToolCalled, ToolResult, TurnEvent
from wits_tui.engine.stall import Silence, watch
from wits_tui.engine.thinking import InlineThinkSplitter
from wits_tui.engine.tools import ToolOutcome

if TYPE_CHECKING:
    from wits_tui.engine.core import Engine

DECLINED = "declined"


async def _call(engine: "Engine", name: str, arguments: Any, context: Any) -> ToolOutcome:
    """Run one call; a tool with side effects runs only if the person says yes
    (engine.confirm_tool, set by an interactive frontend; without one the answer is no)."""
    tool = engine.tools.tools.get(name)
    if tool is not None and tool.side_effects:
        ask = engine.confirm_tool
        allowed = bool(ask and await ask(name, arguments))
        if not allowed:
            content = json.dumps({"error": DECLINED, "tool": name, "message": "the user did not allow this call; do not retry it"})
            return ToolOutcome(name, arguments, False, content, DECLINED)
    return await engine.tools.call(name, arguments, context)


@dataclass
class Attempt:
    """What the turn loop needs to know after an attempt, however it ended."""

    started: float = field(default_factory=time.perf_counter)
    ttft_ms: float | None = None
    raw_stats: dict[str, Any] | None = None
    rounds: int = 0  # tool rounds run
    think: bool | str | None = None  # Ollama's think parameter (None: not sent)
    keep_alive: str | None = None  # the session's, else the setting

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


async def stream_attempt(
    engine: "Engine",
    session_id: int,
    model: str,
    messages: list[dict[str, Any]],
    options: dict[str, Any] | None,
    answer: Any,
    state: Attempt,
) -> AsyncGenerator[TurnEvent, None]:
    tools = await engine.tool_schemas(session_id, model)
    conversation = list(messages)
    extra: dict[str, Any] = {}
    if state.think is not None:
        extra["think"] = state.think
    if state.keep_alive:
        extra["keep_alive"] = state.keep_alive
    while True:
        calls: list[dict[str, Any]] = []
        said: list[str] = []
        thought: list[str] = []
        inline = InlineThinkSplitter()  # older servers send <think>…</think> in the content
        chat = engine.backend.chat(model, conversation, options=options, tools=tools or None, **extra)
        async with aclosing(watch(chat, engine.settings.chat.stall_notice_s)) as stream:
            async for chunk in stream:
                if isinstance(chunk, Silence):  # the connection is open but nothing comes: say so, keep waiting
                    yield Stalled(model, chunk.seconds, state.ttft_ms is not None or state.rounds > 0,
                                  engine.settings.ollama.read_timeout)
                    continue
                pieces = [(chunk.thinking, "")] if chunk.thinking else []
                if chunk.content:
                    pieces.append(inline.feed(chunk.content))
                if chunk.done:
                    pieces.append(inline.flush())
                for thinking, text in pieces:
                    if (thinking or text) and state.ttft_ms is None:
                        state.ttft_ms = state.elapsed_ms()  # from the request, thinking or answer
                    if thinking:
                        answer.add_thinking(thinking)
                        thought.append(thinking)
                        yield Thinking(thinking)
                    if text:
                        answer.add(text)
                        said.append(text)
                        yield Token(text)
                if chunk.tool_calls:  # Ollama sends them in a chunk of their own
                    calls.extend(chunk.tool_calls)
                if chunk.done:
                    state.raw_stats = chunk.stats
        if not calls or not tools:
            return
        if state.rounds >= engine.settings.tools.max_rounds:
            raise BackendError(
                ErrorKind.TOOL_ROUNDS,
                f"{model} was still calling tools after {state.rounds} rounds, so Wits stopped it",
                "ask more directly, or raise tools.max_rounds in the config",
            )
        state.rounds += 1
        # as the API expects: what the model thought, said and called go back together
        turn: dict[str, Any] = {"role": "assistant", "content": "".join(said), "tool_calls": calls}
        if thought:
            turn["thinking"] = "".join(thought)
        conversation.append(turn)
        named = [((c.get("function") or {}).get("name", ""), (c.get("function") or {}).get("arguments")) for c in calls]
        for name, arguments in named:
            yield ToolCalled(round=state.rounds, name=name, arguments=arguments)
        context = engine.tool_context(session_id)
        # independent calls run at once, each with its own timeout (in the registry)
        outcomes = await asyncio.gather(*(_call(engine, name, arguments, context) for name, arguments in named))
        for outcome in outcomes:
            yield ToolResult(
                round=state.rounds,
                name=outcome.name,
                arguments=outcome.arguments,
                ok=outcome.ok,
                content=outcome.content,
                error_type=outcome.error_type,
                duration_ms=round(outcome.duration_ms, 2),
            )
            conversation.append({"role": "tool", "content": outcome.content, "tool_name": outcome.name})
