"""A fake Prometheus HTTP API on a free loopback port: fixed answers per (query, evaluation time)."""

from __future__ import annotations

import json
import threading
import urllib.parse
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FakePrometheus:
    """Answers /api/v1/query and /api/v1/query_range from registered results; anything else is empty."""

    def __init__(self) -> None:
        self.instant: dict = {}
        self.ranges: dict = {}
        self.errors: set = set()
        self.requests: list = []  # (path, query, time or None)
        self.url = ""

    def answer(self, expr: str, at: datetime | None, *samples) -> None:
        """``samples``: ``(labels, value)`` pairs, or a bare number for one unlabelled sample; ``at``
        None answers a query without an evaluation time."""
        rows = [({}, s) if isinstance(s, (int, float)) else s for s in samples]
        self.instant[(expr, None if at is None else round(at.timestamp()))] = rows

    def answer_range(self, expr: str, *series) -> None:
        """``series``: ``(labels, [(datetime, value), ...])``, returned for any start/end."""
        self.ranges[expr] = series

    def fail(self, expr: str) -> None:
        self.errors.add(expr)

    def queries_at(self, at: datetime) -> list:
        return [q for path, q, t in self.requests if path.endswith("/query") and t == round(at.timestamp())]

    def respond(self, path: str, params: dict) -> tuple:
        expr = params.get("query", "")
        if path == "/api/v1/query":
            at = round(float(params["time"])) if "time" in params else None  # None: Prometheus' now
            self.requests.append((path, expr, at))
            if expr in self.errors:
                return 400, {"status": "error", "errorType": "bad_data", "error": "parse error"}
            result = [{"metric": labels, "value": [at, repr(float(value))]}
                      for labels, value in self.instant.get((expr, at), [])]
            return 200, {"status": "success", "data": {"resultType": "vector", "result": result}}
        if path == "/api/v1/query_range":
            self.requests.append((path, expr, None))
            result = [{"metric": labels, "values": [[t.timestamp(), repr(float(v))] for t, v in points]}
                      for labels, points in self.ranges.get(expr, [])]
            return 200, {"status": "success", "data": {"resultType": "matrix", "result": result}}
        return 404, {"status": "error", "error": "not found"}


@pytest.fixture()
def fake_prometheus():
    fake = FakePrometheus()

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, params: dict) -> None:
            status, payload = fake.respond(urllib.parse.urlsplit(self.path).path, params)
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server's naming
            query = urllib.parse.urlsplit(self.path).query
            self._reply({k: v[-1] for k, v in urllib.parse.parse_qs(query).items()})

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            self._reply({k: v[-1] for k, v in form.items()})

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
