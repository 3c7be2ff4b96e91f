"""Exporting a session (Markdown, JSON, HTML) and importing a JSON export.

A JSON export holds every message, recorded event and metric; importing it
creates a new session with the same content (ids are renumbered), so
export -> import -> export loses nothing. A bad file imports nothing.
"""

from __future__ import annotations

import html
import json
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from wits_tui.engine.clock import now_iso, to_minute
from wits_tui.engine.session_params import validate_options
from wits_tui.engine.store.tx import transaction
from wits_tui.engine.transfer_format import FORMAT, VERSION, SessionFile
from wits_tui.engine.transfer_sources import SOURCES_CSS, insert_sources, sources_html, sources_markdown

if TYPE_CHECKING:
    from wits_tui.engine.attachments import Blobs
    from wits_tui.engine.store import Store

#: Keys inside recorded event data that point at message ids.
_MESSAGE_KEYS = ("message_id", "user_message_id")


class ImportProblem(ValueError):
    """The file cannot be imported; the message names the line or field and what is wrong."""


def _message_row(m: Any) -> dict[str, Any]:
    return {k: v for k, v in asdict(m).items() if k != "session_id" and not (k in ("attachments", "sources") and not v)}


def _blobs(messages: list[Any], blobs: "Blobs | None") -> dict[str, str]:
    import base64

    if blobs is None:
        return {}
    wanted = {a.sha256 for m in messages for a in m.attachments}
    return {sha: base64.b64encode(blobs.get(sha)).decode("ascii") for sha in sorted(wanted) if blobs.has(sha)}


def export_dict(store: "Store", session_id: int, blobs: "Blobs | None" = None) -> dict[str, Any]:
    """The session as the JSON export holds it; with ``blobs``, the attachments' contents too."""
    session = store.sessions.get(session_id)
    row = asdict(session)
    row.pop("message_count", None)
    row["options"] = session.option_values() or None
    metrics = [{k: v for k, v in m.items() if k not in ("id", "session_id")} for m in store.metrics.for_session(session_id)]
    messages = store.messages.list(session_id, branches=True)
    found = _blobs(messages, blobs)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now_iso(),
        "session": row,
        # every branch: the turns an edit replaced are kept (superseded_by says which question replaced them)
        "messages": [_message_row(m) for m in messages],
        "events": [
            {"turn": e.turn, "seq": e.seq, "t_ms": e.t_ms, "kind": e.kind, "data": e.data}
            for e in store.recordings.for_session(session_id)
        ],
        "metrics": metrics,
        **({"blobs": found} if found else {}),
    }


def export_json(store: "Store", session_id: int, blobs: "Blobs | None" = None) -> str:
    return json.dumps(export_dict(store, session_id, blobs), ensure_ascii=False, indent=1) + "\n"


def attachment_line(m: Any) -> str:
    """"📎 cat.png (image, 12,345 bytes) · notes.md (text, 1,024 bytes)" for a message's attachments, or ""."""
    if not m.attachments:
        return ""
    return "📎 " + " · ".join(f"{a.name} ({a.kind}, {a.size:,} bytes)" for a in m.attachments)


_STATUS_NOTE = {"interrupted": "stopped before the end", "error": "the answer failed here", "streaming": "cut off"}
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~"})


def status_note(m: Any) -> str | None:
    """Why an answer is not whole, in words: "the answer failed here: model 'x' not found.
    Fix: …" (the stored error), "stopped before the end"; None for a complete answer."""
    note = _STATUS_NOTE.get(m.status)
    if note is None:
        return None
    if m.status == "error" and m.error_message:
        note += f": {m.error_message.rstrip('.')}" + (f". Fix: {m.error_hint}" if m.error_hint else "")
    return note


def _md_note(m: Any) -> list[str]:
    note = status_note(m)
    if note is None:
        return []
    one_line = " ".join(note.split()).translate(_MD_SPECIAL)
    return [f"*({one_line})*", ""]


def export_markdown(store: "Store", session_id: int) -> str:
    session = store.sessions.get(session_id)
    out = [f"# {session.title}", "", f"*Wits session {session.id}, started {to_minute(session.created_at)} UTC*", ""]
    for m in store.messages.list(session_id):
        if m.edit_of is not None:
            out += _earlier_markdown(store, m.id)
        if m.role == "user":
            out += ["## You" + (" (edited)" if m.edit_of is not None else ""), "", m.content, ""]
            if m.attachments:
                out += [f"*{attachment_line(m)}*", ""]
        elif m.role == "summary":
            out += ["## Summary of the earlier conversation (/compact)", "", m.content, ""]
        elif m.role == "assistant":
            who = " · ".join(x for x in (m.module, m.model) if x)
            out += [f"## Assistant{f' ({who})' if who else ''}", ""]
            if m.thinking:
                quoted = "\n".join(f"> {line}" if line else ">" for line in m.thinking.strip().splitlines())
                out += ["> **Thinking**", ">", quoted, ""]
            if m.content:
                out += [m.content, ""]
            out += sources_markdown(m) + _md_note(m)
    return "\n".join(out).rstrip() + "\n"


def _earlier_markdown(store: "Store", message_id: int) -> list[str]:
    """The earlier versions of an edited question, oldest first, each in a quoted block."""
    versions = list(reversed(store.messages.earlier_versions(message_id)))
    out: list[str] = []
    for n, version in enumerate(versions, start=1):
        out += [f"> **Earlier version {n} of {len(versions)}** (replaced by an edit; not sent to the model since)", ">"]
        for m in version:
            who = "You" if m.role == "user" else "Assistant" + (f" ({m.model})" if m.model else "")
            note = f" {_STATUS_NOTE[m.status]}" if m.status in _STATUS_NOTE else ""
            out += [f"> *{who}:*{note}", ">"] + [f"> {line}" if line else ">" for line in m.content.splitlines()] + [">"]
        out[-1:] = [""]
    return out


def _earlier_html(store: "Store", message_id: int) -> str:
    versions = list(reversed(store.messages.earlier_versions(message_id)))
    parts = []
    for n, version in enumerate(versions, start=1):
        inner = "".join(
            f'<p><b>{"You" if m.role == "user" else "Assistant"}:</b> {html.escape(m.content).replace(chr(10), "<br>")}</p>'
            for m in version)
        parts.append(f'<details class="earlier"><summary>Earlier version {n} of {len(versions)} '
                      f'(replaced by an edit)</summary>{inner}</details>')
    return "".join(parts)


_CSS = """
body{font:16px/1.55 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1d2129;background:#fbfbfd}
h1{font-size:1.5rem}.meta{color:#667}.msg{margin:1.2rem 0;padding:.6rem 1rem;border-radius:8px}
.user{background:#e8eefc}.assistant{background:#fff;border:1px solid #dde}.who{font-weight:600;font-size:.85rem;color:#556}
pre{background:#f2f3f7;padding:.7rem;overflow:auto;border-radius:6px}code{font-family:ui-monospace,monospace}
.note{color:#a33;font-style:italic}.summary{background:#f4f1e6}
.thinking{color:#667;font-size:.9rem;margin-bottom:.6rem}.thinking summary{cursor:pointer}
.earlier{color:#667;font-size:.9rem;margin:.4rem 0;padding-left:.6rem;border-left:3px solid #ccd}.earlier summary{cursor:pointer}
@media (prefers-color-scheme: dark){body{background:#15171c;color:#e3e5ea}.user{background:#1f2940}
.assistant{background:#1b1e25;border-color:#2c3040}pre{background:#23262e}.who,.meta{color:#9aa}}
"""


def export_html(store: "Store", session_id: int) -> str:
    """A self-contained page: no scripts, no external resources."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
    session = store.sessions.get(session_id)
    body = []
    for m in store.messages.list(session_id):
        if m.role not in ("user", "assistant", "summary"):
            continue
        who = {"user": "You", "summary": "Summary of the earlier conversation"}.get(m.role) or (
            "Assistant" + (f" · {m.model}" if m.model else ""))
        why = status_note(m)
        note = f'<p class="note">({html.escape(why)})</p>' if why else ""
        if m.attachments:
            note = f'<p class="meta">{html.escape(attachment_line(m))}</p>' + note
        content = md.render(m.content) if m.role != "user" else f"<p>{html.escape(m.content).replace(chr(10), '<br>')}</p>"
        if m.thinking:
            content = (f'<details class="thinking"><summary>Thinking</summary>'
                       f'<p>{html.escape(m.thinking).replace(chr(10), "<br>")}</p></details>{content}')
        if m.edit_of is not None:
            who += " (edited)"
            body.append(_earlier_html(store, m.id))
        content += sources_html(m)
        body.append(f'<section class="msg {m.role}"><div class="who">{html.escape(who)}</div>{content}{note}</section>')
    title = html.escape(session.title)
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}{SOURCES_CSS}</style></head>'
        f'<body><h1>{title}</h1><p class="meta">Wits session {session.id}, started {html.escape(to_minute(session.created_at))} UTC</p>'
        + "\n".join(body)
        + "</body></html>\n"
    )


def _parse(text: str, source: str) -> SessionFile:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportProblem(f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ImportProblem(f"{source}: nested too deeply to be a Wits session export") from None
    try:
        return SessionFile.model_validate(raw)
    except RecursionError:
        raise ImportProblem(f"{source}: nested too deeply to be a Wits session export") from None
    except ValidationError as exc:
        problems = []
        for err in exc.errors()[:5]:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
            problems.append(f"{where or 'the file'}: {err['msg']} (got {_shown(err.get('input'))})")
        more = f" (and {len(exc.errors()) - 5} more)" if len(exc.errors()) > 5 else ""
        raise ImportProblem(f"{source} is not a Wits session export: " + "; ".join(problems) + more) from None


def _shown(value: Any) -> str:
    try:
        return json.dumps(value, default=str)[:60]
    except (RecursionError, ValueError):
        return "a deeply nested value"


def import_session(store: "Store", text: str, source: str = "the file", blobs: "Blobs | None" = None) -> int:
    """Create a new session from a JSON export; returns its id. All or nothing: one
    transaction, rolled back whole if any row fails (ImportProblem says which). With ``blobs``,
    the attachments' contents in the file are stored (each checked against its hash) first."""
    data = _parse(text, source)
    if blobs is not None:
        _store_blobs(data, blobs, source)
    where = ["session"]
    try:
        with store.lock, transaction(store.db):
            return _insert(store.db, data, where)
    except (OverflowError, UnicodeEncodeError, RecursionError, ValueError, sqlite3.Error) as exc:
        reason = {
            OverflowError: "a number too large for the database (at most 2**63 - 1)",
            UnicodeEncodeError: "text with an invalid character (a lone surrogate escape such as \\ud800)",
            RecursionError: "data nested too deeply",
        }.get(type(exc), f"{type(exc).__name__}: {exc}")
        raise ImportProblem(f"{source}: {where[0]}: {reason}") from None


def _insert(db: Any, data: SessionFile, where: list[str]) -> int:
    ids: dict[int, int] = {}
    s = data.session
    options = validate_options(s.options or {})
    sid = db.execute(
        "INSERT INTO sessions (title, created_at, updated_at, model, pinned_module, archived, system_prompt, system_mode, "
        "think, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [s.title, s.created_at, s.updated_at, s.model, s.pinned_module, s.archived, s.system_prompt, s.system_mode,
         s.think, json.dumps(options, sort_keys=True) if options else None],
    ).lastrowid
    for n, m in enumerate(data.messages):
        where[0] = f"messages[{n}]"
        ids[m.id] = db.execute(
            "INSERT INTO messages (session_id, role, content, status, module, model, created_at, updated_at, thinking, "
            "summary_of, error_kind, error_message, error_hint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [sid, m.role, m.content, m.status, m.module, m.model, m.created_at, m.updated_at, m.thinking,
             ids.get(m.summary_of) if m.summary_of is not None else None, m.error_kind, m.error_message, m.error_hint],
        ).lastrowid
        for position, a in enumerate(m.attachments):
            db.execute("INSERT INTO message_attachments (message_id, position, sha256, name, kind, mime, size) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", [ids[m.id], position, a.sha256, a.name, a.kind, a.mime, a.size])
        insert_sources(db, ids[m.id], m.sources)
    for n, m in enumerate(data.messages):  # branches point forward (superseded_by) and back (edit_of)
        if m.superseded_by is not None or m.edit_of is not None or m.earlier:
            where[0] = f"messages[{n}]"
            db.execute("UPDATE messages SET superseded_by = ?, edit_of = ?, earlier = ? WHERE id = ?",
                       [ids.get(m.superseded_by) if m.superseded_by is not None else None,
                        ids.get(m.edit_of) if m.edit_of is not None else None, m.earlier, ids[m.id]])
    for n, e in enumerate(data.events):
        where[0] = f"events[{n}]"
        payload = dict(e.data)
        for key in _MESSAGE_KEYS:
            if isinstance(payload.get(key), int) and payload[key] in ids:
                payload[key] = ids[payload[key]]
        if isinstance(payload.get("session_id"), int):
            payload["session_id"] = sid
        db.execute(
            "INSERT INTO turn_events (session_id, turn, seq, t_ms, kind, data) VALUES (?, ?, ?, ?, ?, ?)",
            [sid, e.turn, e.seq, e.t_ms, e.kind, json.dumps(payload, ensure_ascii=False, separators=(",", ":"))],
        )
    for n, metric in enumerate(data.metrics):
        where[0] = f"metrics[{n}]"
        row = metric.model_dump()  # the file format names the columns; nothing from the file does
        if row["message_id"] is not None:
            row["message_id"] = ids.get(row["message_id"])
        cols = ", ".join(row)
        db.execute(f"INSERT INTO turn_metrics (session_id, {cols}) VALUES (?, {', '.join('?' * len(row))})", [sid, *row.values()])
    return int(sid)


def _store_blobs(data: SessionFile, blobs: "Blobs", source: str) -> None:
    import base64
    import binascii
    import hashlib

    for sha, encoded in data.blobs.items():
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ImportProblem(f"{source}: blobs[{sha[:12]}]: not base64") from None
        if hashlib.sha256(raw).hexdigest() != sha:
            raise ImportProblem(f"{source}: blobs[{sha[:12]}]: the content does not match its SHA-256")
        blobs.put(raw)


def import_file(store: "Store", path: Path, blobs: "Blobs | None" = None) -> int:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportProblem(f"cannot read {path}: {exc}") from None
    return import_session(store, text, str(path), blobs)
