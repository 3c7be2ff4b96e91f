"""Tools the model can call: a registry of validated, safe built-ins."""

from wits_tui.engine.tools.base import Args, Tool, ToolContext, ToolFailed, ToolOutcome
from wits_tui.engine.tools.builtins import BUILTINS
from wits_tui.engine.tools.registry import ToolRegistry

__all__ = ["Args", "BUILTINS", "Tool", "ToolContext", "ToolFailed", "ToolOutcome", "ToolRegistry"]
