"""``configure()``: set up the OpenTelemetry SDK for an app that does not use ``opentelemetry-instrument``.

It builds the same pipeline as the zero-code configurator (``autoconf.pipeline``): tracer, meter and
logger providers with agentotel's span processors, OTLP exporters (or the exporters given), drop
counting and an exit bounded by ``AGENTOTEL_SHUTDOWN_TIMEOUT``. It loads and checks the pricing
catalog and budget file — a broken one raises ``PricingError`` here, at start-up — and makes the
emitter use the new providers.
"""

from __future__ import annotations

from opentelemetry.sdk.resources import Resource

from . import threads
from .autoconf.pipeline import Pipeline, build_pipeline, install
from .config import Settings, reset_settings, settings as current_settings
from .core.emitter import Emitter
from .core.runtime import set_emitter
from .cost import CostEngine, load_catalog
from .processors import CostRollup, log_processors, span_processors

#: What ``configure`` returns: the providers, ``force_flush(timeout)`` and a bounded ``shutdown()``.
Telemetry = Pipeline


def configure(*, service_name: str | None = None, resource_attributes: dict | None = None,
              span_exporter=None, metric_exporter=None, log_exporter=None,
              settings: Settings | None = None, redactors=(), set_global: bool = True) -> Telemetry:
    """Configure OpenTelemetry for agent telemetry and return the pipeline.

    Without exporters given, OTLP/HTTP exporters are used (configured by the standard
    ``OTEL_EXPORTER_OTLP_*`` variables); ``metric_exporter`` may also be a metric reader.
    Raises ``PricingError`` for a broken pricing or budget file.
    """
    if settings is not None:
        reset_settings(settings)
    current = current_settings()
    engine = CostEngine(load_catalog(current.pricing_file, current.model_aliases))  # fails here, at start-up
    if current.budget_file:
        from .cost.budgets import load_budgets

        load_budgets(current.budget_file)  # likewise

    attrs = dict(resource_attributes or {})
    if service_name:
        attrs["service.name"] = service_name
    if span_exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        span_exporter = OTLPSpanExporter()
    if metric_exporter is None:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        metric_exporter = OTLPMetricExporter()
    if log_exporter is None:
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter

        log_exporter = OTLPLogExporter()
    rollup = CostRollup()
    pipeline = build_pipeline(Resource.create(attrs), [span_exporter], [metric_exporter], [log_exporter],
                              span_processors=span_processors(rollup), log_record_processors=log_processors(),
                              logging_handler=set_global,
                              shutdown_timeout=current.shutdown_timeout)
    if set_global:
        install(pipeline)
    if current.thread_context:
        threads.install()
    set_emitter(Emitter(pipeline.tracer_provider, pipeline.meter_provider, pipeline.logger_provider,
                        settings=current, cost_engine=engine, redactors=redactors, rollup=rollup))
    return pipeline
