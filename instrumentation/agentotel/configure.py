"""``configure()``: set up the OpenTelemetry SDK for an app that does not use ``opentelemetry-instrument``.

It builds tracer, meter and logger providers with agentotel's span processors and OTLP exporters
(or the exporters given), loads and checks the pricing catalog — a broken catalog or override file
raises ``PricingError`` here, at start-up — and makes the emitter use them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from opentelemetry import metrics, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

from . import threads
from .config import Settings, reset_settings, settings as current_settings
from .core.emitter import Emitter
from .core.runtime import set_emitter
from .cost import CostEngine, load_catalog
from .logs import export_logs
from .processors import span_processors


@dataclass
class Telemetry:
    """The providers ``configure`` built; ``shutdown`` flushes and stops them."""

    tracer_provider: TracerProvider
    meter_provider: object
    logger_provider: object
    emitter: Emitter

    def force_flush(self, timeout_millis: int = 2000) -> bool:
        ok = self.tracer_provider.force_flush(timeout_millis)
        ok = self.meter_provider.force_flush(timeout_millis) and ok
        if self.logger_provider is not None:
            ok = self.logger_provider.force_flush(timeout_millis) and ok
        return ok

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()
        if self.logger_provider is not None:
            self.logger_provider.shutdown()


def configure(*, service_name: str | None = None, resource_attributes: dict | None = None,
              span_exporter=None, metric_readers=None, log_exporter=None, simple_span_processor: bool = False,
              settings: Settings | None = None, redactors=(), set_global: bool = True,
              log_level: int = logging.INFO) -> Telemetry:
    """Configure OpenTelemetry for agent telemetry and return the providers.

    Without exporters given, OTLP exporters are used (configured by the standard
    ``OTEL_EXPORTER_OTLP_*`` variables). Raises ``PricingError`` for a broken pricing file.
    """
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

    if settings is not None:
        reset_settings(settings)
    s = current_settings()
    engine = CostEngine(load_catalog(s.pricing_file, s.model_aliases))  # fails here, at start-up
    if s.budget_file:
        from .cost.budgets import load_budgets

        load_budgets(s.budget_file)  # likewise

    attrs = dict(resource_attributes or {})
    if service_name:
        attrs["service.name"] = service_name
    resource = Resource.create(attrs)

    if span_exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        span_exporter = OTLPSpanExporter()
    tracer_provider = TracerProvider(resource=resource)
    for processor in span_processors():
        tracer_provider.add_span_processor(processor)
    exporting = SimpleSpanProcessor if simple_span_processor else BatchSpanProcessor
    tracer_provider.add_span_processor(exporting(span_exporter))

    if metric_readers is None:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        metric_readers = [PeriodicExportingMetricReader(OTLPMetricExporter())]
    meter_provider = MeterProvider(resource=resource, metric_readers=list(metric_readers))

    if log_exporter is None:
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter

        log_exporter = OTLPLogExporter()
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(log_exporter))

    if set_global:
        from opentelemetry._logs import set_logger_provider

        trace.set_tracer_provider(tracer_provider)
        metrics.set_meter_provider(meter_provider)
        set_logger_provider(logger_provider)
        export_logs(logger_provider, level=log_level)
    if s.thread_context:
        threads.install()
    emitter = Emitter(tracer_provider, meter_provider, logger_provider, settings=s, cost_engine=engine,
                      redactors=redactors)
    set_emitter(emitter)
    return Telemetry(tracer_provider, meter_provider, logger_provider, emitter)
