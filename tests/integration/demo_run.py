"""The demo support agent against the local stack, for the end-to-end and fault tests.

``DemoApp`` runs ``demo.support_agent`` under ``opentelemetry-instrument`` exactly as
``agentotel demo`` does (its ``app_environment``/``app_command``), exporting OTLP/HTTP to the
stack's collector, with one addition: ``OTEL_TRACES_EXPORTER=otlp,console``. The console copy of
every span the SDK exported is the app-side ledger the backends are compared with, span id by span
id. Its stderr keeps the app's JSON log lines (each with its trace id).

``Traffic`` plays seeded conversations from ``demo.traffic`` in small rounds on a thread until
stopped, so that a fault can be injected while the app is sending.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from agentotel_tools.cli import demo as demo_cli
from demo import traffic

REPO = Path(__file__).resolve().parents[2]
APP_START_TIMEOUT = 60.0
#: Variables of the test process that must not leak into the app (a developer's exporter settings
#: or real API keys).
_FOREIGN = ("OTEL_", "AGENTOTEL_", "OPENAI_", "ANTHROPIC_")


@dataclass(frozen=True)
class ExportedSpan:
    """A span as the app's SDK exported it (from the console exporter)."""

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    start: float  # epoch seconds
    end: float


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def parse_console_spans(text: str) -> list[ExportedSpan]:
    """The spans in the console exporter's output (concatenated JSON objects); a partly written last
    object is left out."""
    decoder = json.JSONDecoder()
    spans, pos = [], 0
    while (start := text.find("{", pos)) != -1:
        try:
            obj, pos = decoder.raw_decode(text, start)
        except ValueError:
            break
        ctx = obj["context"]
        spans.append(ExportedSpan(
            trace_id=ctx["trace_id"].removeprefix("0x"), span_id=ctx["span_id"].removeprefix("0x"),
            parent_id=obj["parent_id"].removeprefix("0x") if obj.get("parent_id") else None,
            name=obj["name"], start=_epoch(obj["start_time"]), end=_epoch(obj["end_time"])))
    return spans


class DemoApp:
    """The demo app as a subprocess on a free port; ``stop()`` sends SIGTERM (the app flushes)."""

    def __init__(self, otlp_endpoint: str, provider_url: str, workdir: Path, service: str | None = None,
                 **env: str):
        self.service = service or f"support-agent-it-{uuid.uuid4().hex[:6]}"
        self.instance = uuid.uuid4().hex[:8]
        self.workdir = workdir
        self.spans_path = workdir / "spans.jsonl"
        self.log_path = workdir / "app.log"
        base = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN)}
        base.update(OTEL_TRACES_EXPORTER="otlp,console", **env)
        self.env = demo_cli.app_environment(base, repo=REPO, otlp_endpoint=otlp_endpoint, service=self.service,
                                            run_id=self.instance, fake_provider_url=provider_url)
        self.port = demo_cli.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "DemoApp":
        with open(self.spans_path, "w") as out, open(self.log_path, "w") as err:
            self.proc = subprocess.Popen(demo_cli.app_command(self.port), cwd=REPO, env=self.env, stdout=out,
                                         stderr=err, stdin=subprocess.DEVNULL)
        if not demo_cli.wait_healthy(self.url, self.proc, APP_START_TIMEOUT):
            self.stop()
            raise RuntimeError(f"the demo app did not start:\n{self.log_tail()}")
        return self

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after agentotel demo's deadline; returns the exit code."""
        if self.proc is not None:
            demo_cli.stop_process(self.proc)
            return self.proc.returncode
        return None

    def __enter__(self) -> "DemoApp":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def exported_spans(self) -> list[ExportedSpan]:
        return parse_console_spans(self.spans_path.read_text(errors="replace"))

    def log_records(self) -> list[dict]:
        """The app's JSON log lines (its own logger), each with the trace id of its request."""
        records = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
        return records

    def dropped(self) -> dict | None:
        """agentotel's exit summary of what the app could not export (None: it lost nothing)."""
        for line in self.log_path.read_text(errors="replace").splitlines():
            if "telemetry items were not exported" in line and "dropped=" in line:
                return json.loads(line.split("dropped=", 1)[1])
        return None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Traffic:
    """Seeded conversations in rounds on a background thread, until ``stop()``.

    One seeded plan of ``planned`` conversations is played in order: each round plays the next
    ``per_round`` of them, then waits ``pace`` seconds (on the stop event), so the app exports
    steadily instead of all at once.
    """

    url: str
    prefix: str
    per_round: int = 2
    pace: float = 0.3
    seed: int = 5
    planned: int = 1000
    summaries: list[traffic.Summary] = field(default_factory=list)
    error: BaseException | None = None

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="demo-traffic", daemon=True)

    def _loop(self) -> None:
        plans = traffic.plan(self.planned, self.seed, prefix=self.prefix)
        try:
            for first in range(0, len(plans), self.per_round):
                if self._stop.is_set():
                    break
                chunk = plans[first:first + self.per_round]
                self.summaries.append(traffic.run(self.url, chunk, concurrency=len(chunk), deadline_seconds=60))
                self._stop.wait(self.pace)
        except BaseException as error:  # reported by stop()
            self.error = error

    def start(self) -> "Traffic":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(120)
        if self.error is not None:
            raise self.error

    @property
    def conversations(self) -> int:
        return sum(s.conversations for s in self.summaries)

    @property
    def http_errors(self) -> int:
        return sum(s.http_errors for s in self.summaries)

    def trace_ids(self) -> set[str]:
        return {t for s in self.summaries for r in s.results for t in r.trace_ids}


def eventually(probe, timeout: float, interval: float = 1.0, what: str = ""):
    """Calls ``probe`` until it returns something truthy (returned) or ``timeout`` passes (returns the
    last value). Never raises for a falsy result: callers assert with their own message."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


@dataclass
class DemoTraffic:
    """What the ``demo_traffic`` fixture played and what the app exported; the Summary's attributes
    (``conversations``, ``outcomes``, ``example_traces``, ``results``, ...) are read through."""

    summary: traffic.Summary
    service_name: str
    instance: str
    spans: list[ExportedSpan]  # every span the app's SDK exported
    app_logs: list[dict]  # the app's own log lines, with trace ids
    collector_before: dict[str, float]  # the collector's otelcol_* counters before the app started
    collector_after: dict[str, float]  # ... once everything had arrived
    waited_seconds: float
    pending: list[str]  # what had not arrived by the deadline (empty when settled)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.summary, name)

    @property
    def ended(self) -> int:
        """Conversations that ended (resolved, escalated or abandoned): what the app counted."""
        return sum(self.summary.outcomes.get(k, 0) for k in ("resolved", "escalated", "abandoned"))

    def conversation_of(self) -> dict[str, str]:
        """Trace id -> conversation id, from the responses' x-trace-id headers."""
        return {t: r.id for r in self.summary.results for t in r.trace_ids}
