"""Finding the files of a collection under its folders, honouring ``.gitignore``."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wits_tui.engine.docs.readers import kind_of

#: Folders never walked into: version control, caches, virtual environments, dependencies.
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", "node_modules", ".mypy_cache", ".pytest_cache",
             ".ruff_cache", ".tox", ".nox", ".idea", ".vscode", "site-packages", ".eggs"}


@dataclass(frozen=True, slots=True)
class Found:
    path: Path
    kind: str
    size: int
    mtime_ns: int


@dataclass
class Walk:
    files: list[Found] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    ignored: int = 0  # by .gitignore


def _spec(directory: Path) -> object | None:
    path = directory / ".gitignore"
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(specs: Sequence[tuple[Path, object]], path: Path, is_dir: bool) -> bool:
    for base, spec in specs:
        rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
        if spec.match_file(rel):  # type: ignore[attr-defined]
            return True
    return False


def inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def walk(roots: Sequence[Path], max_bytes: int) -> Walk:
    """Every document file under ``roots`` (absolute, resolved), with the reason for each
    file left out (other file types, too large, links that lead outside the roots)."""
    out = Walk()
    seen: set[Path] = set()
    for root in roots:
        if root.is_file():
            _consider(root, root, roots, max_bytes, out, seen)
            continue
        if not root.is_dir():
            out.skipped.append((str(root), "not found"))
            continue
        for found in _walk_dir(root, roots, max_bytes, out, seen):
            out.files.append(found)
    out.files.sort(key=lambda f: str(f.path))
    return out


def _walk_dir(root: Path, roots: Sequence[Path], max_bytes: int, out: Walk, seen: set[Path]) -> Iterator[Found]:
    specs: dict[Path, list[tuple[Path, object]]] = {}
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: out.skipped.append((str(e.filename), f"cannot be read: {e.strerror}"))):
        here = Path(dirpath)
        inherited = specs.get(here.parent, []) if here != root else []
        own = _spec(here)
        active = [*inherited, (here, own)] if own is not None else inherited
        specs[here] = active
        keep = []
        for d in sorted(dirnames):
            sub = here / d
            if d in SKIP_DIRS or sub.is_symlink():
                continue
            if _ignored(active, sub, True):
                out.ignored += 1
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            path = here / name
            if name == ".gitignore":
                continue
            if _ignored(active, path, False):
                out.ignored += 1
                continue
            found = _consider(path, root, roots, max_bytes, out, seen)
            if found is not None:
                yield found


def _consider(path: Path, root: Path, roots: Sequence[Path], max_bytes: int, out: Walk, seen: set[Path]) -> Found | None:
    kind = kind_of(path)
    if kind is None:
        out.skipped.append((str(path), f"not a document type Wits reads ({path.suffix or 'no extension'})"))
        return None
    if path.is_symlink():
        target = path.resolve()
        if not inside(target, roots):
            out.skipped.append((str(path), f"a link to {target}, outside the collection's folders"))
            return None
    try:
        st = path.stat()
    except OSError as exc:
        out.skipped.append((str(path), f"cannot be read: {exc.strerror or exc}"))
        return None
    if st.st_size > max_bytes:
        out.skipped.append((str(path), f"larger than docs.max_file_kb ({st.st_size // 1024} KB > {max_bytes // 1024} KB)"))
        return None
    if path in seen:
        return None
    seen.add(path)
    found = Found(path, kind, st.st_size, st.st_mtime_ns)
    if root.is_file():
        out.files.append(found)
    return found
