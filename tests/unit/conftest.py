"""Real SDK providers wired to in-memory exporters, and an emitter that uses them.

The emitter ends spans in the background (its default); the in-memory exporters and reader wait for
that worker before they answer, so a test reads everything ended before it asked."""

from __future__ import annotations

import pytest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentotel.config import Settings, reset_settings
from agentotel.core import deferral
from agentotel.core.emitter import Emitter
from agentotel.core.runtime import set_emitter
from agentotel.processors import CostRollup, span_processors


class DrainingSpanExporter(InMemorySpanExporter):
    """Reads what the emitter's background worker has ended so far, after waiting for it."""

    def get_finished_spans(self):
        assert deferral.worker.drain(10)
        return super().get_finished_spans()


class DrainingMetricReader(InMemoryMetricReader):
    def get_metrics_data(self):
        assert deferral.worker.drain(10)
        return super().get_metrics_data()


class DrainingLogExporter(InMemoryLogRecordExporter):
    def get_finished_logs(self):
        assert deferral.worker.drain(10)
        return super().get_finished_logs()


def find_metric(reader, metric_name):
    """The metric of that name in what ``reader`` collects now, or None."""
    data = reader.get_metrics_data()
    for rm in data.resource_metrics if data else []:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                if metric.name == metric_name:
                    return metric
    return None


class Telemetry:
    def __init__(self, settings: Settings, redactors=()):
        self.spans_exporter = DrainingSpanExporter()
        self.reader = DrainingMetricReader()
        self.logs_exporter = DrainingLogExporter()
        self.tracer_provider = TracerProvider()
        self.rollup = CostRollup()
        self.processors = span_processors(self.rollup)
        for processor in self.processors:
            self.tracer_provider.add_span_processor(processor)
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans_exporter))
        self.meter_provider = MeterProvider(metric_readers=[self.reader])
        self.logger_provider = LoggerProvider()
        self.logger_provider.add_log_record_processor(SimpleLogRecordProcessor(self.logs_exporter))
        reset_settings(settings)
        self.emitter = Emitter(self.tracer_provider, self.meter_provider, self.logger_provider,
                               settings=settings, redactors=redactors, rollup=self.rollup)
        set_emitter(self.emitter)

    def spans(self):
        return list(self.spans_exporter.get_finished_spans())

    def span(self, name):
        matches = [s for s in self.spans() if s.name == name]
        assert len(matches) == 1, f"expected one span {name!r}, got {[s.name for s in self.spans()]}"
        return matches[0]

    def points(self, metric_name):
        """Data points of a metric, as (attributes, point) pairs."""
        data = self.reader.get_metrics_data()
        found = []
        for rm in data.resource_metrics if data else []:
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    if metric.name == metric_name:
                        found.extend((dict(p.attributes), p) for p in metric.data.data_points)
        return found

    def metric(self, metric_name):
        return find_metric(self.reader, metric_name)

    def logs(self):
        return [r.log_record for r in self.logs_exporter.get_finished_logs()]

    def tracer(self, name="other.instrumentation"):
        return self.tracer_provider.get_tracer(name)


@pytest.fixture
def make_telemetry():
    made = []

    def make(settings: Settings | None = None, **kwargs) -> Telemetry:
        telemetry = Telemetry(settings or Settings(), **kwargs)
        made.append(telemetry)
        return telemetry

    yield make
    set_emitter(None)
    reset_settings(None)
    for telemetry in made:
        telemetry.tracer_provider.shutdown()
        telemetry.meter_provider.shutdown()


@pytest.fixture
def telemetry(make_telemetry) -> Telemetry:
    return make_telemetry()


@pytest.fixture(scope="module")
def fake_provider():
    """The fake LLM provider (every wire format) on a free loopback port, one per test module."""
    from demo.fake_provider import start_fake_provider

    provider = start_fake_provider()
    yield provider
    provider.stop()
