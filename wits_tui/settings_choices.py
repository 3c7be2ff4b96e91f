"""The values a setting chooses among, for code that lists them without importing pydantic (the command
table, which the app imports before its first frame). ``settings.py`` validates against the same names."""

from __future__ import annotations

from typing import Literal, get_args

#: How memory pruning chooses what goes (engine/memory/pruning.py, /memory prune, memory.prune_strategy).
PruningStrategy = Literal["oldest_first", "least_relevant", "hybrid"]
PRUNING_STRATEGIES: tuple[str, ...] = get_args(PruningStrategy)
