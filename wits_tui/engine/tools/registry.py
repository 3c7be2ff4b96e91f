"""Calling tools safely: validate first, teach the model on a bad call, never crash."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from pydantic import ValidationError

from wits_tui.engine.tools.base import Tool, ToolContext, ToolFailed, ToolOutcome

log = logging.getLogger("wits.tools")


def _dumps(data: Any) -> str:
    try:
        return json.dumps(data, ensure_ascii=False, default=str)
    except RecursionError:
        return '"(nested too deeply to show)"'


def _expected(field: dict[str, Any]) -> str:
    parts = []
    kind = field.get("type") or " or ".join(x.get("type", "?") for x in field.get("anyOf", []))
    if kind:
        parts.append(kind)
    for key, word in (("minimum", ">="), ("maximum", "<="), ("exclusiveMinimum", ">"), ("exclusiveMaximum", "<"),
                      ("minLength", "length >="), ("maxLength", "length <=")):
        if key in field:
            parts.append(f"{word} {field[key]}")
    return ", ".join(parts) or "see the description"


class ToolRegistry:
    def __init__(self, tools: tuple[Tool, ...] | list[Tool], *, timeout_s: float = 10.0) -> None:
        self.tools = {t.name: t for t in tools}
        self.timeout_s = timeout_s

    def names(self) -> list[str]:
        return list(self.tools)

    def schemas(self, enabled: list[str] | None = None) -> list[dict[str, Any]]:
        return [t.schema() for name, t in self.tools.items() if enabled is None or name in enabled]

    # -- the message a model gets for a bad call --------------------------------
    def _invalid(self, tool: Tool, problems: list[dict[str, str]]) -> str:
        return _dumps({
            "error": "invalid_arguments",
            "tool": tool.name,
            "problems": problems,
            "example_call": {"name": tool.name, "arguments": tool.example},
            "hint": "call the tool again with arguments that match its parameters",
        })

    def validation_problems(self, tool: Tool, exc: ValidationError) -> list[dict[str, str]]:
        props = tool.args.model_json_schema().get("properties", {})
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "(arguments)"
            top = str(err["loc"][0]) if err["loc"] else ""
            expected = "no such parameter" if err["type"] == "extra_forbidden" else _expected(props.get(top, {}))
            problems.append({"field": field, "problem": err["msg"], "expected": expected,
                             "got": _dumps(err.get("input"))[:80] if err["type"] != "missing" else "(missing)"})
        return problems

    def parse_arguments(self, raw: Any) -> tuple[dict[str, Any] | None, str | None]:
        if isinstance(raw, dict):
            return raw, None
        if raw is None or raw == "":
            return {}, None
        if isinstance(raw, str):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                return None, f"the arguments are not valid JSON: {exc.msg} at position {exc.pos}"
            except RecursionError:
                return None, "the arguments are nested too deeply"
            if isinstance(value, dict):
                return value, None
        return None, "the arguments must be a JSON object"

    async def call(self, name: str, raw_arguments: Any, ctx: ToolContext) -> ToolOutcome:
        started = time.perf_counter()

        def done(ok: bool, content: str, error_type: str | None = None, arguments: Any = raw_arguments) -> ToolOutcome:
            return ToolOutcome(name, arguments, ok, content, error_type, (time.perf_counter() - started) * 1000)

        tool = self.tools.get(name)
        if tool is None:
            return done(False, _dumps({"error": "unknown_tool", "tool": name, "available_tools": self.names(),
                                       "hint": "call one of the available tools by its exact name"}), "unknown_tool")
        arguments, problem = self.parse_arguments(raw_arguments)
        if arguments is None:
            return done(False, self._invalid(tool, [{"field": "(arguments)", "problem": problem or "", "expected": "a JSON object",
                                                     "got": _dumps(raw_arguments)[:80]}]), "invalid_arguments")
        try:
            args = tool.args.model_validate(arguments)
        except RecursionError:
            return done(False, self._invalid(tool, [{"field": "(arguments)", "problem": "nested too deeply",
                                                     "expected": "a flat JSON object", "got": "(deep)"}]), "invalid_arguments")
        except ValidationError as exc:
            return done(False, self._invalid(tool, self.validation_problems(tool, exc)), "invalid_arguments", arguments)
        try:
            result = await asyncio.wait_for(tool.run(args, ctx), self.timeout_s)
        except ToolFailed as exc:
            return done(False, _dumps({"error": "tool_failed", "tool": name, "message": str(exc)}), "tool_failed", arguments)
        except TimeoutError:
            return done(False, _dumps({"error": "timeout", "tool": name, "message": f"no result within {self.timeout_s:g} s"}),
                        "timeout", arguments)
        except Exception as exc:  # noqa: BLE001 - a tool bug becomes an error result; the traceback goes to the log
            log.exception("tool %s failed with arguments %r", name, arguments)
            return done(False, _dumps({"error": "tool_error", "tool": name, "error_type": type(exc).__name__,
                                       "arguments": arguments, "message": str(exc)[:300]}), "tool_error", arguments)
        return done(True, _dumps(result), None, arguments)
