"""Behaviour of the real collector running collector/config.yaml: what reaches the stores and Prometheus."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.collector.collector_harness import (
    BASE_CONFIG,
    Collector,
    OtlpSink,
    Sample,
    http_get,
    http_post,
    loopback_env,
    parse_prometheus,
    wait_until,
)
from tests.collector.otlp_payloads import (
    EMAIL,
    GENAI_DIMENSIONS,
    SECRET,
    URL_KEY,
    counter_request,
    llm_span,
    logs_request,
    resource,
    traces_request,
)

pytestmark = pytest.mark.integration

SERVICE = "support-agent"
OTHER_SERVICE = "billing-agent"
EXEMPLAR_SERVICE = "triage-agent"
ENVIRONMENT = "ci-test"
DEADLINE = 60.0

# Replaces the base's trace/log destinations with the test's OTLP/HTTP sink, through the same
# persistent queue the real exporters use.
SINK_OVERLAY = """
exporters:
  otlp_http/sink:
    endpoint: {endpoint}
    sending_queue:
      enabled: true
      storage: file_storage
    retry_on_failure:
      enabled: true
      initial_interval: 100ms
      max_interval: 1s
service:
  pipelines:
    traces:
      exporters: [otlp_http/sink, span_metrics]
    logs:
      exporters: [otlp_http/sink]
"""


@dataclass
class PipelineRun:
    redact: bool
    collector: Collector
    sink: OtlpSink
    trace_id: bytes


@pytest.fixture(scope="module", params=[False, True], ids=["redaction-off", "redaction-on"])
def run(request, collector_bin: Path, tmp_path_factory) -> PipelineRun:
    """The collector (base config + sink overlay) after it received GenAI spans, logs and a metric."""
    redact = request.param
    tmp = tmp_path_factory.mktemp("collector-redact" if redact else "collector")
    sink = OtlpSink().start()
    request.addfinalizer(sink.stop)
    overlay = tmp / "sink.yaml"
    overlay.write_text(SINK_OVERLAY.format(endpoint=sink.endpoint))
    env = loopback_env(
        tmp / "storage",
        DEPLOYMENT_ENVIRONMENT=ENVIRONMENT,
        OTELCOL_SPAN_METRICS_FLUSH_INTERVAL="2s",
        OTELCOL_REDACT_GENAI_CONTENT="true" if redact else "false",
    )
    collector = Collector(collector_bin, [BASE_CONFIG, overlay], env, tmp / "collector.log")
    request.addfinalizer(collector.stop)
    collector.start()

    trace_id = os.urandom(16)
    otlp = collector.url("OTELCOL_OTLP_HTTP_ENDPOINT")
    # The first resource has no environment (the collector adds it); the second sets its own.
    body = traces_request([
        (resource(SERVICE), [llm_span(trace_id)]),
        (resource(OTHER_SERVICE, "staging"), [llm_span(os.urandom(16), duration_s=0.2, with_secrets=False)]),
    ])
    assert http_post(f"{otlp}/v1/traces", body) == 200
    assert http_post(f"{otlp}/v1/logs", logs_request(resource(SERVICE))) == 200
    assert http_post(f"{otlp}/v1/metrics",
                     counter_request(resource(SERVICE), "agentotel.test.requests", 3,
                                     {"gen_ai.agent.name": "support-bot"})) == 200
    wait_until(lambda: len(sink.spans) >= 2 and len(sink.logs) >= 1, DEADLINE,
               f"spans and logs at the sink ({collector.log_path})")
    return PipelineRun(redact, collector, sink, trace_id)


def _span(run: PipelineRun, service: str) -> dict:
    return next(s for s in run.sink.spans if s["resource"].get("service.name") == service)


def _scrape(run: PipelineRun, predicate, what: str) -> list[Sample]:
    """Poll the prometheus exporter until some sample satisfies predicate."""
    url = run.collector.url("OTELCOL_PROMETHEUS_ENDPOINT", "/metrics")

    def matching():
        status, text = http_get(url)
        return status == 200 and [s for s in parse_prometheus(text) if predicate(s)]

    return wait_until(matching, DEADLINE, what)


def test_span_secrets_are_removed(run: PipelineRun):
    """API keys in request headers and URLs never reach the trace store."""
    span = _span(run, SERVICE)
    for header in ("authorization", "x-api-key", "api-key", "x-goog-api-key"):
        assert f"http.request.header.{header}" not in span["attributes"]
    assert URL_KEY not in span["attributes"]["url.full"]
    assert "key=REDACTED" in span["attributes"]["url.full"]
    assert span["attributes"]["url.full"].endswith("&alt=sse")  # the rest of the URL is kept
    assert span["attributes"]["url.query"] == "key=REDACTED&alt=sse"
    assert "http.request.header.authorization" not in span["events"][0]["attributes"]
    assert SECRET not in repr(run.sink.spans)


def test_log_secrets_are_removed(run: PipelineRun):
    """API keys in log record attributes never reach the log store."""
    log = run.sink.logs[0]
    assert log["event_name"] == "gen_ai.client.inference.operation.details"
    assert not any(k.startswith("http.request.header.") for k in log["attributes"])
    assert log["attributes"]["url.query"] == "key=REDACTED&alt=sse"
    assert SECRET not in repr(run.sink.logs) and URL_KEY not in repr(run.sink.logs)


def test_genai_content_redaction_follows_switch(run: PipelineRun):
    """GenAI message content (with PII) is replaced only when OTELCOL_REDACT_GENAI_CONTENT=true."""
    span = _span(run, SERVICE)
    values = [span["attributes"]["gen_ai.input.messages"],
              span["events"][0]["attributes"]["gen_ai.input.messages"],
              run.sink.logs[0]["attributes"]["gen_ai.input.messages"]]
    if run.redact:
        assert values == ["[REDACTED]"] * 3
    else:
        assert all(EMAIL in v for v in values)
    # Dimensions used by dashboards are never redacted.
    assert {k: span["attributes"][k] for k in GENAI_DIMENSIONS} == GENAI_DIMENSIONS


def test_environment_is_added_but_never_overrides(run: PipelineRun):
    """deployment.environment.name defaults to DEPLOYMENT_ENVIRONMENT; an SDK-set value is kept."""
    assert _span(run, SERVICE)["resource"]["deployment.environment.name"] == ENVIRONMENT
    assert _span(run, OTHER_SERVICE)["resource"]["deployment.environment.name"] == "staging"
    assert run.sink.logs[0]["resource"]["deployment.environment.name"] == ENVIRONMENT


def test_span_metrics_series_carry_genai_dimensions(run: PipelineRun):
    """span_metrics yields calls/duration series per GenAI operation, provider, model and agent."""
    expected = {k.replace(".", "_"): v for k, v in GENAI_DIMENSIONS.items()}
    expected |= {"service_name": SERVICE, "deployment_environment_name": ENVIRONMENT}

    def ours(name):
        return lambda s: s.name == name and expected.items() <= s.labels.items()

    # A new series is first exported at 0 and counts the call from the next flush on.
    calls = _scrape(run, lambda s: ours("traces_span_metrics_calls_total")(s) and s.value == 1,
                    "span_metrics calls series counting our call")
    assert len(calls) == 1
    buckets = _scrape(run, lambda s: ours("traces_span_metrics_duration_seconds_bucket")(s) and s.value > 0,
                      "span_metrics duration series counting our call")
    buckets = _scrape(run, ours("traces_span_metrics_duration_seconds_bucket"), "span_metrics duration series")
    by_le = {s.labels["le"]: s.value for s in buckets}
    # The 1.5 s call lands between the 1 s and 2 s buckets: seconds, with LLM-sized buckets to 80 s+.
    assert by_le["1"] == 0 and by_le["2"] == 1 and "80" in by_le
    other = _scrape(run, lambda s: s.name == "traces_span_metrics_calls_total"
                    and s.labels.get("service_name") == OTHER_SERVICE, "second service's series")
    assert other[0].labels["deployment_environment_name"] == "staging"


def test_app_metrics_carry_service_and_environment_labels(run: PipelineRun):
    """Metrics sent by an SDK get service_name and deployment_environment_name labels in Prometheus."""
    samples = _scrape(run, lambda s: s.name == "agentotel_test_requests_total", "the app's counter")
    assert samples[0].labels["service_name"] == SERVICE
    assert samples[0].labels["deployment_environment_name"] == ENVIRONMENT
    assert samples[0].labels["gen_ai_agent_name"] == "support-bot"
    assert samples[0].value == 3


def test_duration_histogram_has_trace_exemplars(run: PipelineRun):
    """Latency buckets link to a trace that fell into them (OpenMetrics exemplars)."""
    # The connector attaches exemplars of the spans of one flush interval to that flush only, so
    # send a fresh span (from its own service, leaving the other tests' series alone) and watch.
    trace_id = os.urandom(16)
    otlp = run.collector.url("OTELCOL_OTLP_HTTP_ENDPOINT")
    body = traces_request([(resource(EXEMPLAR_SERVICE), [llm_span(trace_id)])])
    assert http_post(f"{otlp}/v1/traces", body) == 200
    url = run.collector.url("OTELCOL_PROMETHEUS_ENDPOINT", "/metrics")

    def exemplar_lines():
        _, text = http_get(url, accept="application/openmetrics-text;version=1.0.0")
        return [s for s in parse_prometheus(text)
                if s.name == "traces_span_metrics_duration_seconds_bucket" and trace_id.hex() in s.rest]

    samples = wait_until(exemplar_lines, DEADLINE, "an exemplar with our trace id", interval=0.1)
    assert samples[0].labels["service_name"] == EXEMPLAR_SERVICE
    assert "trace_id=" in samples[0].rest


def test_collector_exposes_its_own_metrics(run: PipelineRun):
    """Prometheus can scrape otelcol_* metrics (accepted spans, queue size) on the telemetry port."""
    def accepted():
        status, text = http_get(run.collector.telemetry_url)
        samples = [s for s in parse_prometheus(text) if s.name.startswith("otelcol_receiver_accepted_spans")]
        return status == 200 and sum(s.value for s in samples) >= 2 and text

    text = wait_until(accepted, DEADLINE, "otelcol_receiver_accepted_spans >= 2")
    assert "otelcol_exporter_queue_size" in text


def test_debug_endpoints_listen_where_configured(run: PipelineRun):
    """pprof and zpages answer on their configured (loopback) addresses."""
    status, _ = http_get(run.collector.url("OTELCOL_PPROF_ENDPOINT", "/debug/pprof/"))
    assert status == 200
    status, _ = http_get(run.collector.url("OTELCOL_ZPAGES_ENDPOINT", "/debug/servicez"))
    assert status == 200

