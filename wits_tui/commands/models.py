"""/model: the installed chat models with their facts, and choosing one."""

from __future__ import annotations

import asyncio
from datetime import datetime

from wits_tui.commands.context import CommandContext
from wits_tui.commands.impl import need_session
from wits_tui.commands.results import Listing, Notice, Result, Row
from wits_tui.engine.backends.base import BackendError, LoadedModel, ModelDetails, ModelInfo
from wits_tui.engine.catalog import canonical, short_tokens
from wits_tui.engine.model_check import close_models

SHOWN_CAPABILITIES = ("tools", "thinking", "vision")


def is_chat_model(details: ModelDetails | None, info: ModelInfo | None = None) -> bool:
    """False for embedding-only models (by their capabilities; by family when unknown)."""
    if details is not None and details.capabilities:
        return "completion" in details.capabilities or "embedding" not in details.capabilities
    family = (info.family if info else "").lower()
    return "bert" not in family


def _size(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def _until(expires_at: str) -> str:
    try:
        moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        return ""
    left = (moment - datetime.now(moment.tzinfo)).total_seconds()
    if left > 86_400 * 365:
        return "kept loaded"
    return f"unloads in {max(0, int(left // 60))} min" if left >= 60 else "unloads soon"


def loaded_text(running: LoadedModel | None) -> str:
    if running is None:
        return "—"
    share = running.size_vram / running.size if running.size else 0
    where = "GPU" if share >= 0.999 else "CPU" if share <= 0.001 else f"{share:.0%} GPU / {1 - share:.0%} CPU"
    ctx = f", {short_tokens(running.context_length)} ctx" if running.context_length else ""
    until = _until(running.expires_at)
    return f"{where}{ctx}" + (f", {until}" if until else "")


async def chat_models(ctx: CommandContext) -> list[tuple[ModelInfo, ModelDetails | None]]:
    """Installed models that can chat, each with its /api/show facts (cached)."""
    infos = await ctx.engine.list_models()
    details = await asyncio.gather(*(ctx.engine.model_details(i.name) for i in infos))
    return [(i, d) for i, d in zip(infos, details, strict=True) if is_chat_model(d, i)]


async def cmd_model(ctx: CommandContext, args: str) -> Result:
    session_id = need_session(ctx)
    session = await ctx.db(ctx.store.sessions.get, session_id)
    current = ctx.engine.model_for(session)
    if not args:
        return await _listing(ctx, current)
    try:
        installed = [i.name for i, _ in await chat_models(ctx)]
    except BackendError as exc:
        await ctx.db(ctx.store.sessions.set_model, session_id, args)
        return Notice(f"model set to {args}, but Ollama could not be asked whether it is installed: {exc.message}",
                      "warning", sessions_changed=True)
    match = next((n for n in installed if canonical(n) == canonical(args)), None)
    if match is None:
        close = close_models(args, installed)
        like = f"; installed ones like it: {', '.join(close)}" if close else ""
        return Notice(f"'{args}' is not installed, so the model stays {current}{like}. /pull {args} downloads it", "error")
    await ctx.db(ctx.store.sessions.set_model, session_id, match)
    ctx.engine.refresh_models(match)
    return Notice(f"model set to {match} for this session", sessions_changed=True)


async def _listing(ctx: CommandContext, current: str) -> Result:
    try:
        models = await chat_models(ctx)
        running = {canonical(m.name): m for m in await ctx.engine.catalog.refresh_loaded()}
    except BackendError as exc:
        return Notice(f"model: {current}. The installed models cannot be listed: {exc.message}; {exc.hint}", "warning")
    rows = []
    for info, details in sorted(models, key=lambda m: m[0].name):
        caps = ", ".join(c for c in SHOWN_CAPABILITIES if details and c in details.capabilities) or "—"
        trained = short_tokens(details.context_length) if details and details.context_length else "?"
        mark = "* " if canonical(info.name) == canonical(current) else "  "
        rows.append(Row((mark + info.name, _size(info.size), info.family or "?", info.quantization or "?", trained, caps,
                         loaded_text(running.get(canonical(info.name)))), text=f"/model {info.name}"))
    return Listing(f"Chat models (this session: {current}; choose one to use it)",
                   ("model", "size", "family", "quant", "context", "can", "loaded"), tuple(rows),
                   empty="no chat models installed: /pull llama3.2 downloads one", optional=(2, 3), keep=(0,))
