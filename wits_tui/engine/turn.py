"""The turn loop: persist the question, stream the answer, fall back, record.

Consumers should close the generator deterministically, e.g.
``async with contextlib.aclosing(engine.turn(...)) as events``, so that an
abandoned or cancelled turn is stored as ``interrupted`` at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from wits_tui.engine import docs_hooks, memory_hooks
from wits_tui.engine.context import build_context
from wits_tui.engine.errors import BackendError, ErrorKind, NothingToEdit, NothingToRetry, WitsError
from wits_tui.engine.events import ContextInfo, Fallback, Routed, TurnDone, TurnEvent, TurnStarted, TurnStats
from wits_tui.engine.oversized import too_long
from wits_tui.engine.recording import TurnRecorder
from wits_tui.engine.session_params import request_params
from wits_tui.engine.store.messages import FailedWith
from wits_tui.engine.thinking import think_param
from wits_tui.engine.tool_loop import Attempt, stream_attempt

if TYPE_CHECKING:
    from wits_tui.engine.core import Engine
    from wits_tui.engine.routing.router import Route
    from wits_tui.engine.store.records import Attachment, MessageStatus

log = logging.getLogger("wits.turn")

#: How often a streaming answer is saved, so a crash or kill loses at most this much.
FLUSH_INTERVAL_S = 0.5
TITLE_MAX = 48


def candidate_models(primary: str, chat_settings: Any) -> list[str]:
    models = [primary]
    if chat_settings.enable_model_fallback:
        extra = [m for m in dict.fromkeys(chat_settings.fallback_models) if m != primary]
        models += extra[: chat_settings.max_fallback_attempts]
    return models


def title_from(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "New chat")
    return line if len(line) <= TITLE_MAX else line[: TITLE_MAX - 1].rstrip() + "…"


def stats_from(raw: dict[str, Any] | None, ttft_ms: float | None, total_ms: float) -> TurnStats:
    raw = raw or {}

    def ms(key: str) -> float | None:
        v = raw.get(key)
        return v / 1e6 if v is not None else None

    eval_count, eval_ns = raw.get("eval_count"), raw.get("eval_duration")
    # below a millisecond the duration is not a measurement (a cached or scripted answer): no rate
    tps = eval_count / (eval_ns / 1e9) if eval_count and eval_ns and eval_ns >= 1_000_000 else None
    return TurnStats(
        ttft_ms=ttft_ms,
        total_ms=total_ms,
        prompt_tokens=raw.get("prompt_eval_count"),
        eval_tokens=eval_count,
        tokens_per_s=tps,
        load_duration_ms=ms("load_duration"),
        prompt_eval_duration_ms=ms("prompt_eval_duration"),
        eval_duration_ms=ms("eval_duration"),
    )


class _Answer:
    """The assistant message being streamed, saved as it grows."""

    def __init__(self, engine: "Engine", session_id: int, model: str, module: str | None) -> None:
        self.engine, self.session_id, self.model, self.module = engine, session_id, model, module
        self.parts: list[str] = []
        self.thoughts: list[str] = []
        self.message_id: int | None = None
        self._flushed_at = 0.0
        #: The turn's list of stored answer ids (see ``run_turn``): told when this one ends.
        self.ended: list[int] | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def thinking(self) -> str:
        return "".join(self.thoughts)

    def add(self, piece: str) -> None:
        self.parts.append(piece)
        self._save()

    def add_thinking(self, piece: str) -> None:
        self.thoughts.append(piece)
        self._save()

    def _save(self) -> None:
        now = time.monotonic()
        if self.message_id is None:
            msg = self.engine.store.messages.append(
                self.session_id, "assistant", self.text, status="streaming", model=self.model, module=self.module,
                thinking=self.thinking,
            )
            self.message_id, self._flushed_at = msg.id, now
        elif now - self._flushed_at >= FLUSH_INTERVAL_S:
            self.engine.store.messages.update(self.message_id, content=self.text, thinking=self.thinking)
            self._flushed_at = now

    def finish(self, status: MessageStatus, error: FailedWith | None = None) -> int:
        """Store the answer as it ended; a failed one keeps ``error`` (why, and the fix)."""
        messages = self.engine.store.messages
        if self.message_id is None:
            self.message_id = messages.append(
                self.session_id, "assistant", self.text, status=status, model=self.model, module=self.module,
                thinking=self.thinking, error=error,
            ).id
        else:
            messages.update(self.message_id, content=self.text, status=status, thinking=self.thinking, error=error)
        if self.ended is not None:
            self.ended.append(self.message_id)
        return self.message_id


async def run_turn(
    engine: "Engine", session_id: int, text: str | None, model: str | None = None,
    *, on_saved: Callable[[Any], None] | None = None, attachments: "Sequence[Attachment]" = (),
    replaces: int | None = None,
) -> AsyncGenerator[TurnEvent, None]:
    """One question and its answer. ``text=None`` answers the last user message again.
    ``replaces``: the question ``text`` is an edit of; it and what followed it become an earlier
    branch (kept, not sent to the model again). The question is saved first (with its
    ``attachments``, whose blobs are stored already); ``on_saved(message)`` is told so before
    anything else."""
    store, settings = engine.store, engine.settings
    if text is not None:
        from wits_tui.engine.textsafe import valid_text

        text = valid_text(text)[0]  # a lone surrogate cannot be stored; front ends say so when they replace
        if len(text) > settings.chat.max_message_chars:  # refused before anything is stored
            yield engine.fail(too_long(engine, text), model=model or settings.chat.default_model,
                              session_id=session_id, attempt=0)
            return
        if replaces is None:
            user = store.messages.append(session_id, "user", text, attachments=attachments)
        else:
            try:
                user = store.messages.replace(session_id, replaces, text, attachments)
            except NothingToEdit as refused:
                yield engine.fail(refused, model=model or settings.chat.default_model, session_id=session_id, attempt=0)
                return
            memory_hooks.forget_replaced(engine, store.messages.replaced(user.id))
        if on_saved is not None:
            on_saved(user)
    session = store.sessions.get(session_id)
    primary = model or engine.model_for(session)
    if text is not None:
        if session.title == "New chat" and store.messages.count(session_id) == 1:
            store.sessions.rename(session_id, title_from(text))
    else:
        last = [m for m in store.messages.list(session_id, limit=50) if m.role == "user"]
        if not last:
            err = NothingToRetry("there is no question in this session to answer again", "type a message first")
            yield engine.fail(err, model=primary, session_id=session_id, attempt=0)
            return
        user = last[-1]
    rec = TurnRecorder(store, session_id)
    note: dict[str, Any] = {"message_id": user.id, "text": user.content, "retry": text is None}
    if user.attachments:
        note["attachments"] = [a.to_dict() for a in user.attachments]
    if replaces is not None:  # a replay shows the edit
        note["edit_of"] = replaces
    rec.record("user", note)
    ended: list[int] = []  # the answers this turn stored (an attempt appends its id when it ends)
    try:
        async with aclosing(_routed_answer(engine, session, user, primary, model, rec, ended)) as events:
            async for event in events:
                yield event
    except (asyncio.CancelledError, GeneratorExit):
        if not ended:  # stopped before an answer began (routing, recall, loading): say so in the session
            _interrupted_early(engine, session_id, primary, rec)
        raise
    finally:
        rec.close()


def _interrupted_early(engine: "Engine", session_id: int, model: str, rec: TurnRecorder) -> None:
    """An empty answer marked interrupted, so a reopened session shows that this question was
    stopped rather than two questions in a row. Storing it must not hide the cancellation."""
    try:
        message_id = engine.store.messages.append(session_id, "assistant", "", status="interrupted", model=model).id
        rec.record("interrupted", {"message_id": message_id, "model": model, "partial_text": ""})
    except Exception:  # noqa: BLE001 - logged; the stop goes on
        log.exception("could not store the interrupted marker")


async def _routed_answer(
    engine: "Engine", session: Any, user: Any, primary: str, model: str | None, rec: TurnRecorder, ended: list[int],
) -> AsyncGenerator[TurnEvent, None]:
    """Route, recall, retrieve, then answer: everything after the question is stored."""
    settings, session_id = engine.settings, session.id
    route = None
    if model is None and settings.routing.enabled:
        route = await _route(engine, session, user)
        if route is not None:
            primary = route.model
            yield rec.event(routed_event(route))
    memory_prefix, recalled = await memory_hooks.recall(engine, session_id, user.content)
    if recalled is not None:
        yield rec.event(recalled)
    docs_prefix, docs_used = await docs_hooks.retrieve(engine, session_id, user.content, primary)
    if docs_used is not None:
        yield rec.event(docs_used)
    memory_prefix = memory_prefix + docs_prefix
    # aclosing: if our consumer abandons us, the inner generator is closed at
    # once too, so the partial answer is saved as interrupted right away.
    first = len(ended)
    try:
        async with aclosing(_answer(engine, session_id, user, primary, rec, route, memory_prefix, ended)) as events:
            async for event in events:
                yield rec.event(event)
    finally:
        docs_hooks.keep_sources(engine, ended[first:], docs_used)


def _failed_unexpectedly(answer: _Answer, exc: Exception) -> None:
    try:
        answer.finish("error", FailedWith(ErrorKind.UNEXPECTED, f"{type(exc).__name__}: {exc}",
                                          "this is a bug in Wits; the log file has the details"))
    except Exception:  # noqa: BLE001 - the original failure is the one to report
        log.exception("could not store the failed answer")


async def _attached(engine: "Engine", history: list[Any]) -> dict[int, Any]:
    """What the history's attachments add for the model, by message id (blobs read in a thread)."""
    with_files = [m for m in history if m.attachments]
    if not with_files:
        return {}
    from wits_tui.engine.attachments import for_model

    blobs = engine.blobs
    return {m.id: await asyncio.to_thread(for_model, m.attachments, blobs) for m in with_files}


def no_vision(model: str, capabilities: Sequence[str]) -> WitsError:
    from wits_tui.engine.errors import AttachmentProblem

    caps = ", ".join(capabilities) or "none listed"
    return AttachmentProblem(f"{model} cannot see images (its capabilities: {caps}); the question is kept",
                             "answer it with a vision model: /retry MODEL (e.g. llava, llama3.2-vision, gemma3), "
                             "or /model MODEL for the session")


async def _route(engine: "Engine", session: Any, user: Any) -> "Route | None":
    """The routing decision; a failure of routing itself never stops a turn."""
    try:
        return await engine.router.route(user.content, pinned=session.pinned_module, session_model=session.model,
                                         previous=lambda: engine.router.previous_module(session.id, user.id))
    except Exception:  # noqa: BLE001 - logged; the turn goes on with the default model
        log.exception("routing failed; answering with the session's model")
        return None


def routed_event(route: "Route") -> Routed:
    decision = route.decision
    return Routed(
        module=route.module.name,
        model=route.model,
        reason=route.reason,
        pinned=route.pinned,
        domain=route.domain,
        confidence=route.confidence,
        method=decision.method if decision else None,
        note=decision.note if decision else "",
    )


def _after(engine: "Engine", route: "Route | None", text: str, model: str, stats: TurnStats, status: "MessageStatus") -> None:
    if route is None:
        return
    try:
        engine.router.record_turn(route, text, model=model, stats=stats, status=status)
    except Exception:  # noqa: BLE001 - statistics must never cost the answer
        log.exception("could not record routing statistics")


async def _answer(
    engine: "Engine",
    session_id: int,
    user: Any,
    primary: str,
    rec: TurnRecorder,
    route: "Route | None",
    memory_prefix: list[dict[str, str]],
    ended: list[int],
) -> AsyncGenerator[TurnEvent, None]:
    store, settings = engine.store, engine.settings
    history = [m for m in store.messages.list(session_id, limit=settings.chat.context_messages) if m.id <= user.id]
    models = candidate_models(primary, settings.chat)
    module = route.module.name if route else None
    session = store.sessions.get(session_id)
    params = request_params(route.prompt_messages() if route else [], (route.options or None) if route else None, session)
    prefix = params.prefix + memory_prefix
    think_choice = session.think or settings.chat.think
    attached = await _attached(engine, history)
    needs_vision = any(a.kind == "image" for a in user.attachments)
    if needs_vision and (seeing := engine.model_for(session)) not in models:
        models.append(seeing)  # a routed module's model may not see: the session's model is tried after it

    for attempt, current in enumerate(models, start=1):
        details = engine.catalog.cached(current) or await engine.model_details(current)  # cached after the first turn
        sees = details is None or "vision" in details.capabilities  # unknown: let the server say
        if needs_vision and not sees:
            err = no_vision(current, details.capabilities if details else ())
            if attempt < len(models):
                yield Fallback(from_model=current, to_model=models[attempt], reason=err.message, error_type=err.kind, attempt=attempt + 1)
                continue
            yield engine.fail(err, model=current, session_id=session_id, attempt=attempt)
            return
        window = engine.catalog.window(current, params.num_ctx)
        built = build_context(history, context_length=window.tokens, reserve_tokens=settings.chat.answer_reserve_tokens, prefix=prefix,
                              attached=attached, images=sees)
        yield TurnStarted(session_id=session_id, user_message_id=user.id, model=current, module=module, attempt=attempt)
        yield ContextInfo(current, built.tokens, window.tokens, window.trained, True, built.trimmed, window.source)
        answer = _Answer(engine, session_id, current, module)
        answer.ended = ended
        state = Attempt(think=think_param(think_choice, details.capabilities if details else None), keep_alive=params.keep_alive)
        try:
            async with aclosing(stream_attempt(engine, session_id, current, built.messages, params.options, answer, state)) as events:
                async for event in events:
                    yield event
        except BackendError as err:
            stats = stats_from(state.raw_stats, state.ttft_ms, state.elapsed_ms())
            # only a model that failed before saying or doing anything is swapped for the next
            can_fall_back = not answer.parts and not state.rounds and attempt < len(models) and err.kind != ErrorKind.CONNECTION
            event = engine.fail(err, model=current, session_id=session_id, attempt=attempt, partial_text=answer.text)
            if can_fall_back:
                yield Fallback(from_model=current, to_model=models[attempt], reason=err.message, error_type=err.kind, attempt=attempt + 1)
                continue
            message_id = answer.finish("error", FailedWith(err.kind, err.message, err.hint))
            engine.record_metrics(session_id, message_id, current, "error", stats, module)
            yield replace(event, message_id=message_id)
            return
        except (asyncio.CancelledError, GeneratorExit):
            message_id = answer.finish("interrupted")
            rec.record("interrupted", {"message_id": message_id, "model": current, "partial_text": answer.text})
            stats = stats_from(state.raw_stats, state.ttft_ms, state.elapsed_ms())
            engine.record_metrics(session_id, message_id, current, "interrupted", stats, module)
            _after(engine, route, user.content, current, stats, "interrupted")
            raise
        except Exception as exc:  # a bug: the answer must not stay "streaming"; the caller reports it
            _failed_unexpectedly(answer, exc)
            raise
        stats = stats_from(state.raw_stats, state.ttft_ms, state.elapsed_ms())
        message_id = answer.finish("complete")
        engine.record_metrics(session_id, message_id, current, "complete", stats, module)
        _after(engine, route, user.content, current, stats, "complete")
        memory_hooks.remember(engine, session_id, user.content, answer.text, message_id)
        if engine.refresh_after_turn:
            engine.refresh_models()  # what is loaded now, and with which window: for the next turn
        if stats.prompt_tokens is not None:
            used = stats.prompt_tokens + (stats.eval_tokens or 0)
            yield ContextInfo(current, used, window.tokens, window.trained, False, built.trimmed, window.source)
        yield TurnDone(
            session_id=session_id, message_id=message_id, model=current, text=answer.text, stats=stats, module=module,
            thinking=answer.thinking,
        )
        return

