"""An app on the newest GenAI conventions (OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental)
still fills the series the LLM latency, error and token panels and alerts read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.collector.collector_harness import BASE_CONFIG, Collector, http_get, loopback_env, parse_prometheus, wait_until

pytestmark = pytest.mark.integration

DEADLINE = 60.0
DISCARD_OVERLAY = """
service:
  pipelines:
    traces:
      exporters: [nop, span_metrics]
    logs:
      exporters: [nop]
"""


def test_latest_convention_metrics_keep_the_v1_41_series(collector_bin: Path, tmp_path: Path):
    """Inference durations and per-call tokens recorded by agentotel's latest-convention instruments
    appear as gen_ai_client_operation_duration_seconds and gen_ai_client_token_usage (by token type),
    with the same counts and sums, beside the new names."""
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource

    from agentotel import semconv
    from agentotel.core.instruments import instruments_for

    (tmp_path / "discard.yaml").write_text(DISCARD_OVERLAY)
    collector = Collector(collector_bin, [BASE_CONFIG, tmp_path / "discard.yaml"],
                          loopback_env(tmp_path / "storage"), tmp_path / "collector.log").start()
    try:
        reader = PeriodicExportingMetricReader(
            OTLPMetricExporter(endpoint=collector.url("OTELCOL_OTLP_HTTP_ENDPOINT", "/v1/metrics")),
            export_interval_millis=3_600_000)
        provider = MeterProvider(metric_readers=[reader], resource=Resource.create({"service.name": "latest-app"}))
        names = semconv.resolve(latest_experimental=True)
        instruments = instruments_for(provider.get_meter("agentotel"), names, latest_experimental=True)
        attributes = {names.GEN_AI_OPERATION_NAME: "chat", names.GEN_AI_PROVIDER_NAME: "openai",
                      names.GEN_AI_REQUEST_MODEL: "gpt-4o"}
        instruments.record_duration("chat", 1.5, attributes)
        instruments.record_duration("chat", 0.5, {**attributes, "error.type": "timeout"})
        instruments.record_tokens(100, 20, attributes)
        instruments.record_tokens(300, 40, attributes)
        provider.shutdown()

        def exposed() -> dict[tuple[str, str], float] | None:
            _, text = http_get(collector.url("OTELCOL_PROMETHEUS_ENDPOINT", "/metrics"))
            found = {}
            for s in parse_prometheus(text):
                if s.labels.get("service_name") == "latest-app":
                    key = (s.name, s.labels.get("gen_ai_token_type") or s.labels.get("error_type", ""))
                    found[key] = found.get(key, 0) + s.value
            return found if ("gen_ai_client_token_usage_sum", "output") in found else None

        series = wait_until(exposed, DEADLINE, "the latest-convention metrics at the prometheus exporter")
        assert series[("gen_ai_client_operation_duration_seconds_count", "")] == 1
        assert series[("gen_ai_client_operation_duration_seconds_count", "timeout")] == 1
        assert series[("gen_ai_client_operation_duration_seconds_sum", "")] == 1.5
        assert series[("gen_ai_client_token_usage_sum", "input")] == 400
        assert series[("gen_ai_client_token_usage_sum", "output")] == 60
        assert series[("gen_ai_client_token_usage_count", "input")] == 2
        # The new names are kept.
        assert series[("gen_ai_client_inference_duration_seconds_count", "")] == 1
        assert series[("gen_ai_client_inference_operation_input_tokens_sum", "")] == 400
    finally:
        collector.stop()
