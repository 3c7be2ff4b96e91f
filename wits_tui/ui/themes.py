"""Themes as data files: TOML with textual.theme.Theme's fields.

Bundled themes are looked for in the package (``wits_tui/themes``, where the
wheel build puts the repository's ``themes/`` directory via hatch force-include)
and then in the repository checkout's ``themes/``. User themes come from the
config dir's ``themes/`` and may replace a bundled one of the same name.
"""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

from textual.theme import Theme

BUNDLED = ("wits-dark", "wits-light", "wits-high-contrast")
_FIELDS = {f.name for f in fields(Theme)}


def bundled_dirs() -> list[Path]:
    here = Path(__file__).resolve().parent.parent  # wits_tui/
    return [d for d in (here / "themes", here.parent / "themes") if d.is_dir()]


def load_theme(path: Path) -> Theme:
    """Read one theme file; ValueError names the file and the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the theme: {exc}") from None
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ValueError(f"{path}: unknown keys {', '.join(unknown)}; expected some of {', '.join(sorted(_FIELDS))}")
    data.setdefault("name", path.stem)
    if "primary" not in data:
        raise ValueError(f"{path}: a theme needs at least 'primary'")
    try:
        return Theme(**data)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from None


def load_themes(user_dir: Path | None) -> tuple[dict[str, Theme], list[str]]:
    """All themes by name (bundled first, then the user's), and one line per bad file."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    dirs = bundled_dirs()[:1] + ([user_dir] if user_dir is not None and user_dir.is_dir() else [])
    for directory in dirs:
        for path in sorted(directory.glob("*.toml")):
            try:
                theme = load_theme(path)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            themes[theme.name] = theme
    return themes, problems
