"""Counting exporters and bounded processors: every lost item is counted by reason, no wait is unbounded."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from tests.support.fake_exporters import FakeLogExporter, FakeMetricExporter, FakeSpanExporter, wait_until
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExportResult
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExportResult
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from agentotel.autoconf import stats
from agentotel.autoconf.exporting import (
    BoundedCall,
    BoundedMetricReader,
    CountingLogExporter,
    CountingLogProcessor,
    CountingMetricExporter,
    CountingSpanExporter,
    CountingSpanProcessor,
    stop_retrying,
)
from tests.support.otlp_receiver import refused_endpoint


def span_pipeline(exporter, queue=2048, batch=512, shutdown_timeout=0.3, sampler=None):
    counting = CountingSpanExporter(exporter, stats.new_ledger("traces"))
    processor = CountingSpanProcessor(
        BatchSpanProcessor(counting, max_queue_size=queue, max_export_batch_size=batch, schedule_delay_millis=60_000),
        counting, shutdown_timeout)
    provider = TracerProvider(shutdown_on_exit=False, sampler=sampler)
    provider.add_span_processor(processor)
    return provider, counting._ledger


def end_spans(provider, n):
    tracer = provider.get_tracer("test")
    for i in range(n):
        tracer.start_span(f"span {i}").end()


class TestCountingExporters:
    def test_delivered_batches_are_not_drops(self):
        """A successful export counts its items as exported and drops nothing."""
        provider, ledger = span_pipeline(FakeSpanExporter())
        end_spans(provider, 3)
        assert provider.force_flush(2000)
        assert ledger.exported == 3
        assert stats.dropped()["traces"] == {"queue_full": 0, "export_failed": 0, "shutdown": 0}
        provider.shutdown()

    def test_failed_export_counts_export_failed(self):
        """A batch the exporter gives up on counts each of its spans as export_failed."""
        provider, _ = span_pipeline(FakeSpanExporter(SpanExportResult.FAILURE))
        end_spans(provider, 4)
        provider.force_flush(2000)
        assert stats.dropped()["traces"]["export_failed"] == 4
        provider.shutdown()

    def test_raising_exporter_is_contained_and_logged_once(self, caplog):
        """An exporter that raises loses its batch as export_failed; the problem is logged once."""
        counting = CountingLogExporter(_RaisingLogExporter(), stats.new_ledger("logs"))
        with caplog.at_level(logging.WARNING, logger="agentotel"):
            for _ in range(3):
                assert counting.export([object(), object()]) == LogRecordExportResult.FAILURE
        assert stats.dropped()["logs"]["export_failed"] == 6
        raised = [r for r in caplog.records if "raised" in r.getMessage()]
        assert len(raised) == 1

    def test_metric_export_counts_data_points(self):
        """A failed metric export loses every data point it carried, counted under metrics."""
        counting = CountingMetricExporter(FakeMetricExporter(MetricExportResult.FAILURE), stats.new_ledger("metrics"))
        reader = BoundedMetricReader(counting, shutdown_timeout=1.0, export_interval_millis=60_000)
        provider = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
        counter = provider.get_meter("test").create_counter("requests")
        counter.add(1, {"route": "a"})
        counter.add(1, {"route": "b"})
        provider.get_meter("test").create_histogram("latency").record(0.2)
        provider.force_flush(2000)
        assert stats.dropped()["metrics"]["export_failed"] == 3
        provider.shutdown()

    def test_wrapper_keeps_exporter_preferences(self):
        """The metric wrapper presents the wrapped exporter's temporality and aggregation to the reader."""
        from opentelemetry.sdk.metrics import Counter
        from opentelemetry.sdk.metrics.export import AggregationTemporality

        inner = FakeMetricExporter()
        inner._preferred_temporality = {Counter: AggregationTemporality.DELTA}
        counting = CountingMetricExporter(inner, stats.new_ledger("metrics"))
        assert counting._preferred_temporality == {Counter: AggregationTemporality.DELTA}


class _RaisingLogExporter(FakeLogExporter):
    def export(self, batch):
        raise RuntimeError("encoder bug")


class TestQueueAndShutdown:
    def test_full_queue_counts_queue_full_and_shutdown_counts_the_rest(self, gates):
        """With the exporter stuck, items pushed out of the full queue are queue_full; what is
        queued or in flight when shutdown gives up is counted as shutdown."""
        gate = gates()
        provider, ledger = span_pipeline(FakeSpanExporter(gate=gate), queue=5, batch=5)
        end_spans(provider, 5)
        wait_until(lambda: ledger.in_flight == 5, what="the first batch to be in the exporter")
        end_spans(provider, 8)  # 5 fill the queue again, 3 push older ones out
        assert stats.dropped()["traces"]["queue_full"] == 3
        started = time.monotonic()
        provider.shutdown()
        assert time.monotonic() - started < 1.0
        assert stats.dropped()["traces"] == {"queue_full": 3, "export_failed": 0, "shutdown": 10}

    def test_span_ended_after_shutdown_is_a_shutdown_drop(self):
        """A span that ends after the pipeline stopped is counted, not silently ignored."""
        provider, _ = span_pipeline(FakeSpanExporter())
        span = provider.get_tracer("test").start_span("late")
        provider.shutdown()
        span.end()
        assert stats.dropped()["traces"]["shutdown"] == 1

    def test_unsampled_spans_are_not_counted(self):
        """Spans the sampler dropped never enter the pipeline and are not telemetry loss."""
        provider, ledger = span_pipeline(FakeSpanExporter(), sampler=ALWAYS_OFF)
        end_spans(provider, 10)
        provider.shutdown()
        assert ledger.accepted == 0 and stats.dropped()["traces"]["shutdown"] == 0

    def test_log_queue_full_is_counted(self, gates):
        """The log pipeline counts what its full queue pushes out, as logs/queue_full."""
        gate = gates()
        counting = CountingLogExporter(FakeLogExporter(gate=gate), stats.new_ledger("logs"))
        batch = BatchLogRecordProcessor(counting, max_queue_size=4, max_export_batch_size=4,
                                        schedule_delay_millis=60_000)
        provider = LoggerProvider(shutdown_on_exit=False)
        provider.add_log_record_processor(CountingLogProcessor(batch, counting, shutdown_timeout=0.3))
        logger = provider.get_logger("test")
        for _ in range(4):
            logger.emit(body="x")
        wait_until(lambda: counting._ledger.in_flight == 4, what="the first log batch to be in the exporter")
        for _ in range(6):
            logger.emit(body="x")
        assert stats.dropped()["logs"]["queue_full"] == 2
        provider.shutdown()
        assert stats.dropped()["logs"]["shutdown"] == 8


class TestBoundedWaits:
    def test_force_flush_returns_within_its_timeout(self, gates):
        """force_flush(timeout) gives up after the timeout even when the exporter hangs."""
        provider, _ = span_pipeline(FakeSpanExporter(gate=gates()))
        end_spans(provider, 3)
        started = time.monotonic()
        assert provider.force_flush(200) is False
        assert time.monotonic() - started < 0.6

    def test_repeated_flushes_share_one_helper_thread(self, gates):
        """Flushing again while a flush hangs waits for that flush instead of starting another."""
        gate = gates()
        call = BoundedCall("flush-test")
        for _ in range(5):
            assert call(gate.wait, 0.02) is False
        assert gate.calls == 1
        assert [t.name for t in threading.enumerate()].count("agentotel-flush-test") == 1

    def test_metric_reader_shutdown_is_capped(self, gates):
        """The metric reader's shutdown waits at most shutdown_timeout, not the SDK's 30 s, and
        counts the points of the abandoned export as shutdown."""
        counting = CountingMetricExporter(FakeMetricExporter(gate=gates()), stats.new_ledger("metrics"))
        reader = BoundedMetricReader(counting, shutdown_timeout=0.3, export_interval_millis=60_000)
        provider = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
        provider.get_meter("test").create_counter("requests").add(1)
        started = time.monotonic()
        provider.shutdown()  # the SDK's default timeout is 30 s
        assert time.monotonic() - started < 1.0
        assert stats.dropped()["metrics"]["shutdown"] == 1

    def test_metric_force_flush_returns_within_its_timeout(self, gates):
        """A metric flush returns after its timeout when the export hangs (the reader says False;
        the SDK's MeterProvider.force_flush reports True whatever its readers say)."""
        counting = CountingMetricExporter(FakeMetricExporter(gate=gates()), stats.new_ledger("metrics"))
        reader = BoundedMetricReader(counting, shutdown_timeout=0.3, export_interval_millis=60_000)
        provider = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
        provider.get_meter("test").create_counter("requests").add(1)
        started = time.monotonic()
        assert reader.force_flush(200) is False
        provider.force_flush(200)
        assert time.monotonic() - started < 0.6
        provider.shutdown()


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_stop_retrying_ends_an_otlp_exporters_backoff(protocol):
    """A real OTLP exporter backing off against a refused endpoint gives up at once when told
    to stop retrying (the stock exporter keeps retrying for up to 10 s)."""
    endpoint = refused_endpoint()
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=endpoint, insecure=True, timeout=10)
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces", timeout=10)
    provider = TracerProvider(shutdown_on_exit=False)
    span = provider.get_tracer("test").start_span("s")
    span.end()
    result: list = []
    worker = threading.Thread(target=lambda: result.append(exporter.export([span])), daemon=True)
    worker.start()
    worker.join(0.3)
    assert worker.is_alive(), "the exporter should still be backing off"
    started = time.monotonic()
    assert stop_retrying(exporter)
    worker.join(5)
    assert not worker.is_alive() and time.monotonic() - started < 1.0
    assert result == [SpanExportResult.FAILURE]
    exporter.shutdown()


class TestStats:
    def test_dropped_lists_every_signal_and_reason(self):
        """dropped() always has all three signals and all three reasons, zeros included."""
        ledger = stats.new_ledger("logs")
        ledger.accept(2)
        ledger.drop("queue_full")
        assert stats.dropped() == {
            "traces": {"queue_full": 0, "export_failed": 0, "shutdown": 0},
            "metrics": {"queue_full": 0, "export_failed": 0, "shutdown": 0},
            "logs": {"queue_full": 1, "export_failed": 0, "shutdown": 0},
        }

    def test_results_after_settling_do_not_change_counts(self):
        """An export abandoned at shutdown that finishes later is not counted twice."""
        ledger = stats.new_ledger("traces")
        ledger.accept(5)
        ledger.start_export(5)
        assert ledger.settle() == 5
        ledger.finish_export(5, delivered=True)
        assert ledger.settle() == 0
        assert ledger.snapshot() == {"queue_full": 0, "export_failed": 0, "shutdown": 5} and ledger.exported == 0

    def test_dropped_metric_reports_each_pair(self):
        """agentotel.telemetry.dropped carries agentotel.signal and agentotel.drop.reason for each
        possible pair, starting at zero."""
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader

        stats.new_ledger("traces").drop("export_failed", 7)
        reader = InMemoryMetricReader()
        provider = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
        stats.register_dropped_metric(provider)
        metric = next(m for rm in reader.get_metrics_data().resource_metrics for sm in rm.scope_metrics
                      for m in sm.metrics if m.name == "agentotel.telemetry.dropped")
        points = {(p.attributes["agentotel.signal"], p.attributes["agentotel.drop.reason"]): p.value
                  for p in metric.data.data_points}
        assert metric.unit == "{item}" and metric.data.is_monotonic
        assert points[("traces", "export_failed")] == 7
        assert len(points) == 8 and ("metrics", "queue_full") not in points
        provider.shutdown()


def test_metrics_never_collected_at_shutdown_are_counted(gates):
    """When an earlier metric export still hangs at shutdown, the final values that could not be
    exported are counted as shutdown drops too."""
    counting = CountingMetricExporter(FakeMetricExporter(gate=gates()), stats.new_ledger("metrics"))
    reader = BoundedMetricReader(counting, shutdown_timeout=0.3, export_interval_millis=60_000)
    provider = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
    counter = provider.get_meter("test").create_counter("requests")
    counter.add(1, {"route": "a"})
    flusher = threading.Thread(target=reader.force_flush, args=(50,), daemon=True)
    flusher.start()
    wait_until(lambda: counting._ledger.in_flight == 1, what="the first export to hang")
    counter.add(1, {"route": "b"})  # a second series, only in the final collection
    provider.shutdown()
    # 1 point stuck in the hung export + 2 points (routes a and b) of the final, unexported state.
    assert stats.dropped()["metrics"] == {"queue_full": 0, "export_failed": 0, "shutdown": 3}
