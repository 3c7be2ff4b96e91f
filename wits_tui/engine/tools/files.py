"""read_file and list_dir, only inside the directories the user allows (settings tools.allowed_dirs)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from wits_tui.engine.tools.base import Args, ToolContext, ToolFailed

MAX_READ = 200_000
MAX_ENTRIES = 500


class ReadFileArgs(Args):
    path: str = Field(min_length=1, description="File to read, absolute or relative to the first allowed directory.")
    max_bytes: int = Field(20_000, ge=1, le=MAX_READ, description="Read at most this many bytes.")


class ListDirArgs(Args):
    path: str = Field(".", min_length=1, description="Directory to list, absolute or relative to the first allowed directory.")


def resolve_inside(raw: str, ctx: ToolContext) -> Path:
    """The real path (symlinks and .. resolved), if it lies inside an allowed directory."""
    roots = [Path(d).expanduser().resolve() for d in ctx.allowed_dirs]
    if not roots:
        raise ToolFailed("no directories are allowed: the user can add some to tools.allowed_dirs in config.toml")
    candidate = Path(raw).expanduser()
    if not candidate.is_absolute():
        candidate = roots[0] / candidate
    real = candidate.resolve()
    if not any(real == root or real.is_relative_to(root) for root in roots):
        raise ToolFailed(f"{raw} is outside the allowed directories ({', '.join(map(str, roots))})")
    return real


async def run_read_file(args: ReadFileArgs, ctx: ToolContext) -> dict[str, object]:
    path = resolve_inside(args.path, ctx)
    if not path.is_file():
        raise ToolFailed(f"{args.path} is not a file")
    with path.open("rb") as f:
        data = f.read(args.max_bytes + 1)
    truncated = len(data) > args.max_bytes
    text = data[: args.max_bytes].decode("utf-8", errors="replace")
    return {"path": str(path), "content": text, "truncated": truncated}


async def run_list_dir(args: ListDirArgs, ctx: ToolContext) -> dict[str, object]:
    path = resolve_inside(args.path, ctx)
    if not path.is_dir():
        raise ToolFailed(f"{args.path} is not a directory")
    entries = []
    for child in sorted(path.iterdir(), key=lambda p: p.name)[:MAX_ENTRIES]:
        entries.append({"name": child.name + ("/" if child.is_dir() else ""), "size": child.stat().st_size if child.is_file() else None})
    return {"path": str(path), "entries": entries}
