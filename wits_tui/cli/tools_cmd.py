"""`wits tools list [--json]` and `wits tools call NAME --args JSON`: debugging tools by hand."""

from __future__ import annotations

import argparse
import asyncio
import json

from wits_tui.cli.context import Context, fail, print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tools", help="the tools models can call: list them, or call one by hand")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("list", help="the tools, with their parameters")
    a.add_argument("--json", action="store_true", help="print the JSON schemas models get")
    a.set_defaults(handler=cmd_list)
    a = actions.add_parser("call", help="call a tool: prints its result, or what a model would be told about a bad call")
    a.add_argument("name", help="tool name")
    a.add_argument("--args", default="{}", metavar="JSON", help="the arguments as a JSON object (default {})")
    a.set_defaults(handler=cmd_call)


def _registry(ctx: Context):
    from wits_tui.engine.tools import BUILTINS, ToolRegistry

    return ToolRegistry(BUILTINS, timeout_s=ctx.settings.tools.timeout_s)


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    registry = _registry(ctx)
    off = set(ctx.settings.tools.disabled)
    if args.json:
        print_json(registry.schemas())
        return 0
    rows = []
    for tool in registry.tools.values():
        schema = tool.args.model_json_schema()
        required = set(schema.get("required", []))
        params = ", ".join(f"{n}{'' if n in required else '?'}: {p.get('type', '?')}" for n, p in schema.get("properties", {}).items())
        rows.append([tool.name, "off" if tool.name in off or not ctx.settings.tools.enabled else "on", params, tool.description])
    print_table(["tool", "state", "parameters (? = optional)", "what it does"], rows)
    return 0


def cmd_call(args: argparse.Namespace, ctx: Context) -> int:
    from wits_tui.engine.textsafe import terminal_safe
    from wits_tui.engine.tools import ToolContext

    registry = _registry(ctx)
    context = ToolContext(allowed_dirs=list(ctx.settings.tools.allowed_dirs))
    outcome = asyncio.run(registry.call(args.name, args.args, context))
    text = json.dumps(json.loads(outcome.content), indent=2, ensure_ascii=False)
    if outcome.ok:
        print(terminal_safe(text))
        return 0
    if outcome.error_type in ("invalid_arguments", "unknown_tool"):
        print(terminal_safe(text))
        return fail(f"{outcome.error_type.replace('_', ' ')} for {args.name} (the model gets the message above)", code=2)
    print(terminal_safe(text))
    return fail(f"{args.name} failed: {json.loads(outcome.content).get('message', outcome.error_type)}", code=1)
