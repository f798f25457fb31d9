"""Test exporters that succeed, fail, raise or hang on demand (for exporting-pipeline tests)."""

from __future__ import annotations

import threading
import time

from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult


class Gate:
    """Exporters block on ``gate`` while it is closed; ``release()`` lets every call through."""

    def __init__(self, closed: bool = False):
        self._open = threading.Event()
        if not closed:
            self._open.set()
        self.calls = 0

    def wait(self):
        self.calls += 1
        self._open.wait(30)

    def release(self):
        self._open.set()


class FakeSpanExporter(SpanExporter):
    """Returns ``result`` (or raises ``error``) after passing ``gate``; keeps what it was given."""

    def __init__(self, result=SpanExportResult.SUCCESS, gate: Gate | None = None, error: Exception | None = None):
        self.result, self.gate, self.error = result, gate or Gate(), error
        self.exported: list = []

    def export(self, spans):
        self.gate.wait()
        if self.error:
            raise self.error
        self.exported.extend(spans)
        return self.result

    def shutdown(self):
        pass


class FakeLogExporter(LogRecordExporter):
    def __init__(self, result=LogRecordExportResult.SUCCESS, gate: Gate | None = None):
        self.result, self.gate = result, gate or Gate()
        self.exported: list = []

    def export(self, batch):
        self.gate.wait()
        self.exported.extend(batch)
        return self.result

    def shutdown(self):
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class FakeMetricExporter(MetricExporter):
    def __init__(self, result=MetricExportResult.SUCCESS, gate: Gate | None = None):
        super().__init__()
        self.result, self.gate = result, gate or Gate()
        self.exported: list = []

    def export(self, metrics_data, timeout_millis: float = 10_000, **kwargs):
        self.gate.wait()
        self.exported.append(metrics_data)
        return self.result

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs) -> None:
        pass


def wait_until(predicate, timeout: float = 5.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)
