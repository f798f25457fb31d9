"""OTLP/protobuf payloads for the collector tests and benchmark: GenAI spans, logs and a metric."""

from __future__ import annotations

import os
import time
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, InstrumentationScope, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord, ResourceLogs, ScopeLogs
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AGGREGATION_TEMPORALITY_CUMULATIVE,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
    Sum,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

SECRET = "sk-SECRET-0123456789"
URL_KEY = "AIzaSECRETKEY42"
EMAIL = "jane.doe@example.com"
GENAI_DIMENSIONS = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o",
    "gen_ai.agent.name": "support-bot",
}
INPUT_MESSAGES = f'[{{"role":"user","parts":[{{"type":"text","content":"Mail the invoice to {EMAIL}"}}]}}]'
SECRET_ATTRIBUTES = {
    "http.request.header.authorization": [f"Bearer {SECRET}"],
    "http.request.header.x-api-key": [SECRET],
    "http.request.header.api-key": [SECRET],
    "http.request.header.x-goog-api-key": [SECRET],
    "url.full": f"https://generativelanguage.googleapis.com/v1beta/models/gemini:generateContent?key={URL_KEY}&alt=sse",
    "url.query": f"key={URL_KEY}&alt=sse",
}


def any_value(v: Any) -> AnyValue:
    if isinstance(v, bool):
        return AnyValue(bool_value=v)
    if isinstance(v, int):
        return AnyValue(int_value=v)
    if isinstance(v, float):
        return AnyValue(double_value=v)
    if isinstance(v, (list, tuple)):
        return AnyValue(array_value=ArrayValue(values=[any_value(x) for x in v]))
    return AnyValue(string_value=str(v))


def kvs(d: dict[str, Any]) -> list[KeyValue]:
    return [KeyValue(key=k, value=any_value(v)) for k, v in d.items()]


def resource(service: str, environment: str | None = None) -> Resource:
    attrs = {"service.name": service}
    if environment is not None:
        attrs["deployment.environment.name"] = environment
    return Resource(attributes=kvs(attrs))


def llm_span(trace_id: bytes, duration_s: float = 1.5, with_secrets: bool = True) -> Span:
    """A `chat gpt-4o` CLIENT span as agentotel's instrumentation makes it, plus leaked secrets."""
    end = time.time_ns()
    attributes = dict(GENAI_DIMENSIONS)
    attributes["gen_ai.input.messages"] = INPUT_MESSAGES
    if with_secrets:
        attributes.update(SECRET_ATTRIBUTES)
    return Span(
        trace_id=trace_id,
        span_id=os.urandom(8),
        name="chat gpt-4o",
        kind=Span.SPAN_KIND_CLIENT,
        start_time_unix_nano=end - int(duration_s * 1e9),
        end_time_unix_nano=end,
        attributes=kvs(attributes),
        events=[Span.Event(time_unix_nano=end, name="gen_ai.client.inference.operation.details",
                           attributes=kvs({"gen_ai.input.messages": INPUT_MESSAGES,
                                           "http.request.header.authorization": [f"Bearer {SECRET}"]}))],
    )


def traces_request(spans_by_resource: list[tuple[Resource, list[Span]]]) -> bytes:
    scope = InstrumentationScope(name="agentotel.test")
    return ExportTraceServiceRequest(resource_spans=[
        ResourceSpans(resource=res, scope_spans=[ScopeSpans(scope=scope, spans=spans)])
        for res, spans in spans_by_resource
    ]).SerializeToString()


def logs_request(res: Resource) -> bytes:
    """A content-capture event log record that also carries leaked secrets."""
    attributes = {"gen_ai.input.messages": INPUT_MESSAGES}
    attributes.update(SECRET_ATTRIBUTES)
    record = LogRecord(
        time_unix_nano=time.time_ns(),
        event_name="gen_ai.client.inference.operation.details",
        body=AnyValue(string_value="inference details"),
        attributes=kvs(attributes),
    )
    return ExportLogsServiceRequest(resource_logs=[
        ResourceLogs(resource=res, scope_logs=[ScopeLogs(scope=InstrumentationScope(name="agentotel.test"),
                                                         log_records=[record])])
    ]).SerializeToString()


def counter_request(res: Resource, name: str, value: int, attributes: dict[str, Any]) -> bytes:
    """One cumulative monotonic counter data point, as an SDK sends it."""
    now = time.time_ns()
    point = NumberDataPoint(start_time_unix_nano=now - 10**9, time_unix_nano=now, as_int=value,
                            attributes=kvs(attributes))
    metric = Metric(name=name, unit="{request}", sum=Sum(data_points=[point], is_monotonic=True,
                                                         aggregation_temporality=AGGREGATION_TEMPORALITY_CUMULATIVE))
    return ExportMetricsServiceRequest(resource_metrics=[
        ResourceMetrics(resource=res, scope_metrics=[ScopeMetrics(scope=InstrumentationScope(name="agentotel.test"),
                                                                  metrics=[metric])])
    ]).SerializeToString()
