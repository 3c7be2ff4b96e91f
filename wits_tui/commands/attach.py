"""``/attach PATH`` and ``/detach [N|NAME|all]``: files for the next message.

The front end owns the list of pending attachments (``ctx.attachments``) and sends it
with the next message; these commands read and check the files (off the event loop) and
change the list. A file that cannot go (missing, too large, neither image nor text) is
refused with the reason and the fix; an image for a model that cannot see is attached
with a warning saying what to do.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

from wits_tui.commands.context import CommandContext
from wits_tui.commands.impl import UsageError
from wits_tui.commands.results import AttachmentsChanged, Notice, Result

ATTACH_USAGE = "/attach [PATH…]"
DETACH_USAGE = "/detach [N|NAME|all]"


def describe(a: Any) -> str:
    return f"{a.name} ({a.kind}, {_size(a.size)})"


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.1f} KB" if size >= 1000 else f"{size} B"


def pending_text(attachments: list[Any]) -> str:
    if not attachments:
        return "nothing is attached; /attach PATH adds an image or a text file to your next message"
    listed = "; ".join(f"{n}. {describe(a)}" for n, a in enumerate(attachments, 1))
    return f"attached to your next message: {listed} (/detach N removes one)"


def split_paths(args: str) -> list[str]:
    """The paths typed after /attach: the whole text when it names a file (spaces and all), else
    shell-style words (quotes and backslash escapes work, as in a dropped path)."""
    from wits_tui.engine.attachments import unquote_paths

    whole = os.path.expanduser(args)
    if os.path.exists(whole):
        return [args]
    found = unquote_paths(args)
    if found is not None:
        return found
    try:
        return shlex.split(args)
    except ValueError:
        return [args]


async def model_sees(ctx: CommandContext) -> tuple[str, bool | None]:
    """The model the next message goes to (the session's) and whether it can see (None: unknown)."""
    session = await ctx.db(ctx.store.sessions.get, ctx.session_id) if ctx.session_id is not None else None
    model = ctx.engine.model_for(session)
    try:
        details = await ctx.engine.model_details(model)
    except Exception:  # noqa: BLE001 - the server may be down: the turn will say so
        details = None
    return model, (None if details is None else "vision" in details.capabilities)


async def cmd_attach(ctx: CommandContext, args: str) -> Result:
    if not args:
        return Notice(pending_text(ctx.attachments))
    limit = ctx.engine.settings.attachments.max_per_message
    model, sees = await model_sees(ctx)
    added, notes = [], []
    for word in split_paths(args):
        if len(ctx.attachments) >= limit:
            notes.append(f"{Path(word).name} not attached: a message carries at most {limit} files (attachments.max_per_message)")
            break
        path = Path(os.path.expanduser(word))
        attachment = await ctx.db(ctx.engine.attach, path if path.is_absolute() else Path.cwd() / path, model)
        if any(a.sha256 == attachment.sha256 and a.name == attachment.name for a in ctx.attachments):
            notes.append(f"{attachment.name} is attached already")
            continue
        ctx.attachments.append(attachment)
        added.append(attachment)
    level: Any = "info"
    if any(a.kind == "image" for a in added) and sees is False:
        level = "warning"
        notes.append(f"{model} cannot see images: /model a vision model (e.g. llava, llama3.2-vision, gemma3) before you send, "
                     "or /detach the image")
    head = "attached " + ", ".join(describe(a) for a in added) + " to your next message" if added else "nothing new attached"
    return AttachmentsChanged("; ".join([head, *notes]), level)


async def cmd_detach(ctx: CommandContext, args: str) -> Result:
    pending = ctx.attachments
    if not pending:
        return Notice("nothing is attached")
    word = args.strip()
    if word in ("", "all"):
        count = len(pending)
        pending.clear()
        return AttachmentsChanged(f"removed {count} attachment{'s' * (count != 1)}")
    if word.isdigit():
        index = int(word) - 1
        if not 0 <= index < len(pending):
            raise UsageError(f"there {'is' if len(pending) == 1 else 'are'} {len(pending)} attached, not {word}")
    else:
        index = next((i for i, a in enumerate(pending) if a.name == word), -1)
        if index < 0:
            raise UsageError(f"nothing attached is named {word!r}: {', '.join(a.name for a in pending)}")
    gone = pending.pop(index)
    return AttachmentsChanged(f"removed {gone.name}" + (f"; still attached: {', '.join(a.name for a in pending)}" if pending else ""))


async def complete_path(ctx: CommandContext, prefix: str) -> list[str]:
    """Files and folders starting with what is typed (folders end in /)."""
    import asyncio

    def listing() -> list[str]:
        typed = os.path.expanduser(prefix) or "./"
        folder, start = os.path.split(typed)
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            return []
        shown_folder = os.path.split(prefix)[0]
        out = []
        for name in names:
            if name.startswith(start) and (start.startswith(".") or not name.startswith(".")):
                full = os.path.join(folder or ".", name)
                out.append(os.path.join(shown_folder, name) + ("/" if os.path.isdir(full) else ""))
        return out[:50]

    return await asyncio.to_thread(listing)


async def complete_detach(ctx: CommandContext, prefix: str) -> list[str]:
    return [w for w in ["all", *(a.name for a in ctx.attachments)] if w.startswith(prefix)]
