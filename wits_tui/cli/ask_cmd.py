"""`wits ask "question"`: one answer, streamed to stdout."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from contextlib import aclosing
from typing import IO

from wits_tui.cli.context import Context, fail


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ask",
        help="ask one question; the answer streams to stdout",
        description="Ask one question. Text on stdin is added to the question (e.g. `git diff | wits ask review this`). "
        "Each question starts a new session, unless --session or --continue names one; the session is said on "
        "stderr when the answer ends (`wits sessions list`, or open it with `wits chat --session ID`).",
    )
    p.add_argument("question", nargs="*", help="the question (or pipe it on stdin)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("-s", "--session", metavar="ID", help="continue this session (id or title); default: a new session")
    where.add_argument("-c", "--continue", dest="cont", action="store_true",
                       help="continue the session of the last `wits ask`")
    p.add_argument("-m", "--model", help="model to ask (default: the session's, else chat.default_model)")
    p.add_argument("--json", action="store_true",
                   help="print the engine's events as JSON lines (kinds in the README: thinking, token, context, done, ...)")
    p.add_argument("--system", metavar="TEXT",
                   help="a system prompt for the session, added after the module's (kept in the session, like /system)")
    p.add_argument("--set", dest="options", metavar="NAME=VALUE", action="append", default=[],
                   help="a model option for the session, like /set: temperature, top_p, top_k, num_ctx, seed, "
                   "num_predict, keep_alive (repeatable)")
    p.add_argument("--think", metavar="on|off|low|medium|high",
                   help="thinking for the session, like /think (models that can think)")
    p.add_argument("--hide-thinking", action="store_true", help="do not print what a thinking model thinks (stderr, dimmed)")
    p.add_argument("--memory", action="store_true",
                   help="recall long-term memory into the prompt and remember the exchange (opening it takes about a second)")
    p.add_argument("--docs", action="append", metavar="NAME",
                   help="answer from this document collection, citing its passages (repeatable)")
    p.add_argument("-a", "--attach", action="append", metavar="FILE", default=[],
                   help="send an image (vision models) or a text file with the question (repeatable)")
    p.set_defaults(handler=cmd_ask, settles_itself=True)


def _question(args: argparse.Namespace) -> str:
    from wits_tui.engine.textsafe import REPLACED_NOTE, decode_input

    text = " ".join(args.question).strip()  # arguments were made valid by main()
    if not sys.stdin.isatty():
        raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8", "surrogateescape")
        piped, replaced = decode_input(raw)
        piped = piped.strip()
        if replaced:
            print(f"wits: note: {REPLACED_NOTE} (stdin)", file=sys.stderr)
        if piped:
            text = f"{text}\n\n{piped}" if text else piped
    return text


def cmd_ask(args: argparse.Namespace, ctx: Context) -> int:
    question = _question(args)
    if not question:
        return fail('nothing to ask: give a question (wits ask "...") or pipe text on stdin', code=2)
    from wits_tui.cli import heap
    from wits_tui.engine.build import EngineOptions
    from wits_tui.engine.store import SessionNotFound

    engine = ctx.engine(EngineOptions(use_memory=args.memory))
    engine.backend  # noqa: B018 - imports the client now, so start-up ends here
    heap.settle()
    if len(question) > ctx.settings.chat.max_message_chars:
        from wits_tui.engine.oversized import too_long

        err = too_long(engine, question)
        return fail(f"{err.message}; {err.hint}", code=2)
    store = engine.store
    if args.model:
        problem = asyncio.run(_missing_model(engine, args.model))
        if problem:
            return fail(problem, code=2)
    try:
        params = _params(args)
    except ValueError as exc:
        import re

        return fail(re.sub(r"/set (\w+) (\S+)\)", r"--set \1=\2)", str(exc)), code=2)
    attachments = []
    for path in args.attach:  # checked before a session is made for them
        from wits_tui.engine.errors import AttachmentProblem

        try:
            attachments.append(engine.attach(path, args.model or ctx.settings.chat.default_model))
        except AttachmentProblem as exc:
            return fail(exc.describe(), code=2)
    try:
        session = _session(store, args)
    except SessionNotFound as exc:
        return fail(str(exc), code=2)
    _apply(store, session.id, params)
    store.state.set(LAST_ASK, str(session.id))
    store.history.add(question, session.id)
    if args.docs:
        from wits_tui.engine.docs.session import attached, set_attached

        missing = [n for n in args.docs if store.docs.get(n) is None]
        if missing:
            return fail(f"there is no collection {missing[0]!r}; `wits docs list` shows them", code=2)
        set_attached(store, session.id, [*attached(store, session.id), *args.docs])
    state = {"code": 0, "tokens": False}
    try:
        asyncio.run(_stream(engine, session.id, question, args, state, attachments))
    except KeyboardInterrupt:
        if state["tokens"] and not args.json:
            sys.stdout.write("\n")
        sys.stdout.flush()
        return fail(f"interrupted: the partial answer is kept in session {session.id}", code=130)
    if sys.stderr.isatty():
        print(f"wits: session {session.id} (`wits ask -c` continues it)", file=sys.stderr)
    return state["code"]


LAST_ASK = "last_ask_session"


def cli_hint(hint: str) -> str:
    """An engine hint as the command line says it: the TUI's slash commands become the
    flag or shell command that does the same here (``with /model`` -> ``with --model``)."""
    import re

    hint = re.sub(r"\s*\(or /pull [^)]*\)", "", hint)
    return hint.replace("with /model", "with --model")


def _params(args: argparse.Namespace) -> dict:
    """--system, --set and --think, validated before anything is written."""
    from wits_tui.engine.session_params import parse_option, parse_think

    options = {}
    for item in args.options:
        name, eq, raw = item.partition("=")
        if not eq:
            raise ValueError(f"--set takes NAME=VALUE, not {item!r} (e.g. --set temperature=0.2)")
        options[name.strip().lower()] = parse_option(name, raw)
    think = parse_think(args.think) if args.think else None
    return {"system": args.system, "options": options, "think": think}


def _apply(store, session_id: int, params: dict) -> None:
    if params["system"]:
        store.sessions.set_system(session_id, params["system"])
    if params["options"]:
        current = store.sessions.get(session_id).option_values()
        store.sessions.set_options(session_id, {**current, **params["options"]})
    if params["think"]:
        store.sessions.set_think(session_id, params["think"])


def _session(store, args: argparse.Namespace):
    """The session the answer goes to: --session, --continue (the last ask's), or a new one."""
    if args.session:
        return store.sessions.find(args.session)
    if args.cont:
        last = store.state.get(LAST_ASK)
        if last is not None:
            try:
                return store.sessions.find(last)
            except LookupError:
                pass  # deleted since: start a new one
    return store.sessions.create(model=args.model)


async def _missing_model(engine, model: str) -> str | None:
    """Why ``--model`` cannot answer (not installed), or None; a server that cannot be
    asked is left to the turn, which says so with its fix."""
    from wits_tui.engine.backends.base import BackendError
    from wits_tui.engine.model_check import missing_model

    try:
        installed = [m.name for m in await engine.list_models()]
    except BackendError:
        return None
    finally:
        await engine.backend.close()
    return missing_model(model, installed, choose="--model", pull="`ollama pull {model}`")



async def _stream(engine, session_id: int, question: str, args: argparse.Namespace, state: dict, attachments: list) -> None:
    from wits_tui.engine.catalog import trimmed_notice
    from wits_tui.engine.docs.retrieval import sources_text
    from wits_tui.engine.events import ContextInfo, DocsUsed, Fallback, Stalled, Thinking, Token, TurnDone, TurnError, event_to_dict
    from wits_tui.engine.stall import notice
    from wits_tui.engine.textsafe import terminal_safe

    out = sys.stdout
    sources = None
    if engine.use_memory and engine.memory is not None:
        status = await asyncio.to_thread(engine.memory.open)
        if status.state == "broken":
            print(f"wits: memory is unavailable: {status.message}; {status.hint}", file=sys.stderr)
    try:
        async with aclosing(engine.turn(session_id, question, model=args.model, attachments=attachments)) as events:
            async for ev in events:
                if args.json:
                    out.write(json.dumps(event_to_dict(ev), default=str, ensure_ascii=False) + "\n")
                    out.flush()
                    if isinstance(ev, TurnError):
                        state["code"] = 1
                    continue
                if isinstance(ev, Thinking):
                    if not args.hide_thinking and engine.settings.chat.show_thinking:
                        _think_out(terminal_safe(ev.text))
                    state["thought"] = True
                elif isinstance(ev, Token):
                    if state.pop("thought", False) and not args.hide_thinking and engine.settings.chat.show_thinking:
                        _think_out("\n\n")
                    out.write(terminal_safe(ev.text))  # the stored answer keeps what the model sent
                    out.flush()
                    state["tokens"] = True
                    state["mid_line"] = True
                elif isinstance(ev, ContextInfo) and ev.estimated and ev.trimmed:
                    print("wits: " + trimmed_notice(ev.trimmed, ev.window, ev.trained).replace("/set num_ctx ", "--set num_ctx="),
                          file=sys.stderr)
                elif isinstance(ev, DocsUsed):
                    sources = ev
                    for note in ev.notes:
                        print(f"wits: {note}", file=sys.stderr)
                elif isinstance(ev, Fallback):
                    print(terminal_safe(f"wits: {ev.from_model} failed ({ev.reason}); trying {ev.to_model}"), file=sys.stderr)
                elif isinstance(ev, Stalled):  # on stderr: stdout holds only the answer
                    print(f"{chr(10) if state.pop('mid_line', False) and _shared_with_stderr(out) else ''}wits: {ev.model}: "
                          f"{notice(ev, 'Ctrl+C stops')}; still waiting", file=sys.stderr)
                elif isinstance(ev, TurnDone):
                    if not ev.text.endswith("\n"):
                        out.write("\n")
                    if sources is not None and sources.passages:
                        out.write(sources_text(sources.passages))
                elif isinstance(ev, TurnError):
                    if state["tokens"]:
                        out.write("\n")
                        out.flush()
                    kept = f" (partial answer kept in session {session_id})" if ev.partial_text else ""
                    print(terminal_safe(f"wits: {ev.message}{kept}; {cli_hint(ev.hint)}"), file=sys.stderr)
                    state["code"] = 1
    finally:
        await engine.aclose()  # waits for the memory write, closes the client
        if args.memory and engine.memory is not None and engine.memory.last_error:
            # a lost memory write is said, never silent (e.g. a full disk); the answer itself is saved
            print(f"wits: the exchange was not remembered: {engine.memory.last_error.split(';')[0]}; "
                  f"{engine.memory.status.hint}", file=sys.stderr)
            state["code"] = state["code"] or 1


def _shared_with_stderr(out: IO[str]) -> bool:
    """stdout and stderr end up in one place (a terminal, `2>&1`): a note on stderr needs its own line."""
    import os

    try:
        a, b = os.fstat(out.fileno()), os.fstat(sys.stderr.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino) or (out.isatty() and sys.stderr.isatty())


def _think_out(text: str) -> None:
    """Thinking goes to stderr (dimmed on a terminal), so stdout holds only the answer."""
    err = sys.stderr
    err.write(f"\x1b[2m{text}\x1b[0m" if err.isatty() else text)
    err.flush()
