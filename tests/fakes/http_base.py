"""HTTP plumbing for the fake Ollama server: the threaded server (which can cut its
live connections when stopped) and the request-handler base class with the helpers
the endpoints use (JSON, NDJSON over chunked encoding, pacing, abrupt disconnects)."""

from __future__ import annotations

import json
import re
import select
import socket
import socketserver
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from .models import FakeModel
from .scripts import Reply

if TYPE_CHECKING:
    from .ollama_server import ScriptedOllama


class FakeHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that can close its live connections when stopping."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], app: ScriptedOllama) -> None:
        self.app = app
        self.stop_event = threading.Event()
        self._conns: set[socket.socket] = set()
        self._conns_changed = threading.Condition()
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn): skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_changed:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        with self._conns_changed:
            self._conns.discard(request)
            self._conns_changed.notify_all()

    def close_connections(self, timeout: float) -> bool:
        """Cut every live connection; True once all their handlers have finished (within ``timeout``)."""
        with self._conns_changed:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self._conns_changed:
            return self._conns_changed.wait_for(lambda: not self._conns, timeout)


class Abort(Exception):
    """Stop handling this request and drop the connection without finishing it."""


class BadJSON:
    def __init__(self, message: str) -> None:
        self.message = message


def parse_keep_alive(value: Any) -> float | None:
    """Seconds (negative = forever), or None when absent/unparseable (= the 5m default)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    parts = re.findall(r"([\d.]+)(ns|us|µs|ms|s|m|h)", text)
    if not parts:
        return None
    seconds = sum(float(num) * units[unit] for num, unit in parts)
    return -seconds if text.startswith("-") else seconds


def now_go() -> str:
    """Go's UTC timestamp format, e.g. 2024-07-22T20:33:28.123648Z (cheap: called per token)."""
    t = time.time()
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(t))}.{int(t * 1e6) % 1_000_000:06d}Z"


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class HandlerBase(BaseHTTPRequestHandler):
    """Routes each request to a ``_h_<name>(body, raw, path)`` method named in ``ROUTES``."""

    ROUTES: ClassVar[dict[str, dict[str, str]]] = {}
    BLOB_ROUTE: ClassVar[dict[str, str]] = {}
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small header and body writes must not wait 40 ms for an ACK
    server_version = "ollama-fake"
    sys_version = ""

    @property
    def app(self) -> ScriptedOllama:
        return self.server.app  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.app.verbose:
            sys.stderr.write(f"[fake-ollama] {format % args}\n")

    # -- plumbing -------------------------------------------------------------
    def _dispatch(self) -> None:
        self._headers_sent = False
        path = urlsplit(self.path).path
        try:
            raw = self._read_body()
            is_blob = path.startswith("/api/blobs/")
            body: Any = f"<{len(raw)} bytes>" if is_blob else self._parse(raw)
            self.app.record(self.command, path, None if isinstance(body, BadJSON) else body)
            route = self.BLOB_ROUTE if is_blob else self.ROUTES.get(path)
            if route is None or path in self.app.missing_paths:  # an older server without the endpoint
                return self._send_text(404, "404 page not found")
            name = route.get(self.command)
            if name is None:
                return self._send_text(405, "405 method not allowed")
            if isinstance(body, BadJSON):
                return self._send_error(400, body.message)
            if path in self.app.hang_paths:  # a server that takes the request and never answers
                self._hang()
            getattr(self, "_h_" + name)(body, raw, path)
        except Abort:
            self._drop()
        except OSError:  # the client went away, or the server is stopping
            self.close_connection = True
        except Exception as exc:  # a bug in the fake: say so loudly, keep serving
            traceback.print_exc()
            if not self._headers_sent:
                self._send_error(500, f"fake ollama server error: {exc!r}")
            self.close_connection = True

    do_GET = do_POST = do_HEAD = do_DELETE = do_PUT = do_PATCH = do_OPTIONS = _dispatch

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline(65537).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    @staticmethod
    def _parse(raw: bytes) -> Any:
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            return BadJSON(f"invalid character in request body: {exc}")

    def _send_bytes(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self._headers_sent = True
        if self.command != "HEAD" and data:
            self.wfile.write(data)

    def _send_json(self, status: int, obj: Any) -> None:
        data = dumps(obj).encode()
        self._send_bytes(status, data, "application/json; charset=utf-8")

    def _send_error(self, status: int, message: str) -> None:
        self._send_json(status, {"error": message})

    def _send_text(self, status: int, text: str) -> None:
        self._send_bytes(status, text.encode(), "text/plain; charset=utf-8")

    def _send_empty(self, status: int = 200) -> None:
        self._send_bytes(status, b"", "text/plain; charset=utf-8")

    def _begin_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._headers_sent = True

    def _send_line(self, obj: Any) -> None:
        data = dumps(obj).encode() + b"\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")

    def _drop(self) -> None:
        """Close the TCP connection abruptly (the client sees an incomplete body)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _sleep_until(self, deadline: float) -> None:
        remaining = deadline - time.perf_counter()
        if remaining > 0 and self.server.stop_event.wait(remaining):  # type: ignore[attr-defined]
            raise Abort()

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep_until(time.perf_counter() + seconds)

    def _hang(self) -> None:
        """Send nothing more, until the client hangs up or the server stops."""
        conn = self.connection
        while not self.server.stop_event.wait(0.05):  # type: ignore[attr-defined]
            readable, _, _ = select.select([conn], [], [], 0)
            if readable:
                try:
                    if not conn.recv(1, socket.MSG_PEEK):
                        break
                except OSError:
                    break
        raise Abort()

    def _model_or_404(self, body: Any, *, keys: tuple[str, ...] = ("model",)) -> tuple[str, FakeModel | None]:
        requested = next((str(body[k]) for k in keys if isinstance(body, dict) and body.get(k)), "")
        if not requested:
            self._send_error(400, "model is required")
            return "", None
        model = self.app.find_model(requested)
        if model is None:
            self._send_error(404, self.app.not_found_message(requested))
        return requested, model

    def _load(self, model: FakeModel, reply: Reply | None = None) -> int:
        """Load the model if it is cold; returns the load_duration to report (ns)."""
        start = time.perf_counter()
        if reply is not None and reply.load_duration_ms is not None:
            if reply.simulate_load:
                self._sleep(reply.load_duration_ms / 1000)
            return int(reply.load_duration_ms * 1e6)
        if self.app.is_loaded(model):
            return 1000  # nothing to load: a fixed, tiny report (1 µs), whatever else the machine is doing
        self._sleep(model.load_ms / 1000)
        return max(1000, int((time.perf_counter() - start) * 1e9))
