"""The exporting end of each pipeline: counts what it drops and never holds the app up.

The SDK's batch processors already keep span end and log emit queue-only; what they do not do is
say what they lose, or bound their waits: ``force_flush`` ignores its timeout and ``shutdown`` can
wait for a hung exporter (timeouts and retries) for half a minute. These wrappers add both around
the stock SDK classes, without changing them:

- ``CountingSpanExporter`` / ``CountingLogExporter`` / ``CountingMetricExporter`` record each
  export's outcome in the pipeline's ``Ledger``; a failure (result or exception) drops the batch
  as ``export_failed`` and is logged once.
- ``CountingSpanProcessor`` / ``CountingLogProcessor`` wrap a batch processor: they count what
  enters it and what its full queue pushes out (``queue_full``), and run ``force_flush`` and
  ``shutdown`` on a helper thread that the caller waits for at most its timeout.
- ``BoundedMetricReader`` is a ``PeriodicExportingMetricReader`` with the same bounded waits.

At shutdown the OTLP exporters are told to stop retrying (``stop_retrying``), so a collector that
refuses costs one attempt per batch instead of up to 10 s of back-off. What is still queued or in
flight when ``shutdown`` returns is settled as ``shutdown`` drops.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
from collections.abc import Callable, Sequence

from opentelemetry.sdk._logs import LogRecordProcessor
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.metrics.export import (
    MetricExporter,
    MetricExportResult,
    MetricsData,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from ..core import forks
from ..core.log_once import warn_once
from .stats import QUEUE_FULL, SHUTDOWN, Ledger

_log = logging.getLogger("agentotel")


class BoundedCall:
    """Runs a blocking call on a daemon helper thread; each caller waits at most its timeout.

    A call made while the previous one still runs joins that one instead of piling up threads
    behind a hung exporter.
    """

    def __init__(self, name: str):
        self._name = name
        self._lock = threading.Lock()
        self._done: threading.Event | None = None
        self._outcome: list = [None]
        forks.renew_in_child(self)
        forks.call_in_child(self, "_forget_call")

    def _forget_call(self) -> None:
        """In a forked child: the call in progress ran on a parent's thread, which is not here."""
        self._done, self._outcome = None, [None]

    def __call__(self, fn: Callable[[], object], timeout: float) -> bool:
        """True when ``fn`` finished within ``timeout`` seconds and returned a truthy value or None."""
        with self._lock:
            if self._done is None or self._done.is_set():
                done, outcome = threading.Event(), [None]

                def run():
                    try:
                        outcome[0] = fn()
                    except Exception as exc:  # noqa: BLE001
                        outcome[0] = False
                        warn_once(f"{self._name}:{type(exc).__name__}", "%s failed: %r", self._name, exc)
                    finally:
                        done.set()

                self._done, self._outcome = done, outcome
                threading.Thread(target=run, name=f"agentotel-{self._name}", daemon=True).start()
            done, outcome = self._done, self._outcome
        if not done.wait(max(timeout, 0.0)):
            return False
        return outcome[0] is None or bool(outcome[0])


def _endpoint(exporter) -> str:
    return str(getattr(exporter, "_endpoint", None) or type(exporter).__name__)


def stop_retrying(exporter) -> bool:
    """Make an OTLP exporter give up after its current attempt instead of backing off and retrying.

    At shutdown a retry can only delay the exit: the OTLP exporters back off for up to their whole
    timeout (10 s) while the collector refuses. Both set a private event on ``shutdown()`` that ends
    the retry loop; setting it earlier keeps the transport open, so the final batch is still sent
    once. False when the exporter has no such event (then the shutdown deadline bounds the wait).
    """
    event = getattr(getattr(exporter, "_client", None), "_shutdown_event", None)  # OTLP/HTTP
    if event is None:
        event = getattr(exporter, "_shutdown_in_progress", None)  # OTLP/gRPC
    if isinstance(event, threading.Event):
        event.set()
        return True
    return False


class _ExportCounting:
    """Shared by the counting exporters: run one export, record its outcome."""

    _success: object
    _failure: object
    _inner: object
    _ledger: Ledger
    exports_started = 0  # export calls so far (the metric reader checks whether its final one began)

    def stop_retrying(self) -> bool:
        return stop_retrying(self._inner)

    def _counted(self, inner_export: Callable[[], object], count: int, accept: bool):
        ledger = self._ledger
        self.exports_started += 1
        if accept:
            ledger.accept(count)
        ledger.start_export(count)
        result = self._failure
        try:
            result = inner_export()
        except Exception as exc:  # noqa: BLE001 - an exporter bug must not reach the SDK's worker
            warn_once(f"export-raised:{ledger.signal}", "the %s exporter raised %r; the batch is dropped",
                      ledger.signal, exc)
        finally:
            delivered = result == self._success
            ledger.finish_export(count, delivered)
            if not delivered:
                warn_once(f"export-failed:{ledger.signal}",
                          "cannot export %s to %s; dropped items are counted in "
                          "agentotel.telemetry.dropped (logged once)", ledger.signal, _endpoint(self._inner))
        return result


class CountingSpanExporter(_ExportCounting, SpanExporter):
    _success, _failure = SpanExportResult.SUCCESS, SpanExportResult.FAILURE

    def __init__(self, inner: SpanExporter, ledger: Ledger):
        self._inner = inner
        self._ledger = ledger

    def export(self, spans: Sequence) -> SpanExportResult:
        return self._counted(lambda: self._inner.export(spans), len(spans), accept=False)

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


class CountingLogExporter(_ExportCounting, LogRecordExporter):
    _success, _failure = LogRecordExportResult.SUCCESS, LogRecordExportResult.FAILURE

    def __init__(self, inner: LogRecordExporter, ledger: Ledger):
        self._inner = inner
        self._ledger = ledger

    def export(self, batch: Sequence) -> LogRecordExportResult:
        return self._counted(lambda: self._inner.export(batch), len(batch), accept=False)

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


def count_data_points(data: MetricsData) -> int:
    return sum(len(metric.data.data_points)
               for rm in data.resource_metrics for sm in rm.scope_metrics for metric in sm.metrics)


class CountingMetricExporter(_ExportCounting, MetricExporter):
    """Counts data points: a metric export that fails loses the points it carried."""

    _success, _failure = MetricExportResult.SUCCESS, MetricExportResult.FAILURE

    def __init__(self, inner: MetricExporter, ledger: Ledger):
        super().__init__(preferred_temporality=inner._preferred_temporality,
                         preferred_aggregation=inner._preferred_aggregation)
        self._inner = inner
        self._ledger = ledger

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs) -> MetricExportResult:
        return self._counted(lambda: self._inner.export(metrics_data, timeout_millis=timeout_millis, **kwargs),
                             count_data_points(metrics_data), accept=True)

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return self._inner.force_flush(timeout_millis=timeout_millis)

    def shutdown(self, timeout_millis: float = 30_000, **kwargs) -> None:
        self._inner.shutdown(timeout_millis=timeout_millis, **kwargs)


def _queue_full_probe(processor) -> Callable[[], bool]:
    """A check for "the batch processor's queue is full", so the item it pushes out is counted.

    The SDK drops the oldest queued item without telling anyone; its queue is the only witness.
    Without the attributes (another SDK version) nothing is counted here and those items show up
    as ``shutdown`` drops when the ledger is settled.
    """
    batch = getattr(processor, "_batch_processor", None)
    queue = getattr(batch, "_queue", None)
    capacity = getattr(batch, "_max_queue_size", None)
    if queue is None or not isinstance(capacity, int):
        return lambda: False
    return lambda: len(queue) >= capacity


class _CountingProcessor:
    """Shared by the processor wrappers: counting on entry, bounded flush and shutdown."""

    def __init__(self, inner, exporter: _ExportCounting, shutdown_timeout: float):
        self._inner = inner
        self._exporter = exporter
        self._ledger = ledger = exporter._ledger
        self._shutdown_timeout = shutdown_timeout
        self._queue_full = _queue_full_probe(inner)
        self._closed = False
        self._flush = BoundedCall(f"{ledger.signal}-flush")
        self._stop = BoundedCall(f"{ledger.signal}-shutdown")

    def _admit(self) -> bool:
        if self._closed:
            self._ledger.accept(1)  # counted as a shutdown drop once settled
            return False
        if self._queue_full():
            self._ledger.drop(QUEUE_FULL)
        self._ledger.accept(1)
        return True

    def force_flush(self, timeout_millis: int | None = 30000) -> bool:
        timeout = 30.0 if timeout_millis is None else timeout_millis / 1000
        return self._flush(functools.partial(self._inner.force_flush, int(timeout * 1000)), timeout)

    def shutdown(self) -> None:
        self._closed = True
        self._exporter.stop_retrying()
        self._stop(self._inner.shutdown, self._shutdown_timeout)
        self._ledger.settle()


class CountingSpanProcessor(_CountingProcessor, SpanProcessor):
    def on_start(self, span, parent_context=None) -> None:
        self._inner.on_start(span, parent_context=parent_context)

    def _on_ending(self, span) -> None:
        on_ending = getattr(self._inner, "_on_ending", None)
        if on_ending is not None:
            on_ending(span)

    def on_end(self, span) -> None:
        # Unsampled spans never enter the batch queue; they are not telemetry that could be lost.
        if not (span.context and span.context.trace_flags.sampled):
            return
        if self._admit():
            self._inner.on_end(span)


class CountingLogProcessor(_CountingProcessor, LogRecordProcessor):
    def on_emit(self, log_record) -> None:
        if self._admit():
            self._inner.on_emit(log_record)


class BoundedMetricReader(PeriodicExportingMetricReader):
    """A periodic reader whose ``force_flush`` honours its timeout and whose ``shutdown`` is capped."""

    def __init__(self, exporter: CountingMetricExporter, shutdown_timeout: float, **kwargs):
        super().__init__(exporter, **kwargs)
        self._ledger = exporter._ledger
        self._shutdown_timeout = shutdown_timeout
        self._flush = BoundedCall("metrics-flush")
        self._stop = BoundedCall("metrics-shutdown")

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        flush = functools.partial(PeriodicExportingMetricReader.force_flush, self, timeout_millis=timeout_millis)
        return self._flush(flush, timeout_millis / 1000)

    def shutdown(self, timeout_millis: float = 30_000, **kwargs) -> None:
        timeout_millis = min(timeout_millis, self._shutdown_timeout * 1000)
        self._exporter.stop_retrying()
        stop = functools.partial(PeriodicExportingMetricReader.shutdown, self, timeout_millis=timeout_millis, **kwargs)
        exports_before = self._exporter.exports_started
        self._stop(stop, timeout_millis / 1000)
        # The SDK's shutdown may return before its final collection was exported: only an export
        # call that began since tells that the final values went out (or are counted in flight).
        if self._exporter.exports_started == exports_before and not self._ledger.settled:
            self._count_unexported()
        self._ledger.settle()

    def _count_unexported(self) -> None:
        """The final collection never reached the exporter (still stuck on an earlier export):
        count the data points it would have carried as lost at shutdown."""
        collect = getattr(self, "_collect", None)  # set by the MeterProvider that owns the reader
        if collect is None:
            return
        try:
            data = collect(self, timeout_millis=100)
            if data is not None:
                lost = count_data_points(data)
                self._ledger.accept(lost)
                self._ledger.drop(SHUTDOWN, lost)
        except Exception:  # noqa: BLE001 - counting must not hold up the exit
            pass
