"""`wits docs add|list|update|remove|search`: document collections."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import Any

from wits_tui.cli.context import Context, fail, print_json, print_table

#: Skipped and failed files listed after an index run (all of them with --verbose).
SHOWN = 12


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("docs", help="document collections: index folders, answer from them with sources")
    dsub = p.add_subparsers(dest="docs_command", metavar="ACTION", required=True)
    s = dsub.add_parser("add", help="make a collection of folders/files (or add to one) and index it")
    s.add_argument("paths", nargs="+", metavar="PATH")
    s.add_argument("--name", help="the collection's name (default: the first folder's name)")
    s.add_argument("-v", "--verbose", action="store_true", help="list every skipped and failed file")
    s = dsub.add_parser("list", help="the collections: folders, files, passages, size")
    s.add_argument("--json", action="store_true", help="print JSON")
    s = dsub.add_parser("update", help="index what changed (all collections, or NAME)")
    s.add_argument("name", nargs="?", metavar="NAME")
    s.add_argument("-v", "--verbose", action="store_true", help="list every skipped and failed file")
    s = dsub.add_parser("remove", help="delete a collection and its passages (the files stay)")
    s.add_argument("name", metavar="NAME")
    dsub.add_parser("reembed", help="index every collection again with docs.embedding_model (after changing it)")
    s = dsub.add_parser("search", help="passages matching TEXT by meaning and words")
    s.add_argument("text", metavar="TEXT")
    s.add_argument("--in", dest="names", action="append", metavar="NAME", help="search this collection (default: all)")
    s.add_argument("-n", "--limit", type=int, default=8, metavar="N", help="how many (default 8)")
    s.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_docs)


def _docs(ctx: Context) -> Any:
    from wits_tui.engine.backends.ollama import OllamaBackend
    from wits_tui.engine.docs.facade import Docs

    return Docs(ctx.settings.docs, ctx.paths.docs_dir, ctx.store, OllamaBackend(ctx.settings.ollama))


def cmd_docs(args: argparse.Namespace, ctx: Context) -> int:
    docs = _docs(ctx)
    try:  # a DocsError is said by the CLI's main, like every WitsError
        return _ACTIONS[args.docs_command](args, docs)
    finally:
        docs.close()


def _index(docs: Any, name: str, verbose: bool) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.fields[name]}[/]"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("files · {task.fields[chunks]} passages · {task.fields[rate]}"), TimeRemainingColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("index", total=None, name=name, chunks=0, rate="scanning")

        def progress(p: Any) -> None:
            if p.stage == "indexing":
                bar.update(task, total=p.files_total, completed=p.files_done, chunks=p.chunks, rate=f"{p.files_per_s:.0f} files/s")
            else:
                bar.update(task, rate=p.stage)

        report = docs.run_sync(docs.index(name, progress))
    for title, items in (("skipped", report.skipped), ("failed (tried again on update)", report.failed)):
        if items:
            print(f"{title}:", file=sys.stderr)
            for path, reason in items[: None if verbose else SHOWN]:
                print(f"  {path}: {reason}", file=sys.stderr)
            if not verbose and len(items) > SHOWN:
                print(f"  … and {len(items) - SHOWN} more (--verbose lists them)", file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1


def _add(args: argparse.Namespace, docs: Any) -> int:
    coll = docs.add(args.paths, args.name)
    print(f"collection {coll.name}: {', '.join(coll.roots)}", file=sys.stderr)
    return _index(docs, coll.name, args.verbose)


def _update(args: argparse.Namespace, docs: Any) -> int:
    names = [docs.need(args.name).name] if args.name else [c.name for c in docs.collections()]
    if not names:
        return fail("there are no collections yet\n  fix: `wits docs add PATH --name NAME` makes one")
    return max(_index(docs, n, args.verbose) for n in names)


def _list(args: argparse.Namespace, docs: Any) -> int:
    from wits_tui.engine.clock import to_minute

    colls = docs.collections()
    stats = docs.stats() if colls else None
    if args.json:
        print_json({"collections": [asdict(c) for c in colls], "index": stats})
        return 0
    rows = [[c.name, "\n".join(c.roots), c.files, c.chunks, c.failed or "", to_minute(c.updated_at)] for c in colls]
    print_table(["name", "folders", "files", "passages", "failed", "updated (UTC)"], rows,
                empty="no collections yet: `wits docs add PATH --name NAME`")
    if stats:
        print(f"index: {stats['passages']} passages, {stats['size_bytes'] / 1e6:.1f} MB of {stats['cap_bytes'] / 1e6:g} MB "
              f"(docs.max_size_mb), embeddings {stats['embed_model']}")
        change = docs.model_change()
        if change:
            print(f"note: {change}", file=sys.stderr)
    return 0


def _reembed(args: argparse.Namespace, docs: Any) -> int:
    if not docs.collections():
        return fail("there are no collections yet\n  fix: `wits docs add PATH --name NAME` makes one")
    names = docs.forget_vectors()
    print(f"embedding every collection again with {docs.settings.embedding_model}", file=sys.stderr)
    return max(_index(docs, n, getattr(args, "verbose", False)) for n in names)


def _remove(args: argparse.Namespace, docs: Any) -> int:
    files = docs.remove(args.name)
    print(f"removed collection {args.name} ({files} files; the files themselves are untouched)")
    return 0


def _search(args: argparse.Namespace, docs: Any) -> int:
    names = args.names or [c.name for c in docs.collections()]
    for n in names:
        docs.need(n)
    if not names:
        return fail("there are no collections yet\n  fix: `wits docs add PATH --name NAME` makes one")
    found, mode = docs.run_sync(docs.search(names, args.text, args.limit))
    if args.json:
        print_json({"mode": mode, "passages": [{**asdict(p), "location": p.location} for p in found]})
        return 0
    if mode != "hybrid":
        print(f"wits: searched by words only (embedding model {docs.embed_model} did not answer)", file=sys.stderr)
    rows = [[p.location, p.heading, " ".join(p.text.split())[:100]] for p in found]
    print_table(["where", "section", "text"], rows, empty=f"nothing matches {args.text!r}")
    return 0


_ACTIONS = {"add": _add, "list": _list, "update": _update, "remove": _remove, "search": _search, "reembed": _reembed}
