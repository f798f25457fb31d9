"""Faults in the middle of traffic lose no span: a collector killed with SIGKILL and restarted, and
Jaeger stopped for 30 s and started again, while the demo agent keeps serving conversations.

The app-side ledger is every span the demo app's SDK exported (``DemoApp`` adds a console copy of the
OTLP export); the store-side count is what Jaeger returns for the service. Duplicates are allowed (a
batch in flight at a crash may be delivered twice), losses are not. The figures of each run are
printed (``pytest -s``) and recorded in docs/benchmarks.md, "Fault tolerance".
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass

import pytest

from demo.fake_provider import start_fake_provider
from tests.integration import backend_queries as bq
from tests.integration.demo_run import DemoApp, ExportedSpan, Traffic, eventually

pytestmark = pytest.mark.integration

#: How long Jaeger stays down in the backend-outage test.
JAEGER_OUTAGE_SECONDS = 30.0
#: Seconds the backlog of an outage may take to reach Jaeger after the fault ended. The collector's
#: retry backoff (5 s, growing to 30 s) and gRPC's reconnect backoff both run during an outage.
RECOVERY_TIMEOUT = 120.0
#: Seconds for the app to warm up, and for phases of traffic to happen.
PHASE_TIMEOUT = 60.0
#: The app's OTLP exporter retries a refused export with backoff (1, 2, 4, 8 s) until this many
#: seconds after its first attempt. The SDK's 10 s default covers a quick restart; 20 s leaves room
#: for a collector that takes a few seconds to start on a busy machine.
APP_EXPORT_TIMEOUT = "20"


@dataclass
class FaultFigures:
    fault: str
    conversations: int
    spans_sent: int  # spans the app exported that must be in Jaeger
    spans_found: int
    duplicates: int  # extra copies Jaeger returns (same trace and span id)
    fault_seconds: float  # how long the component was down
    recovery_seconds: float  # from the component's return until its backlog was in Jaeger
    spans_before_fault: int = 0
    spans_before_fault_found: int = 0


@pytest.fixture(scope="module")
def provider():
    provider = start_fake_provider()
    yield provider
    provider.stop()


def _keys(spans: list[ExportedSpan]) -> set[tuple[str, str]]:
    return {(s.trace_id, s.span_id) for s in spans}


def _stored(stack, service: str):
    return bq.span_id_counts(bq.jaeger_service_spans(stack.jaeger_query_url, service))


def _flowing(stack, app: DemoApp) -> bool:
    """The app has exported a fair amount and Jaeger holds some of it: the pipeline runs end to end."""
    return len(app.exported_spans()) >= 60 and bool(_stored(stack, app.service))


def _ended_after(app: DemoApp, moment: float, margin: float) -> bool:
    """The app has exported spans that ended ``margin`` seconds after ``moment``."""
    return any(s.end >= moment + margin for s in app.exported_spans())


def _wait_backlog(stack, app: DemoApp, since: float, until: float) -> float | None:
    """Seconds from ``until`` until Jaeger holds every span that ended between ``since`` and ``until``
    (None if it never did within RECOVERY_TIMEOUT)."""
    def arrived():
        backlog = _keys([s for s in app.exported_spans() if since < s.end <= until])
        return bool(backlog) and backlog <= set(_stored(stack, app.service))

    if eventually(arrived, RECOVERY_TIMEOUT, interval=0.5):
        return round(time.time() - until, 1)
    return None


def _final_wait(recovery: float | None) -> float:
    """Seconds to wait for the spans sent after the fault: long when the backlog arrived, short when
    it never did (the test fails either way, with the figures)."""
    return RECOVERY_TIMEOUT if recovery is not None else 5.0


def _figures(fault: str, traffic: Traffic, expected: set, stored, fault_seconds: float,
             recovery: float | None, before: set = frozenset()) -> FaultFigures:
    figures = FaultFigures(
        fault=fault, conversations=traffic.conversations, spans_sent=len(expected),
        spans_found=len(expected & set(stored)), duplicates=sum(n - 1 for n in stored.values() if n > 1),
        fault_seconds=round(fault_seconds, 1), recovery_seconds=recovery if recovery is not None else -1.0,
        spans_before_fault=len(before), spans_before_fault_found=len(before & set(stored)))
    print(f"\nfault figures: {asdict(figures)}")
    return figures


def test_jaeger_outage_loses_no_span(whole_stack, provider, tmp_path):
    """Jaeger stopped for 30 s during traffic: the collector keeps the spans in its persistent queue,
    failing and retrying, and delivers every span the app sent during and after the outage."""
    stack = whole_stack
    app = DemoApp(stack.collector_otlp_http, provider.base_url, tmp_path,
                  service=f"fault-jaeger-{uuid.uuid4().hex[:6]}")
    try:
        with app:
            load = Traffic(app.url, prefix=f"jaeger-{app.instance}", per_round=1, pace=0.5).start()
            try:
                assert eventually(lambda: _flowing(stack, app), PHASE_TIMEOUT), "no traffic reached Jaeger"
                stack.stop("jaeger")
                stopped = time.time()
                try:
                    # The collector holds the app's requests in its persistent queue, which grows
                    # (its exporter retries meanwhile; an item counts as failed only once retries end).
                    def queued() -> float:
                        traces = bq.collector_counters(stack.collector_metrics_url, data_type="traces")
                        return traces.get("otelcol_exporter_queue_size", 0.0)

                    at_stop = queued()

                    def holding():
                        return queued() >= at_stop + 3

                    assert eventually(holding, JAEGER_OUTAGE_SECONDS, interval=0.5), \
                        "the collector did not queue spans while Jaeger was down"
                    # The rest of the outage: the fault lasts this long whatever happens meanwhile.
                    time.sleep(max(0.0, stopped + JAEGER_OUTAGE_SECONDS - time.time()))
                finally:
                    stack.start("jaeger")
                started = time.time()
                recovery = _wait_backlog(stack, app, stopped, started)
                assert eventually(lambda: _ended_after(app, started, 2.0), PHASE_TIMEOUT)
            finally:
                load.stop()
        assert load.http_errors == 0, "the app failed requests during the outage"
        assert app.dropped() is None or not any(app.dropped()["traces"].values()), app.dropped()
        exported = app.exported_spans()
        # What Jaeger stored before it stopped is gone with its in-memory storage: the spans that ended
        # after the stop are those that can only have reached Jaeger through the collector's queue.
        expected = _keys([s for s in exported if s.end > stopped])
        earlier = _keys([s for s in exported if s.end <= stopped])
        eventually(lambda: expected <= set(_stored(stack, app.service)), _final_wait(recovery))
        stored = _stored(stack, app.service)
        figures = _figures("jaeger stopped", load, expected, stored, started - stopped, recovery, earlier)
        assert figures.spans_found == figures.spans_sent, f"{figures.spans_sent - figures.spans_found} spans lost"
        assert recovery is not None, "the outage's backlog did not reach Jaeger"
        assert figures.spans_sent > 500
    finally:
        # The outage's failed sends stay in the collector's otelcol_* counters until it restarts;
        # later tests read those counters as "nothing failed".
        stack.restart("collector")


def test_collector_crash_loses_no_span(whole_stack, provider, tmp_path):
    """kill -9 of the collector while the app is sending, then a restart: the app's exporter retries
    across the gap, the collector's persistent queue keeps what it had acknowledged, and every span
    the app exported is in Jaeger."""
    stack = whole_stack
    app = DemoApp(stack.collector_otlp_http, provider.base_url, tmp_path,
                  service=f"fault-crash-{uuid.uuid4().hex[:6]}", OTEL_EXPORTER_OTLP_TIMEOUT=APP_EXPORT_TIMEOUT)
    with app:
        load = Traffic(app.url, prefix=f"crash-{app.instance}", per_round=1, pace=0.5).start()
        try:
            assert eventually(lambda: _flowing(stack, app), PHASE_TIMEOUT), "no traffic reached Jaeger"
            stack.kill("collector")
            killed = time.time()
            try:
                # Down long enough that the app has spans to send while nobody listens (its batch
                # processor exports every second).
                assert eventually(lambda: _ended_after(app, killed, 1.5), PHASE_TIMEOUT)
            finally:
                stack.start("collector")
            restarted = time.time()
            recovery = _wait_backlog(stack, app, 0.0, restarted)
            assert eventually(lambda: _ended_after(app, restarted, 2.0), PHASE_TIMEOUT)
        finally:
            load.stop()
    assert load.http_errors == 0, "the app failed requests while the collector was down"
    assert app.dropped() is None or not any(app.dropped()["traces"].values()), app.dropped()
    expected = _keys(app.exported_spans())
    eventually(lambda: expected <= set(_stored(stack, app.service)), _final_wait(recovery))
    stored = _stored(stack, app.service)
    figures = _figures("collector kill -9", load, expected, stored, restarted - killed, recovery)
    assert figures.spans_found == figures.spans_sent, f"{figures.spans_sent - figures.spans_found} spans lost"
    assert recovery is not None, "the spans sent around the crash did not reach Jaeger"
    assert figures.spans_sent > 100
