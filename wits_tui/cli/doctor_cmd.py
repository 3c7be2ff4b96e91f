"""`wits doctor`: is everything in place? One row per check, with the fix."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from dataclasses import asdict, dataclass

from wits_tui.cli.context import Context, print_json


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    warn: bool = False  # not broken, but worth knowing


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check config, data dir, database, Ollama and models; print fixes")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--salvage", action="store_true",
                   help="copy what can still be read from a damaged database into a fresh one (the damaged file is kept)")
    p.set_defaults(handler=cmd_doctor)


def _writable(path) -> str | None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path):
            pass
    except OSError as exc:
        return str(exc)
    return None


def _same_model(a: str, b: str) -> bool:
    def norm(n: str) -> str:
        return n if ":" in n else f"{n}:latest"

    return norm(a) == norm(b)


def local_checks(ctx: Context) -> list[Check]:
    checks = [Check("config", True, f"{ctx.paths.config_file}" + ("" if ctx.paths.config_file.exists() else " (absent: defaults)"))]
    for label, path in (("data dir", ctx.paths.data_dir), ("log dir", ctx.paths.log_dir)):
        err = _writable(path)
        checks.append(Check(label, err is None, str(path) if err is None else err,
                            "" if err is None else f"make {path} writable, or set WITS_HOME to a writable directory"))
    from wits_tui.engine.store.db import classify

    salvage = "run `wits doctor --salvage`: it copies what can be read into a fresh database and keeps the damaged file"
    try:
        store = ctx.store
        result = store.db.execute("PRAGMA quick_check").fetchone()[0]
        from wits_tui.engine.store.migrations import MIGRATIONS, applied

        version = f"{len(applied(store.db))}/{len(MIGRATIONS)} migrations"
        checks.append(Check("database", result == "ok", f"{ctx.paths.database} ({version}, {result})",
                            "" if result == "ok" else salvage))
    except Exception as exc:  # noqa: BLE001 - reported as a failed check
        from wits_tui.engine.errors import DatabaseError

        kind = exc.fault if isinstance(exc, DatabaseError) else classify(exc)
        fix = {"full": "free disk space", "read_only": f"make {ctx.paths.data_dir} writable, or set WITS_HOME",
               "damaged": salvage}.get(kind, "see the detail")
        checks.append(Check("database", False, str(exc).split(". ")[0], fix))
    return checks


def cmd_salvage(ctx: Context) -> int:
    from wits_tui.cli.context import fail
    from wits_tui.engine.store.salvage import salvage

    if not ctx.paths.database.exists():
        return fail(f"there is no database at {ctx.paths.database}: nothing to salvage", code=2)
    report = salvage(ctx.paths.database)
    for table, n in report.copied.items():
        print(f"{table}: {n} rows copied" + (f" (some lost: {report.lost[table]})" if table in report.lost else ""))
    for table, why in report.lost.items():
        if table not in report.copied:
            print(f"{table}: could not be read ({why})")
    print(f"the damaged file is kept as {report.kept_aside}")
    return 0


async def ollama_checks(ctx: Context) -> list[Check]:
    from wits_tui.engine.errors import BackendError

    backend = ctx.engine().backend
    checks = []
    try:
        try:
            version = await backend.version()
        except BackendError as err:
            checks.append(Check("ollama", False, err.message, err.hint))
            return checks
        checks.append(Check("ollama", True, f"{backend.host}, version {version}"))
        try:
            installed = [m.name for m in await backend.list_models()]
        except BackendError as err:
            checks.append(Check("models", False, err.message, err.hint))
            return checks
        chat = ctx.settings.chat
        wanted = [("default model", chat.default_model)] + [("fallback model", m) for m in chat.fallback_models]
        for label, model in wanted:
            present = any(_same_model(model, name) for name in installed)
            checks.append(Check(f"{label} {model}", present, "installed" if present else "not installed",
                                "" if present else f"ollama pull {model}"))
        if ctx.settings.memory.enabled:
            model = ctx.settings.memory.embedding_model
            present = any(_same_model(model, name) for name in installed)
            checks.append(Check(f"embedding model {model}", True, "installed" if present else "not installed: memory uses full-text search only",
                                "" if present else f"ollama pull {model}", warn=not present))
    finally:
        await backend.close()
    return checks


def cmd_doctor(args: argparse.Namespace, ctx: Context) -> int:
    if args.salvage:
        return cmd_salvage(ctx)
    checks = local_checks(ctx) + asyncio.run(ollama_checks(ctx))
    broken = [c for c in checks if not c.ok]
    if args.json:
        print_json({"ok": not broken, "checks": [asdict(c) for c in checks]})
    else:
        from wits_tui.cli.context import print_table

        def status(c: Check) -> str:
            return "FAIL" if not c.ok else ("warn" if c.warn else "ok")

        print_table(["check", "status", "detail", "fix"], [[c.name, status(c), c.detail, c.fix] for c in checks])
        if broken:
            print(f"\n{len(broken)} problem{'s' if len(broken) > 1 else ''} found.")
        else:
            print("\nAll good.")
    return 1 if broken else 0
