"""Model-management endpoints of the fake Ollama server: listing, showing, deleting,
copying, blobs, and the streamed progress of /api/pull and /api/create."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from .http_base import HandlerBase
from .models import FakeModel, normalize_name

MANIFEST_MISSING = "pull model manifest: file does not exist"


class _StreamError:
    def __init__(self, message: str) -> None:
        self.message = message


class ManagementEndpoints(HandlerBase):
    def _h_root(self, body: Any, raw: bytes, path: str) -> None:
        self._send_text(200, "Ollama is running")

    def _h_version(self, body: Any, raw: bytes, path: str) -> None:
        self._send_json(200, {"version": self.app.version})

    def _h_tags(self, body: Any, raw: bytes, path: str) -> None:
        models = sorted(self.app.installed(), key=lambda m: m.modified_at, reverse=True)
        self._send_json(200, {"models": [m.tags_entry() for m in models]})

    def _h_ps(self, body: Any, raw: bytes, path: str) -> None:
        self._send_json(200, {"models": self.app.running_models()})

    def _h_show(self, body: Any, raw: bytes, path: str) -> None:
        _, model = self._model_or_404(body, keys=("model", "name"))
        if model is not None:
            self._send_json(200, model.show())

    def _h_delete(self, body: Any, raw: bytes, path: str) -> None:
        body = body if isinstance(body, dict) else {}
        requested = str(body.get("model") or body.get("name") or "")
        if not requested:
            return self._send_error(400, "invalid model name")
        if not self.app.remove_model(requested):
            return self._send_error(404, f"model '{requested}' not found")
        self._send_empty(200)

    def _h_copy(self, body: Any, raw: bytes, path: str) -> None:
        body = body if isinstance(body, dict) else {}
        source, dest = str(body.get("source") or ""), str(body.get("destination") or "")
        model = self.app.find_model(source) if source else None
        if not dest:
            return self._send_error(400, f'destination "{dest}" is invalid')
        if model is None:
            return self._send_error(404, f'model "{source}" not found')
        self.app.install(model.copy(normalize_name(dest)))
        self._send_empty(200)

    def _h_blob_head(self, body: Any, raw: bytes, path: str) -> None:
        digest = path.rsplit("/", 1)[-1]
        if digest in self.app.blobs:
            return self._send_empty(200)
        self._send_error(404, f'blob "{digest}" not found')

    def _h_blob_create(self, body: Any, raw: bytes, path: str) -> None:
        digest = path.rsplit("/", 1)[-1]
        actual = "sha256:" + hashlib.sha256(raw).hexdigest()
        if actual != digest.replace("sha256-", "sha256:"):
            return self._send_error(400, f'digest mismatch, expected "{digest}", got "{actual}"')
        self.app.blobs[digest] = len(raw)
        self._send_empty(201)

    def _pull_events(self, requested: str, source: FakeModel | None) -> Iterator[dict | _StreamError]:
        yield {"status": "pulling manifest"}
        if source is None:
            yield _StreamError(MANIFEST_MISSING)
            return
        progress = 0
        for digest, size in source.layers:
            steps = max(1, source.pull_steps) if size > 1_000_000 else 1
            for k in range(steps + 1):
                if source.pull_error and progress == source.pull_error_after:
                    yield _StreamError(source.pull_error)
                    return
                event: dict[str, Any] = {"status": f"pulling {digest[7:19]}", "digest": digest, "total": size}
                if size * k // steps:
                    event["completed"] = size * k // steps
                yield event
                progress += 1
        yield {"status": "verifying sha256 digest"}
        yield {"status": "writing manifest"}
        self.app.install(source.copy(normalize_name(requested), pull_delay=None))
        yield {"status": "success"}

    def _create_events(self, body: dict, name: str) -> Iterator[dict | _StreamError]:
        app, from_ = self.app, str(body.get("from") or "")
        base = app.find_model(from_) if from_ else None
        if from_ and base is None:
            pullable = app.find_pullable(from_)
            for event in self._pull_events(from_, pullable):
                if isinstance(event, _StreamError) or event["status"] != "success":
                    yield event
            base = app.find_model(from_)
            if base is None:
                return
        license_ = body.get("license")
        if isinstance(license_, list):
            license_ = "\n".join(map(str, license_))
        changes: dict[str, Any] = {}
        if base is None:  # created from uploaded files
            base = FakeModel(name)
        else:
            changes["parent_model"] = base.name
        for key, value in (("system", body.get("system")), ("template", body.get("template")), ("license", license_)):
            if value:
                changes[key] = str(value)
        if isinstance(body.get("parameters"), dict):
            changes["parameters"] = {**base.parameters, **body["parameters"]}
        if isinstance(body.get("messages"), list):
            changes["messages"] = list(body["messages"])
        if body.get("quantize"):
            changes["quantization_level"] = str(body["quantize"]).upper()
            yield {"status": f"quantizing F16 model to {changes['quantization_level']}"}
        new = base.copy(normalize_name(name), **changes)
        old_layers = {digest for digest, _ in base.layers}
        for digest, _ in new.layers:
            verb = "using existing layer" if digest in old_layers else "creating new layer"
            yield {"status": f"{verb} {digest}"}
        yield {"status": "writing manifest"}
        app.install(new)
        yield {"status": "success"}

    def _progress(self, body: dict, events: Iterator[dict | _StreamError], delay: float) -> None:
        """Send progress events as NDJSON (default) or only the last one (stream: false)."""
        stream = body.get("stream") is not False
        last: dict | None = None
        if stream:
            self._begin_stream()
        for n, event in enumerate(events):
            if n:
                self._sleep(delay)
            if isinstance(event, _StreamError):
                if not stream:
                    return self._send_error(500, event.message)
                self._send_line({"error": event.message})
                return self._end_stream()
            if stream:
                self._send_line(event)
            last = event
        if stream:
            self._end_stream()
        else:
            self._send_json(200, last or {"status": "success"})

    def _h_pull(self, body: Any, raw: bytes, path: str) -> None:
        body = body if isinstance(body, dict) else {}
        requested = str(body.get("model") or body.get("name") or "")
        if not requested:
            return self._send_error(400, "invalid model name")
        source = self.app.find_pullable(requested) or self.app.find_model(requested)
        delay = source.pull_delay if source is not None and source.pull_delay is not None else self.app.pull_delay
        self._progress(body, self._pull_events(requested, source), delay)

    def _h_create(self, body: Any, raw: bytes, path: str) -> None:
        body = body if isinstance(body, dict) else {}
        name = str(body.get("model") or body.get("name") or "")
        if not name:
            return self._send_error(400, "invalid model name")
        if not body.get("from") and not body.get("files"):
            return self._send_error(400, "neither 'from' or 'files' was specified")
        self._progress(body, self._create_events(body, name), self.app.pull_delay)
