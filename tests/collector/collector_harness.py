"""Run the agentotel collector in tests: build it, pick free ports, start/stop it, and an OTLP/HTTP sink.

Also used by benchmarks/collector_throughput.py, so it depends only on the standard library,
PyYAML and opentelemetry-proto.
"""

from __future__ import annotations

import gzip
import os
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

from tests.support.otlp_receiver import any_value, attributes

REPO = Path(__file__).resolve().parents[2]
COLLECTOR_DIR = REPO / "collector"
BUILD_SCRIPT = COLLECTOR_DIR / "build.sh"
MANIFEST = COLLECTOR_DIR / "builder-config.yaml"
BASE_CONFIG = COLLECTOR_DIR / "config.yaml"
OVERLAYS = COLLECTOR_DIR / "overlays"

# Every address the base config reads from the environment, with the port role it needs.
ENDPOINT_VARS = (
    "OTELCOL_OTLP_GRPC_ENDPOINT",
    "OTELCOL_OTLP_HTTP_ENDPOINT",
    "OTELCOL_HEALTH_ENDPOINT",
    "OTELCOL_PROMETHEUS_ENDPOINT",
    "OTELCOL_PPROF_ENDPOINT",
    "OTELCOL_ZPAGES_ENDPOINT",
)


def build_collector(check_only: bool = False) -> Path | None:
    """Run collector/build.sh (idempotent) and return the binary path it prints last.

    With check_only, return the path only when the cached binary is current (no build).
    """
    args = ["bash", str(BUILD_SCRIPT)] + (["--check"] if check_only else [])
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=None if not check_only else subprocess.DEVNULL,
                          text=True, check=False)
    if check_only:
        return Path(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 and proc.stdout.strip() else None
    if proc.returncode != 0:
        raise RuntimeError(f"collector/build.sh failed with exit code {proc.returncode}")
    return Path(proc.stdout.strip().splitlines()[-1])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loopback_env(storage_dir: Path, **extra: str) -> dict[str, str]:
    """Environment that puts every collector listener on a free loopback port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTELCOL_")}
    for var in ENDPOINT_VARS:
        env[var] = f"127.0.0.1:{free_port()}"
    env["OTELCOL_TELEMETRY_HOST"] = "127.0.0.1"
    env["OTELCOL_TELEMETRY_PORT"] = str(free_port())
    env["OTELCOL_STORAGE_DIR"] = str(storage_dir)
    env.update(extra)
    return env


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    """Poll predicate until it returns something truthy; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except Exception as exc:  # the thing polled may not be up yet
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what} (last error: {last_error})")


def http_get(url: str, accept: str | None = None, timeout: float = 5.0) -> tuple[int, str]:
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def http_post(url: str, body: bytes, content_type: str = "application/x-protobuf", timeout: float = 10.0) -> int:
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        resp.read()
        return resp.status


@dataclass
class Collector:
    """A running agentotel-collector process; stop() always cleans it up."""

    binary: Path
    configs: list[Path]
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen | None = None

    def start(self, health_timeout: float = 60.0) -> "Collector":
        args = [str(self.binary)]
        for cfg in self.configs:
            args += ["--config", str(cfg)]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        wait_until(self._healthy, health_timeout, f"collector health check ({self.log_path})")
        return self

    def _healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"collector exited with {self.proc.returncode}:\n{self.log()}")
        status, _ = http_get(f"http://{self.env['OTELCOL_HEALTH_ENDPOINT']}/", timeout=2)
        return status == 200

    def url(self, var: str, path: str = "") -> str:
        return f"http://{self.env[var]}{path}"

    @property
    def telemetry_url(self) -> str:
        return f"http://{self.env['OTELCOL_TELEMETRY_HOST']}:{self.env['OTELCOL_TELEMETRY_PORT']}/metrics"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if getattr(self, "_log", None) is not None:
            self._log.close()


# --- a minimal OTLP/HTTP (protobuf) receiver -------------------------------------------------


@dataclass
class OtlpSink:
    """Accepts OTLP/HTTP traces and logs on a loopback port and keeps what arrived."""

    port: int = field(default_factory=free_port)
    spans: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    span_count: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "OtlpSink":
        from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding", "") == "gzip":
                    body = gzip.decompress(body)
                if self.path == "/v1/traces":
                    req = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
                    sink._add_traces(req)
                    reply = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                elif self.path == "/v1/logs":
                    req = logs_service_pb2.ExportLogsServiceRequest.FromString(body)
                    sink._add_logs(req)
                    reply = logs_service_pb2.ExportLogsServiceResponse().SerializeToString()
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def _add_traces(self, req: Any) -> None:
        with self._lock:
            for rs in req.resource_spans:
                resource = attributes(rs.resource.attributes)
                for ss in rs.scope_spans:
                    for span in ss.spans:
                        self.span_count += 1
                        self.spans.append({
                            "name": span.name,
                            "resource": resource,
                            "attributes": attributes(span.attributes),
                            "events": [{"name": e.name, "attributes": attributes(e.attributes)} for e in span.events],
                        })

    def _add_logs(self, req: Any) -> None:
        with self._lock:
            for rl in req.resource_logs:
                resource = attributes(rl.resource.attributes)
                for sl in rl.scope_logs:
                    for rec in sl.log_records:
                        self.logs.append({
                            "event_name": rec.event_name,
                            "body": any_value(rec.body),
                            "resource": resource,
                            "attributes": attributes(rec.attributes),
                        })

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


# --- Prometheus text exposition ----------------------------------------------------------------

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*?)\})?\s+(\S+)(.*)$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


@dataclass
class Sample:
    name: str
    labels: dict[str, str]
    value: float
    rest: str  # exemplar part, if any


def parse_prometheus(text: str) -> list[Sample]:
    """Samples of a Prometheus/OpenMetrics text exposition (comments skipped)."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if m:
            labels = dict(_LABEL.findall(m.group(2) or ""))
            samples.append(Sample(m.group(1), labels, float(m.group(3)), m.group(4)))
    return samples
