"""The configurator builds the SDK from the standard OTEL_* variables, with agentotel's wiring."""

from __future__ import annotations

import logging

import pytest
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from agentotel.autoconf import configurator
from agentotel.autoconf.configurator import AgentOtelConfigurator, make_resource, pipeline_from_environment
from agentotel.autoconf.exporting import BoundedMetricReader, CountingLogProcessor, CountingSpanProcessor
from agentotel.processors import ConversationStamper, CostRollup, SecretScrubber

_CLEARED = ("OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
            "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "OTEL_SDK_DISABLED", "OTEL_CONFIG_FILE")


@pytest.fixture
def env(monkeypatch):
    """A known OTEL_* environment: OTLP/HTTP for all signals, logging export on."""
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    for signal in ("TRACES", "METRICS", "LOGS"):
        monkeypatch.setenv(f"OTEL_{signal}_EXPORTER", "otlp")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
    monkeypatch.setenv("OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED", "true")
    return monkeypatch


@pytest.fixture
def build():
    """pipeline_from_environment, with every pipeline shut down at teardown."""
    made = []

    def make(**kwargs):
        pipeline = pipeline_from_environment(**kwargs)
        made.append(pipeline)
        return pipeline

    yield make
    for pipeline in made:
        pipeline.shutdown(timeout=1.0)


def span_processors(pipeline):
    return list(pipeline.tracer_provider._active_span_processor._span_processors)


def exporter_of(processor):
    return processor._exporter._inner


class TestExporters:
    def test_otlp_http_for_every_signal(self, env, build):
        """OTEL_*_EXPORTER=otlp with http/protobuf gives the OTLP/HTTP exporter for each signal."""
        pipeline = build()
        (span_exporting,) = [p for p in span_processors(pipeline) if isinstance(p, CountingSpanProcessor)]
        assert type(exporter_of(span_exporting)).__module__ == "opentelemetry.exporter.otlp.proto.http.trace_exporter"
        (reader,) = pipeline.metric_readers
        assert isinstance(reader, BoundedMetricReader)
        assert type(reader._exporter._inner).__module__ == "opentelemetry.exporter.otlp.proto.http.metric_exporter"
        (log_exporting,) = [p for p in pipeline.logger_provider._multi_log_record_processor._log_record_processors
                            if isinstance(p, CountingLogProcessor)]
        assert type(exporter_of(log_exporting)).__module__ == "opentelemetry.exporter.otlp.proto.http._log_exporter"

    def test_protocol_variable_selects_grpc(self, env, build):
        """OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc switches the trace exporter only."""
        env.setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc")
        pipeline = build()
        (span_exporting,) = [p for p in span_processors(pipeline) if isinstance(p, CountingSpanProcessor)]
        assert type(exporter_of(span_exporting)).__module__ == "opentelemetry.exporter.otlp.proto.grpc.trace_exporter"
        assert type(pipeline.metric_readers[0]._exporter._inner).__module__.startswith(
            "opentelemetry.exporter.otlp.proto.http")

    def test_none_disables_a_signal_and_lists_add_exporters(self, env, build):
        """`none` leaves a signal without exporters; a comma list adds one pipeline per exporter."""
        env.setenv("OTEL_METRICS_EXPORTER", "none")
        env.setenv("OTEL_TRACES_EXPORTER", "otlp,console")
        pipeline = build()
        assert pipeline.metric_readers == []
        exporting = [p for p in span_processors(pipeline) if isinstance(p, CountingSpanProcessor)]
        assert sorted(type(exporter_of(p)).__name__ for p in exporting) == ["ConsoleSpanExporter", "OTLPSpanExporter"]


class TestWiring:
    def test_agentotel_processors_come_before_exporting(self, env, build):
        """Conversation stamping and cost roll-up run before the exporting processor sees a span."""
        kinds = [type(p) for p in span_processors(build())]
        assert kinds == [ConversationStamper, CostRollup, SecretScrubber, CountingSpanProcessor]

    def test_sampler_from_environment(self, env, build):
        """OTEL_TRACES_SAMPLER picks the sampler, as with the SDK's own configurator."""
        env.setenv("OTEL_TRACES_SAMPLER", "always_off")
        assert build().tracer_provider.sampler.get_description() == ALWAYS_OFF.get_description()

    def test_logging_handler_follows_the_variable(self, env, build):
        """OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED=false means no logging handler."""
        assert build().log_handler is not None
        env.setenv("OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED", "false")
        assert build().log_handler is None

    def test_shutdown_timeout_comes_from_settings(self, env, build):
        """AGENTOTEL_SHUTDOWN_TIMEOUT bounds the pipeline's exit."""
        env.setenv("AGENTOTEL_SHUTDOWN_TIMEOUT", "0.5")
        assert build().shutdown_timeout == 0.5


class TestResource:
    def test_service_name_and_attributes_from_environment(self, env):
        """OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES make the resource, with the distro named."""
        env.setenv("OTEL_SERVICE_NAME", "support-agent")
        env.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=prod,service.version=1.2")
        attributes = make_resource(auto_instrumentation_version="0.66b2").attributes
        assert attributes["service.name"] == "support-agent"
        assert attributes["deployment.environment.name"] == "prod"
        assert attributes["service.version"] == "1.2"
        assert attributes["telemetry.distro.name"] == "agentotel"
        assert attributes["telemetry.auto.version"] == "0.66b2"

    def test_environment_overrides_distro_attributes(self, env):
        """A resource attribute set in OTEL_RESOURCE_ATTRIBUTES wins over the distro's defaults."""
        env.setenv("OTEL_RESOURCE_ATTRIBUTES", "telemetry.distro.name=custom")
        assert make_resource().attributes["telemetry.distro.name"] == "custom"

    def test_legacy_environment_attribute_is_renamed(self, env):
        """deployment.environment (older conventions) also fills deployment.environment.name."""
        env.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=staging")
        assert make_resource().attributes["deployment.environment.name"] == "staging"

    def test_environment_is_left_to_the_collector_when_unknown(self, env):
        """Without any environment attribute none is invented (the collector inserts its default)."""
        assert "deployment.environment.name" not in make_resource().attributes


class TestConfigurator:
    def test_sdk_disabled_configures_nothing(self, env, monkeypatch):
        """OTEL_SDK_DISABLED=true leaves the app without any SDK set-up."""
        calls = []
        monkeypatch.setattr(configurator, "configure_from_environment", lambda **kw: calls.append(kw))
        env.setenv("OTEL_SDK_DISABLED", "true")
        AgentOtelConfigurator().configure(auto_instrumentation_version="x")
        assert calls == []
        env.setenv("OTEL_SDK_DISABLED", "false")
        AgentOtelConfigurator().configure(auto_instrumentation_version="x")
        assert calls == [{"auto_instrumentation_version": "x"}]

    def test_unknown_arguments_are_reported(self, env, build, caplog):
        """A keyword the configurator does not know is named in a warning, not silently dropped."""
        with caplog.at_level(logging.WARNING, logger="agentotel"):
            build(no_such_option=True)
        assert "no_such_option" in caplog.text
