"""The model options ``/set`` accepts, validated (pydantic; ``session_params`` imports this when it validates)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: Ollama duration syntax: "5m", "1h30m", "0" (unload at once), "-1" (keep loaded), or seconds.
_DURATION = re.compile(r"^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h)?)+$")


class ModelOptions(BaseModel):
    """The options ``/set`` accepts (each None when not set)."""

    model_config = ConfigDict(extra="forbid")

    temperature: float | None = Field(None, ge=0, le=2, description="randomness, 0 (focused) to 2 (wild)")
    top_p: float | None = Field(None, gt=0, le=1, description="nucleus sampling share, above 0 up to 1")
    top_k: int | None = Field(None, ge=1, le=1000, description="sample from the k likeliest tokens")
    num_ctx: int | None = Field(None, ge=256, le=10_000_000, description="context window in tokens")
    seed: int | None = Field(None, description="a fixed seed for repeatable answers")
    num_predict: int | None = Field(None, ge=-2, description="most tokens to generate (-1: no limit)")
    keep_alive: str | None = Field(None, description="how long the model stays loaded (5m, 1h, 0, -1)")

    @field_validator("keep_alive")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None and not _DURATION.match(value.strip()):
            raise ValueError("must be a duration such as 30s, 5m, 1h30m, 0 (unload at once) or -1 (keep loaded)")
        return value.strip() if value is not None else None
