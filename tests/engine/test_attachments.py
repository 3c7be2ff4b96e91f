"""Attachments in the engine: checked on the way in, stored once by hash, sent as images to a
vision model (the scripted server echoes what it saw) or quoted as text, refused clearly otherwise."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from contextlib import aclosing

import pytest

from tests.attachment_files import png, write_png
from tests.engine.conftest import CHAT, make_engine
from tests.fakes.ollama_server import ScriptedOllama
from wits_tui.engine.attachments import Blobs, load, quote, sniff_image, unquote_paths
from wits_tui.engine.errors import AttachmentProblem
from wits_tui.engine.events import TurnDone, TurnError
from wits_tui.settings import AttachmentSettings

VISION = "llava:7b"


@pytest.fixture
def server():
    with ScriptedOllama() as s:
        s.add_model(CHAT, capabilities=["completion"], context_length=4096)
        s.add_model(VISION, capabilities=["completion", "vision"], context_length=4096)
        yield s


def run(engine, session_id, text, **kw):
    async def go():
        async with aclosing(engine.turn(session_id, text, **kw)) as stream:
            events = [ev async for ev in stream]
        await engine.backend.close()
        return events

    return asyncio.run(go())


def test_what_load_takes_and_refuses(tmp_path):
    limits = AttachmentSettings(max_image_mb=0.001, max_text_chars=1000)
    image = write_png(tmp_path)
    attachment, data = load(image, limits)
    assert (attachment.kind, attachment.mime, attachment.name) == ("image", "image/png", "cat.png")
    assert attachment.sha256 == hashlib.sha256(data).hexdigest() and attachment.size == len(data)
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\nbuy milk\n")
    assert load(notes, limits)[0].kind == "text"
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "big.png").write_bytes(png(width=200, height=200, rgb=(1, 2, 3)) + b"\x00" * 2000)
    (tmp_path / "long.txt").write_text("x" * 1001)
    for name, says in [("missing.png", "no such file"), ("blob.bin", "neither an image (PNG, JPEG, GIF, WebP or BMP) nor a text"),
                       ("big.png", "more than attachments.max_image_mb"), ("long.txt", "more than attachments.max_text_chars"),
                       (".", "is not a file")]:
        with pytest.raises(AttachmentProblem, match=says.replace("(", r"\(").replace(")", r"\)")) as err:
            load(tmp_path / name, limits)
        assert err.value.hint  # every refusal says what to do
    with pytest.raises(AttachmentProblem, match="left in this model's context window"):
        load(notes, limits, text_room_chars=5)


def test_blobs_are_stored_once_by_content(tmp_path):
    blobs = Blobs(tmp_path / "attachments")
    first = blobs.put(b"same bytes")
    assert blobs.put(b"same bytes") == first and blobs.get(first) == b"same bytes"
    assert [p.name for p in (tmp_path / "attachments").rglob("*") if p.is_file()] == [first]
    with pytest.raises(AttachmentProblem, match="missing"):
        blobs.get("ab" * 32)


def test_sniff_quote_and_pasted_paths():
    assert sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp" and sniff_image(b"hello") is None
    assert quote("a.md", "has ``` inside") == "Attached file a.md:\n````\nhas ``` inside\n````"
    assert unquote_paths("'/home/me/My Pictures/cat.png' /tmp/b.txt") == ["/home/me/My Pictures/cat.png", "/tmp/b.txt"]
    assert unquote_paths("/home/me/My\\ Pictures/cat.png") == ["/home/me/My Pictures/cat.png"]
    assert unquote_paths("file:///tmp/a%20b.png") == ["/tmp/a b.png"]
    assert unquote_paths("look at /tmp/a.png") is None and unquote_paths("") is None


def test_an_image_goes_to_a_vision_model_and_is_stored_with_the_question(paths, server, tmp_path):
    engine = make_engine(paths, server.host, default_model=VISION)
    s = engine.store.sessions.create()
    attachment = engine.attach(write_png(tmp_path), VISION)
    again = engine.attach(write_png(tmp_path, "copy.png"), VISION)  # the same picture under another name
    events = run(engine, s.id, "What is in this picture?", attachments=[attachment, again])
    done = events[-1]
    assert isinstance(done, TurnDone), events
    data = png()
    digest = hashlib.sha256(data).hexdigest()
    assert f"[I see 2 images: {len(data):,} bytes, sha256 {digest[:12]}; {len(data):,} bytes" in done.text
    [body] = [r.body for r in server.requests_to("/api/chat")]
    assert body["messages"][-1]["images"] == [base64.b64encode(data).decode()] * 2
    assert body["messages"][-1]["content"] == "What is in this picture?"
    question = engine.store.messages.list(s.id)[0]
    assert question.content == "What is in this picture?"
    assert [(a.name, a.kind, a.sha256) for a in question.attachments] == [("cat.png", "image", digest), ("copy.png", "image", digest)]
    assert len([p for p in paths.attachments_dir.rglob("*") if p.is_file()]) == 1  # stored once
    [user_event] = [e for e in engine.store.recordings.for_session(s.id) if e.kind == "user"]
    assert [a["name"] for a in user_event.data["attachments"]] == ["cat.png", "copy.png"]


def test_a_model_without_vision_is_refused_before_asking_and_the_question_is_kept(paths, server, tmp_path):
    engine = make_engine(paths, server.host, default_model=CHAT, enable_model_fallback=False)
    s = engine.store.sessions.create()
    events = run(engine, s.id, "Describe it", attachments=[engine.attach(write_png(tmp_path), CHAT)])
    err = events[-1]
    assert isinstance(err, TurnError) and err.error_type == "attachment"
    assert f"{CHAT} cannot see images" in err.message and "/retry MODEL" in err.hint
    assert server.requests_to("/api/chat") == []
    assert [m.content for m in engine.store.messages.list(s.id)] == ["Describe it"]


def test_the_scripted_server_refuses_images_for_a_model_without_vision(server):
    import ollama

    client = ollama.Client(host=server.host)
    with pytest.raises(ollama.ResponseError, match="missing data required for image input"):
        client.chat(model=CHAT, messages=[{"role": "user", "content": "hi", "images": [base64.b64encode(png()).decode()]}])


def test_a_text_file_is_quoted_for_the_model_not_stored_in_the_question(paths, server, tmp_path):
    engine = make_engine(paths, server.host)
    s = engine.store.sessions.create()
    notes = tmp_path / "notes.md"
    notes.write_text("buy milk\n")
    run(engine, s.id, "Summarise my notes", attachments=[engine.attach(notes, CHAT)])
    run(engine, s.id, "And again?")
    first, second = (r.body for r in server.requests_to("/api/chat"))
    assert first["messages"][-1]["content"] == "Attached file notes.md:\n```\nbuy milk\n```\n\nSummarise my notes"
    assert "images" not in first["messages"][-1]
    assert second["messages"][0]["content"].startswith("Attached file notes.md:")  # it stays in the history
    assert engine.store.messages.list(s.id)[0].content == "Summarise my notes"


def test_exports_name_the_attachments_and_json_round_trips_them(paths, server, tmp_path):
    import json

    from wits_tui.engine import transfer
    from wits_tui.engine.attachments import Blobs

    engine = make_engine(paths, server.host, default_model=VISION)
    s = engine.store.sessions.create()
    run(engine, s.id, "What is it?", attachments=[engine.attach(write_png(tmp_path), VISION)])
    assert "*📎 cat.png (image, 73 bytes)*" in transfer.export_markdown(engine.store, s.id)
    assert "📎 cat.png (image" in transfer.export_html(engine.store, s.id)
    exported = transfer.export_json(engine.store, s.id, engine.blobs)
    data = json.loads(exported)
    digest = hashlib.sha256(png()).hexdigest()
    assert data["messages"][0]["attachments"][0]["sha256"] == digest and base64.b64decode(data["blobs"][digest]) == png()
    elsewhere = Blobs(tmp_path / "other-home")  # another machine's data dir
    new_id = transfer.import_session(engine.store, exported, blobs=elsewhere)
    [question] = [m for m in engine.store.messages.list(new_id) if m.role == "user"]
    assert question.attachments[0].name == "cat.png" and elsewhere.get(digest) == png()
    data["blobs"][digest] = base64.b64encode(b"tampered").decode()
    with pytest.raises(transfer.ImportProblem, match="does not match its SHA-256"):
        transfer.import_session(engine.store, json.dumps(data), blobs=elsewhere)


def test_a_model_that_cannot_see_hands_the_image_to_the_next_one_that_can(paths, server, tmp_path):
    from wits_tui.engine.events import Fallback

    engine = make_engine(paths, server.host, default_model=CHAT, fallback_models=[VISION])
    s = engine.store.sessions.create()
    events = run(engine, s.id, "Describe it", attachments=[engine.attach(write_png(tmp_path), CHAT)])
    [fallback] = [e for e in events if isinstance(e, Fallback)]
    assert (fallback.from_model, fallback.to_model) == (CHAT, VISION) and "cannot see images" in fallback.reason
    assert isinstance(events[-1], TurnDone) and events[-1].model == VISION and "[I see 1 image" in events[-1].text
    assert [r.body["model"] for r in server.requests_to("/api/chat")] == [VISION]
