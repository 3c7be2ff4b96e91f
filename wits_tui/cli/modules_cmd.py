"""`wits modules list|show NAME|train NAME --data FILE [--validation FILE]` (also `wits module ...`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from wits_tui.cli.context import Context, fail, print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("modules", aliases=["module"], help="the specialist modules: list, show, train")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    a = actions.add_parser("list", help="modules with their keys, models and domains")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(handler=cmd_list)

    a = actions.add_parser("show", help="everything about one module")
    a.add_argument("name", help="module name or key")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(handler=cmd_show)

    a = actions.add_parser("train", help="build a specialised module from prompt/completion pairs (JSON lines)")
    a.add_argument("name", help="module name or key")
    a.add_argument("--data", required=True, type=Path, metavar="FILE", help='training pairs, one {"prompt": ..., "completion": ...} per line')
    a.add_argument("--validation", type=Path, metavar="FILE", help="pairs to score the trained module on")
    a.add_argument("--json", action="store_true", help="print the stored report as JSON")
    a.set_defaults(handler=cmd_train)


def _registry(ctx: Context):
    from wits_tui.engine.routing.registry import ModuleRegistry

    registry = ModuleRegistry.load(ctx.settings, ctx.paths, ctx.store)
    for err in registry.errors:
        print(f"wits: warning: {err.render()}", file=sys.stderr)
    return registry


def _find(registry, ref: str):
    from wits_tui.engine.routing.registry import UnknownModule

    try:
        return registry.find(ref)
    except UnknownModule as exc:
        raise SystemExit(fail(str(exc), code=2)) from None


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    registry = _registry(ctx)
    mods = registry.all()
    if args.json:
        print_json([{**m.as_dict(), "model": registry.model_of(m), "trained": m.name in registry.training} for m in mods])
        return 0
    rows = [[m.key or "", m.name, registry.model_of(m), ", ".join(m.domains), "yes" if m.name in registry.training else "",
             "built-in" if m.source == "built-in" else Path(m.source).name] for m in mods]
    print_table(["key", "module", "model", "domains", "trained", "from"], rows)
    return 0


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    registry = _registry(ctx)
    m = _find(registry, args.name)
    record = registry.training.get(m.name)
    if args.json:
        print_json({**m.as_dict(), "model": registry.model_of(m), "training": record.report if record else None})
        return 0
    print(f"{m.name}  (key {m.key or '-'}, from {m.source})")
    print(f"  {m.description}" if m.description else "", end="\n" if m.description else "")
    print(f"  model:    {registry.model_of(m)}{'' if m.model else ' (chat.default_model)'}")
    print(f"  domains:  {', '.join(m.domains) or '-'}")
    print(f"  strength: {m.strength}")
    print(f"  options:  {m.options or '-'}")
    print(f"  examples: {len(m.examples)} few-shot")
    print(f"  system:   {m.system or '-'}")
    if record:
        v = record.report.get("validation")
        score = f"exact {v['exact_match']:.0%}, similarity {v['mean_similarity']:.2f} on {v['n']}" if isinstance(v, dict) else (v or "no validation data")
        print(f"  trained:  {record.trained_at[:19]} with {len(record.examples)} examples; model {record.report.get('derived_model')}; {score}")
    return 0


def cmd_train(args: argparse.Namespace, ctx: Context) -> int:
    from wits_tui.engine.routing.training import TrainingDataError, progress_line, train_module

    registry = _registry(ctx)
    module = _find(registry, args.name)
    engine = ctx.engine()

    async def go():
        try:
            return await train_module(module.name, registry=registry, store=ctx.store, backend=engine.backend, data=args.data,
                                      validation=args.validation, on_progress=lambda p: print(progress_line(p), file=sys.stderr))
        finally:
            await engine.backend.close()

    try:
        record = asyncio.run(go())
    except TrainingDataError as exc:
        return fail(str(exc), code=2)
    if args.json:
        print_json(record.report)
        return 0
    report = record.report
    print(f"trained {module.name}: {report['examples']} examples; model: {report.get('derived_model')}")
    v = report.get("validation")
    if isinstance(v, dict):
        print(f"validation on {v['n']}: exact match {v['exact_match']:.1%}, mean similarity {v['mean_similarity']:.3f}, "
              f"p50 {v['p50_ms']} ms, failures {v['failures']}")
    elif v:
        print(f"validation: {v}")
    return 0
