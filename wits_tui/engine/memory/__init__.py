"""Long-term memory in LanceDB: segments recalled into prompts, pruned to a size cap.

Importing this package is cheap: lancedb is imported only when the memory is opened.
"""

from wits_tui.engine.memory.facade import Memory
from wits_tui.engine.memory.records import (
    Hit,
    MemoryBroken,
    MemoryMaintenanceError,
    MemoryStats,
    MemoryStatus,
    PruneProgress,
    PruneResult,
    Recall,
    ReembedProgress,
    Segment,
)
from wits_tui.engine.memory.repair import repair

__all__ = [
    "Memory", "Hit", "MemoryBroken", "MemoryMaintenanceError", "MemoryStats", "MemoryStatus", "PruneProgress",
    "PruneResult", "Recall", "ReembedProgress", "Segment", "repair",
]
