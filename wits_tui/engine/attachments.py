"""Files sent with a message: images for models that can see, text files as quoted context.

A file is read once when attached: checked (an image by its first bytes, text by decoding
as UTF-8), hashed, and kept under the data dir by its SHA-256 (``Blobs``): the same file
attached twice is stored once, and a message keeps working after the original moves.
At send time images go base64-encoded in the message's ``images`` and text files are
quoted above the question (``for_model``); the message's stored text stays what was typed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wits_tui.engine.errors import AttachmentProblem
from wits_tui.engine.store.records import Attachment

__all__ = ["Attachment", "AttachmentProblem", "Blobs", "Prepared", "load", "quote", "sniff_image", "unquote_paths"]

_IMAGES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
           (b"GIF89a", "image/gif"), (b"BM", "image/bmp"))
IMAGE_NAMES = "PNG, JPEG, GIF, WebP or BMP"


def sniff_image(head: bytes) -> str | None:
    """The MIME type of an image from its first bytes, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in _IMAGES if head.startswith(magic)), None)


def _as_text(data: bytes) -> str | None:
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def load(path: Path, settings: Any, *, text_room_chars: int | None = None) -> tuple[Attachment, bytes]:
    """Read and check one file (blocking: a thread's job). ``settings``: ``Settings.attachments``;
    ``text_room_chars``: how much text the model's context has room for. Raises AttachmentProblem."""
    path = path.expanduser()
    shown = str(path)
    if not path.exists():
        raise AttachmentProblem(f"{shown}: no such file", "check the path (Tab does not complete it; drag the file in)")
    if not path.is_file():
        raise AttachmentProblem(f"{shown} is not a file", "attach the files inside it one by one")
    try:
        size = path.stat().st_size
        limit = int(settings.max_image_mb * 1_000_000)
        with path.open("rb") as fh:
            head = fh.read(16)
            mime = sniff_image(head)
            if mime is not None and size > limit:
                raise AttachmentProblem(f"{path.name} is {_mb(size)}, more than attachments.max_image_mb ({settings.max_image_mb:g} MB)",
                                        "send a smaller image (scale it down) or raise attachments.max_image_mb")
            max_text_bytes = settings.max_text_chars * 4
            if mime is None and size > max_text_bytes:
                raise AttachmentProblem(f"{path.name} is {_mb(size)}: too large to quote as text "
                                        f"(attachments.max_text_chars is {settings.max_text_chars:,})",
                                        "attach a part of it, or index its folder with `wits docs add` and ask with @NAME")
            data = head + fh.read()
    except OSError as exc:
        raise AttachmentProblem(f"{shown} cannot be read: {exc.strerror or exc}", "check its permissions") from None
    digest = hashlib.sha256(data).hexdigest()
    if mime is not None:
        return Attachment(digest, path.name, "image", mime, len(data)), data
    text = _as_text(data)
    if text is None:
        raise AttachmentProblem(f"{path.name} is neither an image ({IMAGE_NAMES}) nor a text file",
                                "attach an image or a text file (PDFs: index them with `wits docs add`)")
    if len(text) > settings.max_text_chars:
        raise AttachmentProblem(f"{path.name} has {len(text):,} characters, more than attachments.max_text_chars "
                                f"({settings.max_text_chars:,})", "attach a part of it, or raise attachments.max_text_chars")
    if text_room_chars is not None and len(text) > text_room_chars:
        raise AttachmentProblem(f"{path.name} is about {len(text) // 4:,} tokens, more than the {max(0, text_room_chars // 4):,} "
                                "left in this model's context window", "attach a part of it, or /set num_ctx to a larger window")
    return Attachment(digest, path.name, "text", "text/plain", len(data)), data


class Blobs:
    """Attachment contents by SHA-256 under ``root`` (``Paths.attachments_dir``), written once."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists() and target.stat().st_size == len(data):
            return digest  # the same content is kept once
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)  # whole or not at all
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        try:
            return self.path(sha256).read_bytes()
        except OSError as exc:
            raise AttachmentProblem(f"the attachment {sha256[:12]} is missing from {self.root}: {exc.strerror or exc}",
                                    "attach the file again") from None

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()


def quote(name: str, text: str) -> str:
    """A text file quoted for the model, in a fence longer than any backtick run in it."""
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"Attached file {name}:\n{fence}\n{text.rstrip()}\n{fence}"


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a message's attachments add for the model: base64 images and quoted text."""

    images: tuple[str, ...] = ()
    text: str = ""


def for_model(attachments: tuple[Attachment, ...], blobs: Blobs) -> Prepared:
    """Read the blobs of one message's attachments (blocking)."""
    images = [base64.b64encode(blobs.get(a.sha256)).decode("ascii") for a in attachments if a.kind == "image"]
    texts = [quote(a.name, _as_text(blobs.get(a.sha256)) or "") for a in attachments if a.kind == "text"]
    return Prepared(tuple(images), "\n\n".join(texts))


def unquote_paths(pasted: str) -> list[str] | None:
    """The file paths in a paste, as terminals put them when a file is dropped on them
    (``/a/b c.png``, ``'/a/b c.png'``, ``/a/b\\ c.png``, ``file:///a/b%20c.png``, one or several), or None
    when the paste does not look like paths only. Nothing is checked on disk here."""
    import shlex
    from urllib.parse import unquote, urlparse

    text = pasted.strip()
    if not text or len(text) > 8192:
        return None
    try:
        words = shlex.split(text.replace("\r", " ").replace("\n", " "))
    except ValueError:
        return None
    paths = []
    for word in words:
        if word.startswith("file://"):
            word = unquote(urlparse(word).path)
        if not (word.startswith(("/", "~/")) or (len(word) > 2 and word[1] == ":" and word[2] in "\\/")):
            return None
        paths.append(word)
    return paths or None
