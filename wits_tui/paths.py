"""The one place that knows where Wits keeps its files.

By default the platformdirs user directories are used. ``WITS_HOME=DIR`` moves
everything (config, data, cache, logs) under ``DIR`` - tests rely on this.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "wits"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def database(self) -> Path:
        return self.data_dir / "wits.db"

    @property
    def memory_dir(self) -> Path:
        return self.data_dir / "memory"

    @property
    def docs_dir(self) -> Path:
        """The document collections' LanceDB tables (beside memory, never pruned with it)."""
        return self.data_dir / "docs"

    @property
    def attachments_dir(self) -> Path:
        """Files sent with messages, one copy per content: ``<sha256[:2]>/<sha256>``."""
        return self.data_dir / "attachments"

    @property
    def user_themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def user_modules_dir(self) -> Path:
        return self.config_dir / "modules"

    def ensure(self) -> "Paths":
        """Create the directories that are written to (config is only read), private (0700)."""
        for d in (self.data_dir, self.cache_dir, self.log_dir):
            d.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self

    def tighten(self) -> list[Path]:
        """Make Wits' directories 0700 and their files 0600 where they were open to other
        users (older versions made them 0644 in 0755 directories); returns what was loose.
        Only a loose top directory is walked, so a start-up that finds them private is cheap."""
        loose: list[Path] = []
        for top in dict.fromkeys((self.config_dir, self.data_dir, self.cache_dir, self.log_dir, self.memory_dir)):
            if not top.is_dir() or _private(top):
                continue
            for root, dirs, files in os.walk(top):
                for name in dirs:
                    _chmod(Path(root) / name, 0o700)
                for name in files:
                    _chmod(Path(root) / name, 0o600)
            _chmod(top, 0o700)
            if _private(top):  # not on a read-only file system
                loose.append(top)
        return loose


def _private(path: Path) -> bool:
    try:
        return path.stat().st_mode & 0o077 == 0
    except OSError:
        return True


def _chmod(path: Path, mode: int) -> None:
    try:
        if not path.is_symlink() and path.stat().st_mode & 0o777 & ~mode:
            path.chmod(path.stat().st_mode & 0o777 & mode)
    except OSError:  # not ours, or gone: nothing to tighten
        pass


def resolve_paths(environ: "os._Environ[str] | dict[str, str] | None" = None) -> Paths:
    env = os.environ if environ is None else environ
    home = env.get("WITS_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return Paths(root / "config", root / "data", root / "cache", root / "logs")
    import platformdirs

    return Paths(
        Path(platformdirs.user_config_dir(APP_NAME)),
        Path(platformdirs.user_data_dir(APP_NAME)),
        Path(platformdirs.user_cache_dir(APP_NAME)),
        Path(platformdirs.user_log_dir(APP_NAME)),
    )
