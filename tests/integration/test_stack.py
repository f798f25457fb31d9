"""End to end through the local stack: a span, a metric and a log sent with the OpenTelemetry
SDK over OTLP reach Jaeger, Prometheus and VictoriaLogs, read back through their own query APIs."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry._logs import SeverityNumber
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode, format_span_id, format_trace_id

from agentotel.semconv import agentotel_names as names
from agentotel.semconv import genai
from agentotel_tools.stack.components import COMPONENTS

pytestmark = pytest.mark.integration

DEADLINE = 60.0


def get_json(url: str, params: dict | None = None) -> dict:
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def eventually(probe, timeout: float = DEADLINE, interval: float = 0.5):
    """Calls PROBE until it returns something truthy (returned) or the deadline passes (fails)."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except (OSError, ValueError, KeyError) as error:  # not there yet (404, connection refused)
            last_error = error
        time.sleep(interval)
    pytest.fail(f"not true within {timeout:.0f}s: {probe.__doc__ or probe}; last error: {last_error}")


def _resource(service: str) -> Resource:
    return Resource.create({"service.name": service, "service.version": "1.2.3"})


def send_span(stack, service: str) -> str:
    """Exports one LLM span over OTLP/gRPC; returns its trace id (32 hex digits)."""
    provider = TracerProvider(resource=_resource(service))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=stack.collector_otlp_grpc, insecure=True)))
    tracer = provider.get_tracer("agentotel.tests")
    with tracer.start_as_current_span("invoke_agent support") as root:
        root.set_attribute(genai.GEN_AI_OPERATION_NAME, "invoke_agent")
        with tracer.start_as_current_span("chat test-model", kind=SpanKind.CLIENT) as span:
            span.set_attribute(genai.GEN_AI_OPERATION_NAME, "chat")
            span.set_attribute(genai.GEN_AI_REQUEST_MODEL, "test-model")
            span.set_attribute(genai.GEN_AI_USAGE_INPUT_TOKENS, 120)
            span.set_attribute(genai.GEN_AI_USAGE_OUTPUT_TOKENS, 45)
            span.set_attribute(names.COST_TOTAL, 0.0125)
            span.set_attribute(names.COST_CURRENCY, "USD")
            span.set_attribute(genai.ERROR_TYPE, "RateLimitError")
            span.set_status(Status(StatusCode.ERROR, "too many requests"))
        trace_id = format_trace_id(root.get_span_context().trace_id)
    provider.shutdown()
    return trace_id


def test_span_reaches_jaeger_with_its_attributes(whole_stack):
    """A span sent to the collector is stored in Jaeger with its GenAI, cost and error attributes."""
    service = f"stack-test-{uuid.uuid4().hex[:8]}"
    trace_id = send_span(whole_stack, service)

    def stored_trace():
        """Jaeger returns the trace with both spans"""
        data = get_json(f"{whole_stack.jaeger_query_url}/api/traces/{trace_id}")["data"]
        return data[0] if data and len(data[0]["spans"]) == 2 else None

    trace = eventually(stored_trace)
    spans = {span["operationName"]: span for span in trace["spans"]}
    chat = spans["chat test-model"]
    tags = {tag["key"]: tag["value"] for tag in chat["tags"]}
    assert tags[genai.GEN_AI_REQUEST_MODEL] == "test-model"
    assert tags[genai.GEN_AI_USAGE_INPUT_TOKENS] == 120 and tags[genai.GEN_AI_USAGE_OUTPUT_TOKENS] == 45
    assert tags[names.COST_TOTAL] == pytest.approx(0.0125)
    assert tags[genai.ERROR_TYPE] == "RateLimitError" and tags["otel.status_code"] == "ERROR"
    assert trace["processes"][chat["processID"]]["serviceName"] == service
    # The collector stamps the environment on telemetry that has none.
    process_tags = {t["key"]: t["value"] for t in trace["processes"][chat["processID"]]["tags"]}
    assert process_tags["deployment.environment.name"] == "local"
    parent = chat["references"][0]
    assert parent["refType"] == "CHILD_OF" and parent["spanID"] == spans["invoke_agent support"]["spanID"]


def test_metric_reaches_prometheus_with_its_value(whole_stack):
    """A counter sent over OTLP/HTTP is scraped by Prometheus under its documented name and value."""
    service = f"stack-test-{uuid.uuid4().hex[:8]}"
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=f"{whole_stack.collector_otlp_http}/v1/metrics"), export_interval_millis=3_600_000
    )
    provider = MeterProvider(resource=_resource(service), metric_readers=[reader])
    counter = provider.get_meter("agentotel.tests").create_counter(
        names.METRIC_LLM_COST[0], unit=names.METRIC_LLM_COST[1], description=names.METRIC_LLM_COST[2]
    )
    counter.add(0.25, {genai.GEN_AI_REQUEST_MODEL: "test-model", names.TENANT_ID: "acme"})
    counter.add(0.5, {genai.GEN_AI_REQUEST_MODEL: "test-model", names.TENANT_ID: "acme"})
    provider.shutdown()  # exports once, now

    query = f'agentotel_llm_cost_total{{service_name="{service}"}}'

    def series():
        """Prometheus has the series"""
        return get_json(f"{whole_stack.prometheus_url}/api/v1/query", {"query": query})["data"]["result"]

    result = eventually(series)
    assert len(result) == 1
    labels, value = result[0]["metric"], float(result[0]["value"][1])
    assert value == pytest.approx(0.75)
    assert labels["gen_ai_request_model"] == "test-model" and labels["agentotel_tenant_id"] == "acme"
    assert labels["deployment_environment_name"] == "local"
    assert labels["job"] == "agentotel-collector"


def test_log_reaches_victorialogs_with_the_trace_id(whole_stack):
    """A log record emitted inside a span is stored in VictoriaLogs with that span's trace and span ids."""
    service = f"stack-test-{uuid.uuid4().hex[:8]}"
    logger_provider = LoggerProvider(resource=_resource(service))
    logger_provider.add_log_record_processor(
        SimpleLogRecordProcessor(OTLPLogExporter(endpoint=f"{whole_stack.collector_otlp_http}/v1/logs"))
    )
    tracer_provider = TracerProvider(resource=_resource(service))
    with tracer_provider.get_tracer("agentotel.tests").start_as_current_span("handle request") as span:
        logger_provider.get_logger("agentotel.tests").emit(
            body="refund approved for order A-17",
            severity_number=SeverityNumber.WARN,
            severity_text="WARN",
            attributes={names.TENANT_ID: "acme"},
        )
        trace_id = format_trace_id(span.get_span_context().trace_id)
        span_id = format_span_id(span.get_span_context().span_id)
    logger_provider.shutdown()
    tracer_provider.shutdown()

    def records():
        """VictoriaLogs returns the record for the trace id"""
        url = f"{whole_stack.victorialogs_url}/select/logsql/query"
        body = urllib.parse.urlencode({"query": f'trace_id:"{trace_id}"', "limit": "10"}).encode()
        with urllib.request.urlopen(url, data=body, timeout=10) as response:
            return [json.loads(line) for line in response.read().decode().splitlines() if line.strip()]

    found = eventually(records)
    assert len(found) == 1
    record = found[0]
    assert (record["trace_id"], record["span_id"]) == (trace_id, span_id)
    assert record["_msg"] == "refund approved for order A-17"
    assert record["service.name"] == service
    assert record["severity_text"] == "WARN" and record["severity_number"] == str(SeverityNumber.WARN.value)
    assert record[names.TENANT_ID] == "acme"
    assert record["deployment.environment.name"] == "local"


def _otelcol_samples(text: str) -> dict[str, float]:
    """Prometheus text format -> {'name{labels}': value} (comments skipped)."""
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            samples[key] = float(value)
    return samples


def test_collector_refuses_and_fails_nothing(whole_stack):
    """After traffic on every signal, the collector's own metrics show items accepted and sent,
    none refused by a receiver and none failed by an exporter; Prometheus scrapes both jobs."""
    service = f"stack-test-{uuid.uuid4().hex[:8]}"
    trace_id = send_span(whole_stack, service)
    eventually(lambda: get_json(f"{whole_stack.jaeger_query_url}/api/traces/{trace_id}")["data"])

    def counters():
        """the collector reports sent spans"""
        with urllib.request.urlopen(whole_stack.collector_metrics_url, timeout=10) as response:
            samples = _otelcol_samples(response.read().decode())
        sent = [v for k, v in samples.items() if k.startswith("otelcol_exporter_sent_spans")]
        return samples if sent and sum(sent) > 0 else None

    samples = eventually(counters)
    accepted = sum(v for k, v in samples.items() if re.match(r"otelcol_receiver_accepted_(spans|metric_points|log_records)", k))
    assert accepted > 0
    problems = re.compile(r"otelcol_(receiver_refused|receiver_failed|processor_refused|exporter_send_failed|exporter_enqueue_failed)_")
    watched = {k: v for k, v in samples.items() if problems.match(k)}
    # The refused counters exist from the first item received, so the check below is not vacuous.
    assert any(k.startswith("otelcol_receiver_refused_spans") for k in watched), sorted(samples)
    bad = {k: v for k, v in watched.items() if v > 0}
    assert not bad, f"refused or failed items: {bad}"

    def up():
        """Prometheus scrapes both collector endpoints"""
        result = get_json(f"{whole_stack.prometheus_url}/api/v1/query", {"query": "up"})["data"]["result"]
        jobs = {series["metric"]["job"]: series["value"][1] for series in result}
        return jobs if jobs.get("agentotel-collector") == "1" and jobs.get("otelcol") == "1" else None

    eventually(up)


def test_every_component_is_healthy_and_reported_by_status(whole_stack):
    """`status` shows each of the four components running and healthy with its pid."""
    statuses = {status.name: status for status in whole_stack.status()}
    assert set(statuses) == set(COMPONENTS)
    for status in statuses.values():
        assert status.state == "healthy", status
        assert status.pid and status.log_file.exists()


def test_a_crashed_collector_restarts_on_the_same_ports(whole_stack):
    """After kill -9, the collector is reported down, starts again on its ports and takes traffic."""
    old_pid = whole_stack.pid("collector")
    whole_stack.kill("collector")
    try:
        assert whole_stack.pid("collector") is None
        assert not whole_stack.is_healthy("collector")
    finally:
        new_pid = whole_stack.start("collector")
    assert new_pid != old_pid and whole_stack.is_healthy("collector")
    trace_id = send_span(whole_stack, f"stack-test-{uuid.uuid4().hex[:8]}")

    def stored():
        """Jaeger has the span sent after the restart"""
        return get_json(f"{whole_stack.jaeger_query_url}/api/traces/{trace_id}")["data"]

    eventually(stored)


def test_a_stopped_backend_comes_back_healthy(whole_stack):
    """stop() ends Jaeger gracefully (SIGTERM) and start() brings it back on the same query URL."""
    assert whole_stack.stop("jaeger") == "stopped"
    try:
        assert not whole_stack.is_healthy("jaeger")
    finally:
        whole_stack.start("jaeger")
    assert get_json(f"{whole_stack.jaeger_query_url}/api/services")["errors"] is None


def test_cli_up_status_logs_down_in_its_own_run_directory(tmp_path, capsys, monkeypatch):
    """`agentotel stack up --free-ports` starts a second, independent stack; status, logs and down
    work from its state file, and down leaves nothing running."""
    from agentotel_tools.cli.main import main

    monkeypatch.setenv("AGENTOTEL_HOME", str(Path(__file__).resolve().parents[2]))
    run_dir = tmp_path / "cli-stack"
    base = ["stack", "--run-dir", str(run_dir)]
    try:
        assert main([*base, "up", "--free-ports", "--no-build"]) == 0
        out = capsys.readouterr().out
        state = json.loads((run_dir / "state.json").read_text())
        assert f"OTLP gRPC (send here)   {state['endpoints']['collector_otlp_grpc']}" in out
        assert main([*base, "status"]) == 0
        status = capsys.readouterr().out
        assert all(re.search(rf"^{name}\s+healthy\s+\d+", status, re.M) for name in COMPONENTS), status
        assert main([*base, "logs", "collector", "-n", "200"]) == 0
        assert "Everything is ready" in capsys.readouterr().out
    finally:
        assert main([*base, "down"]) == 0
    down = capsys.readouterr().out
    assert all(f"{name}: stopped" in down for name in COMPONENTS), down
    assert main([*base, "status"]) == 1
    assert not list((run_dir / "run").glob("*.pid"))


def test_prometheus_loads_the_shipped_rule_files(whole_stack):
    """The stack's Prometheus evaluates every monitoring/rules/*.rules.yaml file."""
    shipped = {str(path) for path in (whole_stack.layout.repo / "monitoring" / "rules").glob("*.rules.yaml")}
    groups = get_json(f"{whole_stack.prometheus_url}/api/v1/rules")["data"]["groups"]
    assert {group["file"] for group in groups} == shipped
