"""OTLP endpoints for tests, on free loopback ports: a receiver that decodes what apps export,
one that refuses (HTTP 503 / gRPC UNAVAILABLE), and a black hole that accepts connections and
never answers.

``OTLPReceiver`` speaks OTLP/HTTP protobuf (``/v1/traces``, ``/v1/metrics``, ``/v1/logs``,
gzip or plain) and keeps every request decoded into plain dicts; ``OTLPGrpcReceiver`` does the same
over gRPC. Both are context managers. Only the standard library, ``opentelemetry-proto`` and (for
gRPC) ``grpcio`` are used.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2


def any_value(v) -> Any:
    kind = v.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return attributes(v.kvlist_value.values)
    return getattr(v, kind)


def attributes(kvs) -> dict[str, Any]:
    return {kv.key: any_value(kv.value) for kv in kvs}


def _hex(raw: bytes) -> str:
    return raw.hex() if raw else ""


class Store:
    """Decoded telemetry, as plain dicts, shared by the receivers."""

    def __init__(self):
        self._lock = threading.Lock()
        self._spans: list[dict] = []
        self._metrics: list[dict] = []
        self._logs: list[dict] = []
        self.requests: dict[str, int] = {"traces": 0, "metrics": 0, "logs": 0}
        #: Each request's protobuf payload (decompressed) as received, by signal.
        self.raw: dict[str, list[bytes]] = {"traces": [], "metrics": [], "logs": []}

    def add_traces(self, req: trace_service_pb2.ExportTraceServiceRequest) -> None:
        found = []
        for rs in req.resource_spans:
            resource = attributes(rs.resource.attributes)
            for ss in rs.scope_spans:
                for s in ss.spans:
                    found.append({
                        "name": s.name, "kind": s.kind, "trace_id": _hex(s.trace_id), "span_id": _hex(s.span_id),
                        "parent_span_id": _hex(s.parent_span_id), "attributes": attributes(s.attributes),
                        "status_code": s.status.code, "events": [e.name for e in s.events],
                        "start": s.start_time_unix_nano, "end": s.end_time_unix_nano,
                        "scope": ss.scope.name, "resource": resource,
                    })
        with self._lock:
            self.requests["traces"] += 1
            self._spans.extend(found)

    def add_metrics(self, req: metrics_service_pb2.ExportMetricsServiceRequest) -> None:
        found = []
        for rm in req.resource_metrics:
            resource = attributes(rm.resource.attributes)
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    kind = m.WhichOneof("data")
                    points = []
                    for p in getattr(m, kind).data_points if kind else []:
                        point = {"attributes": attributes(p.attributes)}
                        if kind in ("sum", "gauge"):
                            point["value"] = p.as_double if p.WhichOneof("value") == "as_double" else p.as_int
                        elif kind == "histogram":
                            point.update(count=p.count, sum=p.sum, bounds=list(p.explicit_bounds),
                                         buckets=list(p.bucket_counts))
                        points.append(point)
                    found.append({"name": m.name, "unit": m.unit, "type": kind, "points": points,
                                  "scope": sm.scope.name, "resource": resource})
        with self._lock:
            self.requests["metrics"] += 1
            self._metrics.extend(found)

    def add_logs(self, req: logs_service_pb2.ExportLogsServiceRequest) -> None:
        found = []
        for rl in req.resource_logs:
            resource = attributes(rl.resource.attributes)
            for sl in rl.scope_logs:
                for r in sl.log_records:
                    found.append({
                        "body": any_value(r.body), "severity_text": r.severity_text, "event_name": r.event_name,
                        "attributes": attributes(r.attributes), "trace_id": _hex(r.trace_id),
                        "span_id": _hex(r.span_id), "scope": sl.scope.name, "resource": resource,
                    })
        with self._lock:
            self.requests["logs"] += 1
            self._logs.extend(found)

    def spans(self) -> list[dict]:
        with self._lock:
            return list(self._spans)

    def metrics(self) -> list[dict]:
        with self._lock:
            return list(self._metrics)

    def logs(self) -> list[dict]:
        with self._lock:
            return list(self._logs)

    def points(self, name: str) -> list[dict]:
        """Data points of metric ``name`` in its latest export from each instrumentation scope
        (cumulative temporality: the latest export holds the totals)."""
        latest: dict[str, dict] = {}
        for metric in self.metrics():
            if metric["name"] == name:
                latest[metric["scope"]] = metric
        return [point for metric in latest.values() for point in metric["points"]]

    def wait_for(self, predicate: Callable[[Store], Any], timeout: float = 30.0, what: str = "telemetry") -> Any:
        """Poll until ``predicate(self)`` is truthy; AssertionError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate(self)
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; got "
                                     f"{len(self.spans())} spans, {len(self.metrics())} metrics, "
                                     f"{len(self.logs())} logs")
            time.sleep(0.05)


# path -> (request type, response type, Store method)
_HTTP_PATHS = {
    "/v1/traces": (trace_service_pb2.ExportTraceServiceRequest,
                   trace_service_pb2.ExportTraceServiceResponse, "add_traces"),
    "/v1/metrics": (metrics_service_pb2.ExportMetricsServiceRequest,
                    metrics_service_pb2.ExportMetricsServiceResponse, "add_metrics"),
    "/v1/logs": (logs_service_pb2.ExportLogsServiceRequest,
                 logs_service_pb2.ExportLogsServiceResponse, "add_logs"),
}


class OTLPReceiver(Store):
    """OTLP/HTTP protobuf on 127.0.0.1; ``status`` other than 200 refuses every request."""

    def __init__(self, status: int = 200):
        super().__init__()
        self.status = status
        self.refused = 0
        store = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                route = _HTTP_PATHS.get(self.path)
                if store.status != 200 or route is None:
                    store.refused += 1
                    self._reply(store.status if route else 404, b"")
                    return
                encoding = (self.headers.get("Content-Encoding") or "").lower()
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                request_type, response_type, add = route
                with store._lock:
                    store.raw[self.path.rsplit("/", 1)[-1]].append(body)
                request = request_type()
                request.ParseFromString(body)
                getattr(store, add)(request)
                self._reply(200, response_type().SerializeToString())

            def _reply(self, code: int, payload: bytes):
                self.send_response(code)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="otlp-receiver", daemon=True)

    @property
    def endpoint(self) -> str:
        """Base URL for ``OTEL_EXPORTER_OTLP_ENDPOINT``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> OTLPReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OTLPReceiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class OTLPGrpcReceiver(Store):
    """OTLP/gRPC on 127.0.0.1; with ``refuse`` set, every export fails with that status code."""

    def __init__(self, refuse=None):
        import grpc
        from opentelemetry.proto.collector.logs.v1 import logs_service_pb2_grpc
        from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2_grpc
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc

        super().__init__()
        self.refuse = refuse
        self.refused = 0
        store = self

        def service(base, add, response_type):
            class Service(base):
                def Export(self, request, context):  # noqa: N802 - gRPC API
                    if store.refuse is not None:
                        store.refused += 1
                        context.abort(store.refuse, "refused by test receiver")
                    getattr(store, add)(request)
                    return response_type()
            return Service()

        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(
            service(trace_service_pb2_grpc.TraceServiceServicer, "add_traces",
                    trace_service_pb2.ExportTraceServiceResponse), self._server)
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(
            service(metrics_service_pb2_grpc.MetricsServiceServicer, "add_metrics",
                    metrics_service_pb2.ExportMetricsServiceResponse), self._server)
        logs_service_pb2_grpc.add_LogsServiceServicer_to_server(
            service(logs_service_pb2_grpc.LogsServiceServicer, "add_logs",
                    logs_service_pb2.ExportLogsServiceResponse), self._server)
        self.port = self._server.add_insecure_port("127.0.0.1:0")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OTLPGrpcReceiver:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop(grace=None).wait(5)

    def __enter__(self) -> OTLPGrpcReceiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class BlackHole:
    """A TCP endpoint that accepts every connection, reads nothing and never answers."""

    def __init__(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self._sock.settimeout(0.2)
        self._held: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="black-hole", daemon=True)

    def _accept(self):
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            self._held.append(conn)

    @property
    def port(self) -> int:
        return self._sock.getsockname()[1]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def connections(self) -> int:
        return len(self._held)

    def start(self) -> BlackHole:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(2)
        for conn in self._held:
            conn.close()
        self._sock.close()

    def __enter__(self) -> BlackHole:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def refused_endpoint() -> str:
    """A loopback URL where nothing listens: connections are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
