"""The schema of a module file (``modules/NAME.toml``): pydantic, imported only when a file is read.

Field for field the same as :class:`~wits_tui.engine.routing.modules.Module` (same names, same
defaults; ``tests/engine/routing/test_modules.py`` checks it), plus the rules and the descriptions.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from wits_tui.engine.routing.modules import NAME_PATTERN, Example, Module


class ExampleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: str = Field(min_length=1)
    completion: str = Field(min_length=1)


class ModuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN, description="Unique name, lower case (e.g. code_expert).")
    description: str = Field("", description="One line on what the module is for.")
    model: str | None = Field(None, description="Ollama model (default: chat.default_model).")
    system: str = Field("", description="System prompt.")
    options: dict[str, Any] = Field(default_factory=dict, description="Ollama options, e.g. temperature, num_ctx, top_p.")
    examples: list[ExampleSpec] = Field(default_factory=list, description="Few-shot examples sent before the conversation.")
    domains: list[str] = Field(default_factory=list, description="Domains this module serves (code, math, ...).")
    key: str | None = Field(None, description="Keyboard key for switching to it (1-9).")
    strength: float = Field(0.5, ge=0, le=1, description="How capable the module is relative to others (complex questions favour strong modules).")
    source: str = Field("built-in", description="Where the module was defined.")

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        if value is not None and not (len(value) == 1 and value in "123456789"):
            raise ValueError("must be one digit from 1 to 9")
        return value

    @field_validator("options")
    @classmethod
    def _options(cls, value: dict[str, Any]) -> dict[str, Any]:
        for k, v in value.items():
            if not isinstance(v, (int, float, str, bool, list)):
                raise ValueError(f"option {k!r} must be a number, string, boolean or list, got {type(v).__name__}")
        return value


def validate_module(data: dict[str, Any]) -> Module:
    """A :class:`Module` from a module file's (merged) table; raises pydantic's ValidationError."""
    spec = ModuleSpec.model_validate(data)
    values = {name: getattr(spec, name) for name in ModuleSpec.model_fields}
    values["examples"] = [Example(e.prompt, e.completion) for e in spec.examples]
    return Module(**values)
