"""Integration fixtures: the whole local stack (collector, Jaeger, VictoriaLogs, Prometheus) on
free loopback ports, started once per test session by the stack manager and stopped at the end.

The ``stack`` fixture yields an ``agentotel_tools.stack.Stack``:

- endpoints: ``collector_otlp_grpc`` (host:port), ``collector_otlp_http`` (base URL),
  ``collector_health_url``, ``collector_metrics_url`` (the collector's own otelcol_* metrics),
  ``collector_prometheus_exporter_url`` (the apps' metrics), ``jaeger_query_url``,
  ``prometheus_url``, ``victorialogs_url``;
- fault injection on a component (``collector``, ``jaeger``, ``victoria-logs``, ``prometheus``):
  ``stop(name)`` (SIGTERM, then SIGKILL after a deadline), ``kill(name)`` (SIGKILL at once, as a
  crash), ``start(name)`` (same ports and data; waits until healthy), ``restart(name)``,
  ``is_healthy(name)``, ``pid(name)``, ``log_tail(name)``;
- ``up(build=False)`` starts again whatever a test left stopped.

A test that stops or kills a component must start it again (in a ``finally``) so the tests after
it find the stack whole.

The ``demo_traffic`` fixture (session) plays 30 seeded conversations against the demo support
agent exporting to that stack and returns once everything the app sent is in the backends (see
``demo_run.DemoTraffic``).
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

import pytest

from agentotel_tools.stack import COMPONENTS, Layout, Ports, Stack
from agentotel_tools.stack.components import BINARIES
from tests.integration import backend_queries as bq
from tests.integration.demo_run import DemoApp, DemoTraffic, eventually


#: The checkout these tests belong to (not necessarily the one the venv's package points at).
REPO = Path(__file__).resolve().parents[2]


def _missing_binaries(layout: Layout) -> list[str]:
    return [exe for exe in BINARIES.values() if not layout.binary(exe).exists()]


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The local stack on free loopback ports, healthy, for the whole session."""
    layout = Layout.discover(tmp_path_factory.mktemp("agentotel-stack"), repo=REPO)
    stack = Stack(layout, ports=Ports.free(), out=sys.stderr)
    try:
        # setup.sh builds everything first; only a missing binary is built here.
        stack.up(build=bool(_missing_binaries(layout)))
        yield stack
    finally:
        results = stack.down()
        killed = [name for name, result in results.items() if result == "killed"]
        if killed:
            print(f"stack teardown: {', '.join(killed)} ignored SIGTERM and was killed", file=sys.stderr)


@pytest.fixture()
def whole_stack(stack):
    """The session's stack with every component running (restarts what an earlier test stopped)."""
    stack.up(build=False)
    yield stack
    down = [name for name in COMPONENTS if stack.pid(name) is None]
    assert not down, f"the test left {', '.join(down)} stopped"


#: The demo traffic: conversations, seed and concurrency (the seed fixes every conversation).
DEMO_CONVERSATIONS, DEMO_SEED, DEMO_CONCURRENCY = 30, 11, 4
#: Seconds the demo's telemetry may take to reach every backend after the app exited.
DEMO_SETTLE_TIMEOUT = 120.0


def _demo_pending(stack, app: DemoApp, summary, exported, logs) -> list[str]:
    """What of the demo app's telemetry the backends do not hold yet, in words ([] when settled)."""
    service, pending = app.service, []
    ended = sum(summary.outcomes.get(k, 0) for k in ("resolved", "escalated", "abandoned"))
    counted = bq.prom_scalar(stack.prometheus_url, f'sum(agentotel_conversations_total{{service_name="{service}"}})')
    if counted != ended:
        pending.append(f"Prometheus counts {counted} conversations, not {ended}")
    calls = bq.prom_scalar(stack.prometheus_url, f'sum(traces_span_metrics_calls_total{{service_name="{service}"}})')
    if calls != len(exported):
        pending.append(f"span metrics count {calls} calls, not {len(exported)}")
    stored = set(bq.span_id_counts(bq.jaeger_service_spans(stack.jaeger_query_url, service)))
    missing = {(s.trace_id, s.span_id) for s in exported} - stored
    if missing:
        pending.append(f"Jaeger lacks {len(missing)} of {len(exported)} spans")
    kept = {(r.get("trace_id"), r.get("_msg")) for r in bq.service_logs(stack.victorialogs_url, service)}
    absent = [r for r in logs if r.get("trace_id") and (r["trace_id"], r["message"]) not in kept]
    if absent:
        pending.append(f"VictoriaLogs lacks {len(absent)} of the app's log records")
    return pending


@pytest.fixture(scope="session")
def demo_traffic(stack, tmp_path_factory) -> DemoTraffic:
    """The demo agent played 30 seeded conversations against the stack and exited (SIGTERM, so it
    flushed); returns once Prometheus, Jaeger and VictoriaLogs hold everything it exported."""
    from demo import traffic
    from demo.fake_provider import start_fake_provider

    workdir = tmp_path_factory.mktemp("demo-traffic")
    before = bq.collector_counters(stack.collector_metrics_url)
    provider = start_fake_provider()
    try:
        with DemoApp(stack.collector_otlp_http, provider.base_url, workdir,
                     service=f"support-agent-traffic-{uuid.uuid4().hex[:6]}") as app:
            plans = traffic.plan(DEMO_CONVERSATIONS, DEMO_SEED, prefix=f"it-{app.instance}")
            summary = traffic.run(app.url, plans, concurrency=DEMO_CONCURRENCY, deadline_seconds=120)
    finally:
        provider.stop()
    assert summary.http_errors == 0 and not {"failed", "skipped"} & set(summary.outcomes), (
        f"the demo traffic did not play cleanly:\n{summary.to_text()}\n{app.log_tail()}")
    exported, logs = app.exported_spans(), app.log_records()
    began, pending = time.monotonic(), []

    def settled() -> bool:
        pending[:] = _demo_pending(stack, app, summary, exported, logs)
        return not pending

    eventually(settled, DEMO_SETTLE_TIMEOUT, interval=2.0)
    return DemoTraffic(summary=summary, service_name=app.service, instance=app.instance, spans=exported,
                       app_logs=logs, collector_before=before,
                       collector_after=bq.collector_counters(stack.collector_metrics_url),
                       waited_seconds=round(time.monotonic() - began, 1), pending=pending)
