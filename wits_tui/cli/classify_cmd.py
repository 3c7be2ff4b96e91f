"""`wits classify "TEXT" [--json] [--keywords-only]`: the routing decision for a message."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from wits_tui.cli.context import Context, fail, print_json

if TYPE_CHECKING:
    from wits_tui.engine.routing.router import Route


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("classify", help="which domain and module a message would be routed to, and why")
    p.add_argument("text", nargs="*", help="the message (or pipe it on stdin)")
    p.add_argument("--keywords-only", action="store_true", help="do not ask the model server for embeddings")
    p.add_argument("--json", action="store_true", help="print JSON")
    # the collector stays off until the route is built (a cold keyword-only run is mostly imports,
    # and a collection in the middle walks all of them again): see wits_tui.cli.heap
    p.set_defaults(handler=cmd_classify, settles_itself=True)


def cmd_classify(args: argparse.Namespace, ctx: Context) -> int:
    text = " ".join(args.text).strip()
    if not text and not sys.stdin.isatty():
        text = sys.stdin.read().strip()
    if not text:
        return fail('nothing to classify: give a message (wits classify "...") or pipe it on stdin', code=2)
    from wits_tui.cli import heap

    if args.keywords_only:
        route = _route_by_keywords(text, ctx)
        heap.settle()
    else:
        heap.settle()  # embedding the example bank can take a while: collect meanwhile
        route = _route(text, ctx)
    d = route.decision
    assert d is not None
    if args.json:
        print_json({**d.to_dict(), "module": route.module.name, "model": route.model, "complexity": route.complexity,
                    "ranking": [{"module": r.module, "score": r.score, "reason": r.reason} for r in route.ranking]})
        return 0
    print(f"domain:     {d.domain}  (confidence {d.confidence:.2f}, {d.method})")
    if d.fell_back:
        print(f"            best guess was {d.top_domain} at {d.scores[d.top_domain]:.2f}, below its threshold")
    print(f"module:     {route.module.name}  (model {route.model})")
    print(f"complexity: {route.complexity:.2f}")
    if d.note:
        print(f"note:       {d.note}")
    rows = [[n, f"{d.scores[n]:.3f}", f"{d.keyword_scores[n]:.3f}", "" if d.semantic_scores is None else f"{d.semantic_scores[n]:.3f}"]
            for n in sorted(d.scores, key=d.scores.__getitem__, reverse=True)]
    _plain_table(["domain", "score", "keywords", "similarity"], rows)
    return 0


def _route_by_keywords(text: str, ctx: Context) -> "Route":
    """Keywords only, cold and quick: no model client, no event loop, and the three tables
    routing reads through plain sqlite3 (the Store only when the file needs a migration)."""
    from wits_tui.engine.routing.router import Router
    from wits_tui.engine.store.reader import StoreReader

    reader = StoreReader.open(ctx.paths.database)
    try:
        return Router(ctx.settings, ctx.paths, reader or ctx.store, None).route_by_keywords(text)
    finally:
        if reader is not None:
            reader.close()


def _route(text: str, ctx: Context) -> "Route":
    import asyncio

    from wits_tui.engine.routing.router import Router

    backend = ctx.engine().backend
    router = Router(ctx.settings, ctx.paths, ctx.store, backend)

    async def go() -> "Route":
        try:
            return await router.route(text)
        finally:
            await backend.close()

    return asyncio.run(go())


def _plain_table(columns: list[str], rows: list[list[str]]) -> None:
    """Six short rows: aligned plain text (rich's console alone costs ~40 ms of a cold start)."""
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    print()
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    print("  ".join("─" * w for w in widths))
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
