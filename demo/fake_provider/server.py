"""The fake provider's HTTP server: one port speaks OpenAI, Anthropic and Gemini.

The wire format is recognised by the path's ending, whatever comes before it, so any base URL on the
server works: ``{base}/v1`` or ``{base}/openai/v1`` for OpenAI, ``{base}`` or ``{base}/anthropic``
for Anthropic, ``{base}`` or ``{base}/gemini`` for Gemini. Every request is recorded (method, path,
query, headers, body) for tests that check what a client sent; ``GET /_fake/requests`` returns them
and ``POST /_fake/reset`` clears them. HTTP/1.1 keep-alive; streams use chunked transfer encoding.
"""

from __future__ import annotations

import hashlib
import json
import socket
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import anthropic_wire, gemini_wire, openai_wire
from .scenarios import ANTHROPIC_USAGE, GEMINI_USAGE, OPENAI_USAGE, SLOW_SECONDS, delay_of, scenario_of, usage_of

# (wire module, canned usage), in the order paths are tried (Gemini's are the most specific).
_WIRES = ((gemini_wire, GEMINI_USAGE), (anthropic_wire, ANTHROPIC_USAGE), (openai_wire, OPENAI_USAGE))
RECORDED_REQUESTS = 1000
_HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeProvider/1.0"
    timeout = 60
    server: FakeProviderServer

    def setup(self):
        super().setup()
        # Small writes (headers, then each event) must not wait for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # noqa: A002 - quiet unless asked
        if self.server.verbose:
            super().log_message(format, *args)

    # ------------------------------------------------------------------ plumbing
    def _send(self, status: int, body: bytes, content_type: str = "application/json", headers=(),
              declared_length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(declared_length if declared_length is not None else len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, value, headers=()) -> None:
        self._send(status, json.dumps(value).encode(), headers=headers)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _cut(self) -> None:
        """Close the connection here, mid-body: the client sees a truncated response."""
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    # ------------------------------------------------------------------ routes
    def do_GET(self):  # noqa: N802
        path = urlsplit(self.path).path
        if path.endswith("/_fake/requests"):
            self._json(200, self.server.recorded())
        elif path.endswith("/_fake/health"):
            self._json(200, {"status": "ok"})
        else:
            self._json(404, {"error": {"message": f"no route {path}"}})

    def do_POST(self):  # noqa: N802
        parts = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        self.server.record(self.command, parts.path, parts.query, headers, body if body is not None else raw.decode(
            "utf-8", "replace"))
        if parts.path.endswith("/_fake/reset"):
            self.server.clear()
            self._json(200, {"status": "ok"})
            return
        for wire, default_usage in _WIRES:
            name = wire.endpoint(parts.path)
            if name:
                break
        else:
            self._json(404, {"error": {"message": f"no route {parts.path}", "type": "not_found"}})
            return
        if not isinstance(body, dict):
            self._json(400, wire.error_body(400))
            return
        self._answer(wire, name, parts, headers, body, usage_of(headers, default_usage), raw)

    def _answer(self, wire, name, parts, headers, body, usage, raw) -> None:
        scenario = scenario_of(headers, wire.last_user_text(body, name))
        if scenario == "tool_call" and getattr(wire, "has_tool_result", None) and wire.has_tool_result(body, name):
            scenario = "ok"  # the tool's result is in: the model answers
        delay = delay_of(headers, scenario)
        if delay:
            time.sleep(delay)
        retry = (("retry-after-ms", "1"), ("retry-after", "0"))
        if scenario in ("error_429", "error_500"):
            status = 429 if scenario == "error_429" else 500
            self._json(status, wire.error_body(status), headers=retry)
            return
        if scenario == "flaky" and self.server.first_attempt(raw):
            self._json(429, wire.error_body(429), headers=retry)
            return
        if scenario == "non_json":
            self._send(200, _HTML, "text/html")
            return
        stream = wire.is_stream(body, parts.path)
        if stream and (wire is not gemini_wire or parse_qs(parts.query).get("alt") == ["sse"]):
            self._stream(wire.events(body, parts.path, scenario, usage), scenario)
            return
        if stream:  # Gemini streamGenerateContent without alt=sse: one JSON array
            value = [json.loads(data) for _, data in wire.events(body, parts.path, scenario, usage)]
        else:
            value = wire.response(body, parts.path, scenario, usage)
        data = json.dumps(value).encode()
        if scenario == "malformed":
            self._send(200, data[: len(data) // 2])
        elif scenario == "truncated":
            self._send(200, data[: len(data) // 2], declared_length=len(data))
            self._cut()
        else:
            self._send(200, data)

    def _stream(self, events, scenario: str) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("cache-control", "no-cache")
        self.end_headers()
        if scenario == "malformed":
            events = events[:1] + [(None, '{"broken": ')] + events[1:]
        for index, (event, data) in enumerate(events):
            if scenario == "truncated" and index == len(events) // 2:
                self._cut()
                return
            if scenario == "slow" and index:
                time.sleep(SLOW_SECONDS / 10)
            text = (f"event: {event}\n" if event else "") + f"data: {data}\n\n"
            self._chunk(text.encode())
        self._chunk(b"")  # the last chunk (zero length) ends the body


class FakeProviderServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], verbose: bool = False):
        super().__init__(address, _Handler)
        self.verbose = verbose
        self._lock = threading.Lock()
        self._requests: deque[dict] = deque(maxlen=RECORDED_REQUESTS)
        self._attempted: set[str] = set()
        self._connections: set[socket.socket] = set()

    def handle_error(self, request, client_address):
        # A client that stops reading a stream or drops a kept-alive connection is normal here.
        if self.verbose or not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def record(self, method, path, query, headers, body) -> None:
        with self._lock:
            self._requests.append({"method": method, "path": path, "query": query, "headers": headers, "body": body})

    def recorded(self) -> list[dict]:
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._attempted.clear()

    def first_attempt(self, raw: bytes) -> bool:
        """True the first time a request body is seen, False on its retry (then forgotten)."""
        key = hashlib.sha256(raw).hexdigest()
        with self._lock:
            if key in self._attempted:
                self._attempted.discard(key)
                return False
            self._attempted.add(key)
            return True

    def process_request(self, request, client_address):
        with self._lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Close kept-alive client connections, so their handler threads end."""
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
