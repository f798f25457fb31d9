"""LLM & agent operations: traffic, latency, errors, tokens, tools, retrieval, the telemetry pipeline."""

from __future__ import annotations

from agentotel_tools import promql as q

from . import config as c
from . import rules
from .panels import RATE, Board, Target, stat_panel, timeseries_panel, trace_links

F = c.DASHBOARD_FILTERS
LLM = q.LLM_OPERATIONS_REGEX
# Panels that link to traces keep service_name: the links search the series' service.
OP_MODEL = (q.SERVICE, q.OPERATION, q.MODEL)
SERIES_FILTER = f'{q.ENV}=~"$environment", {q.SERVICE}=~"$service"'
COLLECTOR = c.COLLECTOR_JOB


def _quantiles(metric_fn, by, operations=None) -> list:
    """p50, p95 and p99 targets; the p95 one asks for exemplars (one set of trace dots is enough)."""
    legend = " ".join("{{" + label + "}}" for label in by)
    return [Target(metric_fn(quantile, by, operations), f"p{round(quantile * 100)} {legend}",
                   exemplar=quantile == 0.95)
            for quantile in (0.5, 0.95, 0.99)]


def _latency(quantile, by, operations):
    return q.latency_quantile(quantile, F, RATE, by, operations)


def _ttfc(quantile, by, _operations):
    return q.time_to_first_chunk_quantile(quantile, F, RATE, by)


def _requests_row() -> list:
    return [
        timeseries_panel("Requests per second by operation and model",
                         [Target(q.request_rate(F, RATE, OP_MODEL),
                                 "{{service_name}} {{gen_ai_operation_name}} {{gen_ai_request_model}}")],
                         "reqps", description="GenAI operations per second: LLM calls, agent and tool invocations, "
                                              "retrievals.", links=trace_links()),
        timeseries_panel("Error rate by error type",
                         [Target(q.error_ratio_by_type(F, RATE, operations=None), "{{error_type}}")],
                         "percentunit", objective=c.LLM_ERROR_RATE, stacked=True,
                         description="Share of GenAI operations that failed, by `error.type`."),
        timeseries_panel("LLM latency by model and operation",
                         _quantiles(_latency, OP_MODEL, LLM), "s", objective=c.LLM_LATENCY_P95_SECONDS,
                         description="p50, p95 and p99 of LLM call duration. Exemplars link to the traces.",
                         links=trace_links()),
        timeseries_panel("Time to first chunk",
                         _quantiles(_ttfc, (q.SERVICE, q.MODEL)), "s",
                         description="Streaming calls: time from the request to the first chunk.",
                         links=trace_links()),
        timeseries_panel("Tokens per second by model and type",
                         [Target(q.tokens_rate(F, RATE, (q.MODEL, q.TOKEN_TYPE)),
                                 "{{gen_ai_request_model}} {{gen_ai_token_type}}")],
                         "short", stacked=True),
        timeseries_panel("LLM p95 latency per service (alerting view)",
                         [Target(f'{rules.LATENCY_P95}{{{SERIES_FILTER}, {q.OPERATION}=~"{LLM}", '
                                 f'{q.MODEL}=~"$model", {q.PROVIDER}=~"$provider"}}',
                                 "{{service_name}} {{gen_ai_request_model}}")],
                         "s", objective=c.LLM_LATENCY_P95_SECONDS,
                         description="The recorded p95 over 5m that the LLM latency alerts evaluate; dashed lines "
                                     "are the alert thresholds."),
    ]


def _tools_row() -> list:
    return [
        timeseries_panel("Tool calls per second by agent",
                         [Target(q.request_rate(F, RATE, (q.SERVICE, q.AGENT), q.OP_TOOL),
                                 "{{service_name}} {{gen_ai_agent_name}}")],
                         "reqps", w=8, links=trace_links(model=False)),
        timeseries_panel("Tool error rate by agent",
                         [Target(q.error_ratio(F, RATE, (q.AGENT,), q.OP_TOOL), "{{gen_ai_agent_name}}")],
                         "percentunit", objective=c.TOOL_ERROR_RATE, w=8),
        timeseries_panel("Tool latency",
                         _quantiles(_latency, (q.SERVICE, q.AGENT), q.OP_TOOL), "s", w=8,
                         links=trace_links(model=False)),
    ]


def _retrieval_row() -> list:
    return [
        timeseries_panel("Retrieval latency",
                         _quantiles(_latency, (q.SERVICE,), q.OP_RETRIEVAL), "s", w=8,
                         links=trace_links(model=False)),
        timeseries_panel("Knowledge-base hit rate by data source",
                         [Target(q.retrieval_hit_ratio(F, RATE, (q.DATA_SOURCE,)), "{{gen_ai_data_source_id}}")],
                         "percentunit", objective=c.RETRIEVAL_HIT_RATE, w=8, max_value=1,
                         description="Share of searches that found at least one document."),
        timeseries_panel("Best similarity score by data source",
                         [Target(q.quantile(0.5, q.RETRIEVAL_SIMILARITY, F, RATE, by=(q.DATA_SOURCE,)),
                                 "p50 {{gen_ai_data_source_id}}"),
                          Target(q.mean(q.RETRIEVAL_SIMILARITY, F, RATE, by=(q.DATA_SOURCE,)),
                                 "mean {{gen_ai_data_source_id}}")],
                         "none", w=8, max_value=1),
    ]


def _conversations_row() -> list:
    return [
        timeseries_panel("Active conversations by agent",
                         [Target(f"sum by ({q.AGENT}) ({q.selector(q.ACTIVE_CONVERSATIONS, F)})",
                                 "{{gen_ai_agent_name}}")],
                         "short", w=24, stacked=True),
    ]


def _pipeline_row() -> list:
    job = f'job="{COLLECTOR}"'
    by_signal = ("signal",)
    return [
        stat_panel("Collector up", Target(f"sum({q.COLLECTOR_UP}{{{job}}})", "up", instant=True), "none",
                   steps=(), w=4, h=8, no_value="0",
                   description="Collector instances Prometheus scrapes successfully."),
        timeseries_panel("Items accepted per second", [
            Target(q.collector_items(q.COLLECTOR_ACCEPTED, COLLECTOR, RATE, by_signal), "{{signal}}")],
            "short", w=10),
        timeseries_panel("Items refused per second", [
            Target(q.collector_items(q.COLLECTOR_REFUSED, COLLECTOR, RATE, by_signal), "{{signal}}")],
            "short", w=10),
        timeseries_panel("Exporter queue usage", [
            Target(f"max by (exporter) ({q.COLLECTOR_QUEUE_SIZE}{{{job}}})", "size {{exporter}}"),
            Target(f"max by (exporter) ({q.COLLECTOR_QUEUE_CAPACITY}{{{job}}})", "capacity {{exporter}}")],
            "short", w=8),
        timeseries_panel("Export failures per second", [
            Target(q.collector_items(q.COLLECTOR_SEND_FAILED, COLLECTOR, RATE, ("exporter", "signal")),
                   "{{exporter}} {{signal}}")],
            "short", w=8),
        timeseries_panel("Telemetry dropped by apps", [
            Target(q.rate(q.TELEMETRY_DROPPED, F, RATE, by=(q.SERVICE, q.SIGNAL, q.DROP_REASON)),
                   "{{service_name}} {{agentotel_signal}} {{agentotel_drop_reason}}")],
            "short", w=8, description="Items the apps' SDK pipelines dropped before export."),
    ]


def build() -> dict:
    return (Board("agentotel-operations", "agentotel / LLM & agent operations",
                  "Traffic, latency, errors and tokens of LLM calls, tools and retrieval; the telemetry pipeline.",
                  tags=("operations",))
            .row("LLM calls", _requests_row())
            .row("Tools", _tools_row())
            .row("Retrieval", _retrieval_row())
            .row("Conversations", _conversations_row())
            .row("Telemetry pipeline", _pipeline_row())
            .build())
