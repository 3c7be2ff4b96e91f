"""`wits config path|show|validate`."""

from __future__ import annotations

import argparse
import json

from wits_tui.cli.context import Context, print_json
from wits_tui.settings import settings_doc


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="where the config file is, what it says, whether it is valid")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("path", help="print the config file's path")
    a.set_defaults(handler=cmd_path)
    a = actions.add_parser("show", help="print the effective settings as TOML, with what each one means")
    a.add_argument("--json", action="store_true", help="print JSON instead")
    a.set_defaults(handler=cmd_show)
    a = actions.add_parser("validate", help="check the config file and WITS_ variables")
    a.set_defaults(handler=cmd_validate)


def cmd_path(args: argparse.Namespace, ctx: Context) -> int:
    print(ctx.paths.config_file)
    return 0


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def to_toml(data: dict, docs: dict[str, str], path: str = "") -> str:
    """Settings as TOML, each key with its description as a comment.

    Values come first, then nested tables; an unset (None) value is shown as a comment,
    since TOML has no null."""
    out: list[str] = []
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    for key, value in data.items():
        if key in tables:
            continue
        dotted = f"{path}{key}"
        if docs.get(dotted):
            out.append(f"# {docs[dotted]}")
        out.append(f"# {key} is not set" if value is None else f"{key} = {_toml_value(value)}")
    for key, value in tables.items():
        dotted = f"{path}{key}"
        header = ".".join(json.dumps(p) if not p.replace("_", "").isalnum() else p for p in dotted.split("."))
        doc = f"# {docs[dotted]}\n" if docs.get(dotted) else ""
        out.append(f"\n{doc}[{header}]")
        body = to_toml(value, docs, f"{dotted}.")
        if body.strip():
            out.append(body.rstrip("\n"))
    return "\n".join(out).lstrip("\n") + "\n"


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    data = ctx.settings.model_dump(mode="json")
    if args.json:
        print_json(data)
    else:
        print(f"# effective settings (defaults < {ctx.paths.config_file} < WITS_* variables)")
        print(to_toml(data, dict(settings_doc())), end="")
    return 0


def cmd_validate(args: argparse.Namespace, ctx: Context) -> int:
    # Loading the context already validated everything; reaching here means it is valid.
    where = ctx.paths.config_file
    state = "" if where.exists() else " (no file: defaults in use)"
    print(f"{where}: valid{state}")
    return 0
