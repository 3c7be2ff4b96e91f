"""`wits memory add|stats|search|prune|export|repair|reembed`."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from wits_tui.cli.context import Context, fail, print_json, print_table
from wits_tui.engine.memory.pruning import STRATEGIES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("memory", help="long-term memory: stats, search, prune, export, repair")
    msub = p.add_subparsers(dest="memory_command", metavar="ACTION", required=True)
    s = msub.add_parser("add", help="keep a note in long-term memory (like /remember); `-` reads it from stdin")
    s.add_argument("text", nargs="+", metavar="TEXT", help="the note, or - to read it from stdin")
    s.add_argument("--json", action="store_true", help="print the stored segment as JSON")
    s = msub.add_parser("stats", help="segments, size on disk, cap, last prune")
    s.add_argument("--json", action="store_true", help="print JSON")
    s = msub.add_parser("search", help="segments matching TEXT by meaning or exact words")
    s.add_argument("text", metavar="TEXT")
    s.add_argument("-n", "--limit", type=int, default=10, metavar="N", help="how many (default 10)")
    s.add_argument("--json", action="store_true", help="print JSON")
    s = msub.add_parser("prune", help="remove segments until the size is comfortably under the threshold")
    s.add_argument("strategy", nargs="?", choices=STRATEGIES, help="default: memory.pruning_strategy")
    s.add_argument("--json", action="store_true", help="print JSON")
    s = msub.add_parser("export", help="every segment as JSON lines (text, kind, source, times, counts)")
    s.add_argument("--json", action="store_true", help="one JSON array instead of JSON lines")
    msub.add_parser("repair", help="move a damaged memory directory aside and start a fresh memory")
    s = msub.add_parser("reembed", help="embed every segment again with memory.embedding_model")
    p.set_defaults(handler=cmd_memory)


def cmd_memory(args: argparse.Namespace, ctx: Context) -> int:
    action = args.memory_command
    if action == "repair":
        from wits_tui.engine.memory import repair

        aside = repair(ctx.paths.memory_dir)
        print(f"moved {ctx.paths.memory_dir} to {aside}; a fresh memory starts on next use" if aside else "there is no memory directory: nothing to repair")
        return 0
    if not ctx.settings.memory.enabled:
        return fail("memory is switched off (memory.enabled = false in the config)")
    ctx.paths.ensure()
    memory = ctx.engine().memory
    assert memory is not None  # memory.enabled was checked above
    try:
        status = memory.open()
        if status.state == "broken":
            return fail(f"{status.message}\n  fix: {status.hint}")
        return _ACTIONS[action](args, memory)
    finally:
        memory.close()


def _add(args, memory) -> int:
    text = sys.stdin.read() if args.text == ["-"] else " ".join(args.text)
    if not text.strip():
        return fail("nothing to remember: give the note as TEXT, or pipe it with `-`", code=2)
    from wits_tui.engine.memory.records import MemoryWriteFailed

    try:
        segment = memory.run_sync(memory.remember(text.strip()))
    except MemoryWriteFailed as exc:  # a full disk, or another process kept memory busy: said, not a traceback
        return fail(f"not remembered: {str(exc).split(';')[0]}; {memory.status.hint}")
    if args.json:
        print_json(asdict(segment))
    else:
        print(f"remembered: {' '.join(segment.text.split())[:120]}")
    return 0


def _stats(args, memory) -> int:
    st = memory.stats()
    if args.json:
        print_json({**asdict(st), "size_mb": st.size_mb})
        return 0
    last = st.last_prune or {}
    rows = [
        ["status", st.status.state + (f" - {st.status.message}" if st.status.message else "")],
        ["segments", st.segments],
        ["on disk", f"{st.size_mb:.2f} MB of {st.cap_bytes / 1e6:g} MB (prunes at {st.threshold_bytes / 1e6:g} MB)"],
        ["embedding model", f"{st.embed_model or '-'} ({st.dim or '-'} dims){', vector index' if st.indexed else ''}"],
        ["last prune", f"{last['at'][:19]} {last['strategy']}: {last['removed']} removed"
         + ("" if last.get("ok") else f" FAILED: {last.get('error')}") if last else "never"],
    ]
    print_table(["", ""], rows)
    return 0


def _search(args, memory) -> int:
    hits = memory.run_sync(memory.search(args.text, args.limit))
    if args.json:
        print_json([asdict(h) for h in hits])
        return 0
    rows = [[h.segment.id[:8], h.segment.kind, h.segment.created_at[:10],
             "" if h.similarity is None else f"{h.similarity:.2f}", "" if h.text_score is None else f"{h.text_score:.1f}",
             h.segment.text[:120]] for h in hits]
    print_table(["id", "kind", "created", "similarity", "text score", "text"], rows, empty=f"nothing in memory matches {args.text!r}")
    return 0


def _prune(args, memory) -> int:
    result = memory.prune(args.strategy, progress=lambda p: print(f"{p.stage}: {p.removed}/{p.planned} removed", file=sys.stderr))
    if args.json:
        print_json({**asdict(result), "removed_ids": result.removed_ids})
    else:
        print(f"{result.strategy}: removed {result.removed} segments, {result.size_before / 1e6:.2f} MB -> {result.size_after / 1e6:.2f} MB")
    return 0 if result.ok else fail(result.error)


def _export(args, memory) -> int:
    segments = (asdict(s) for s in memory.export())
    if args.json:
        print_json(list(segments))
    else:
        for s in segments:
            sys.stdout.write(json.dumps(s, ensure_ascii=False) + "\n")
    return 0


def _reembed(args, memory) -> int:
    done = memory.run_sync(memory.reembed(lambda p: print(f"{p.done}/{p.total} embedded with {p.model}", file=sys.stderr)))
    if memory.status.state == "text_only":
        return fail(f"{memory.status.message}\n  fix: {memory.status.hint}")
    print(f"re-embedded {done} segments with {memory.settings.embedding_model}")
    return 0


_ACTIONS = {"add": _add, "stats": _stats, "search": _search, "prune": _prune, "export": _export, "reembed": _reembed}
