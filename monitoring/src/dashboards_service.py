"""The agent service: its HTTP API (from the server instrumentation's own metrics), availability
against the SLO and the error budget's burn, agent runs, knowledge-base query times, health checks
and heartbeats."""

from __future__ import annotations

from agentotel_tools import promql as q

from . import config as c
from . import rules, rules_service
from .panels import RANGE, RATE, RED, Board, Target, stat_panel, table_panel, timeseries_panel

F = c.DASHBOARD_FILTERS
SERIES_FILTER = f'{q.ENV}=~"$environment", {q.SERVICE}=~"$service"'
AGENT = "invoke_agent"


def _api_row() -> list:
    return [
        stat_panel("Availability", Target(f"1 - ({q.http_error_ratio(F, RANGE)})", instant=True), "percentunit",
                   objective=c.Objective(target=c.AVAILABILITY_SLO, warning=c.AVAILABILITY_ALERT), decimals=2,
                   description=f"Requests not answered 5xx within the time range. Objective "
                               f"{c.AVAILABILITY_SLO:.1%}, alert below {c.AVAILABILITY_ALERT:.0%}."),
        stat_panel("Requests per second", Target(q.http_requests(F, "5m"), instant=True), "reqps", decimals=2),
        stat_panel("p95 latency", Target(q.http_latency_quantile(0.95, F, "5m"), instant=True), "s",
                   objective=c.API_LATENCY_P95_SECONDS, decimals=2),
        stat_panel("In flight", Target(q.http_active_requests(F), instant=True), "short", decimals=0,
                   description="Requests being served now."),
        stat_panel("Oldest heartbeat", Target(f"max({q.heartbeat_age(F)})", instant=True), "s", decimals=0,
                   steps=((c.SERVICE_DOWN_SECONDS, RED),),
                   description=f"Seconds since a service last reported; over {c.SERVICE_DOWN_SECONDS}s it is down."),
        stat_panel("Failing health checks", Target(f"count({q.health_check_status(F)} == 0) or vector(0)", instant=True),
                   "short", decimals=0, steps=((1, RED),)),
        timeseries_panel("HTTP requests per second by route and status",
                         [Target(q.http_requests(F, RATE, (q.HTTP_ROUTE, q.HTTP_STATUS)),
                                 "{{http_route}} {{http_response_status_code}}")], "reqps", stacked=True),
        timeseries_panel("HTTP latency", [
            Target(q.http_latency_quantile(quantile, F, RATE, (q.SERVICE,)), f"p{round(quantile * 100)} {{{{service_name}}}}")
            for quantile in (0.5, 0.95, 0.99)], "s", objective=c.API_LATENCY_P95_SECONDS,
            description="From the HTTP server instrumentation's http.server.request.duration."),
        timeseries_panel("HTTP error rates", [
            Target(q.http_status_ratio("5..", F, RATE), "5xx"),
            Target(q.http_status_ratio("4..", F, RATE), "4xx")], "percentunit", objective=c.API_ERROR_RATE,
            description="Share of requests answered 4xx (the client's mistake) and 5xx (ours)."),
        timeseries_panel("Requests in flight", [Target(q.http_active_requests(F, (q.SERVICE,)), "{{service_name}}")],
                         "short"),
    ]


def _slo_row() -> list:
    burn = [Target(f"{rules_service.http_error_ratio(w)}{{{SERIES_FILTER}}} / {1 - c.AVAILABILITY_SLO:g}",
                   f"{w} {{{{service_name}}}}") for w in rules_service.SLO_WINDOWS]
    return [
        timeseries_panel("Error budget burn rate (alerting view)", burn, "short", w=16,
                         description="5xx share over each window divided by the error budget "
                                     f"({1 - c.AVAILABILITY_SLO:.1%}): 1 spends the budget exactly in 30 days; "
                                     "the fast-burn alert fires over 14.4 (1h and 5m) or 6 (6h and 30m), the slow "
                                     "one over 1 (3d and 6h)."),
        timeseries_panel("Availability over 1h", [
            Target(f"1 - {rules_service.http_error_ratio('1h')}{{{SERIES_FILTER}}}", "{{service_name}}")],
            "percentunit", objective=c.Objective(target=c.AVAILABILITY_SLO, warning=c.AVAILABILITY_ALERT),
            min_value=None, w=8),
    ]


def _agent_row() -> list:
    return [
        timeseries_panel("Agent run failure rate", [
            Target(q.error_ratio(F, RATE, (q.AGENT,), AGENT), "{{gen_ai_agent_name}}")], "percentunit",
            objective=c.AGENT_RUN_FAILURE_RATE, w=8, description="invoke_agent operations that ended with an error."),
        timeseries_panel("Agent run duration", [
            Target(q.latency_quantile(quantile, F, RATE, (q.AGENT,), AGENT), f"p{round(quantile * 100)} {{{{gen_ai_agent_name}}}}")
            for quantile in (0.5, 0.95)], "s", objective=c.AGENT_RUN_P95_SECONDS, w=8),
        timeseries_panel("Knowledge-base queries within 5 s", [
            Target(f"{rules_service.RETRIEVAL_WITHIN_5S}{{{SERIES_FILTER}}}", "{{service_name}}"),
            Target(q.within_ratio(c.RETRIEVAL_FAST_BOUND, F, "1h", q.OP_RETRIEVAL), "last hour")],
            "percentunit", objective=c.RETRIEVAL_WITHIN_5S, max_value=1, w=8),
        timeseries_panel("Agent runs p95 per service (alerting view)", [
            Target(f'{rules.LATENCY_P95}{{{SERIES_FILTER}, {q.OPERATION}="{AGENT}"}}', "{{service_name}}")],
            "s", objective=c.AGENT_RUN_P95_SECONDS, w=24, h=6),
    ]


def _health_row() -> list:
    return [
        table_panel("Health checks", [Target(q.health_check_status(F), instant=True)], w=12,
                    description="Each check's last state (1 passed, 0 failed or timed out), per service."),
        timeseries_panel("Health check duration p95", [
            Target(q.quantile(0.95, q.HEALTH_CHECK_DURATION, F, "1h", by=(q.HEALTH_CHECK,)),
                   "{{agentotel_health_check_name}}")], "s", w=12,
            description="Over the checks of the last hour (readiness probes)."),
    ]


def build() -> dict:
    return (Board("agentotel-service", "agentotel / Service health",
                  "The agent service as its users see it: HTTP availability against the SLO, latency, errors, "
                  "agent runs, health checks.", tags=("service",))
            .row("HTTP API", _api_row())
            .row("Availability SLO", _slo_row())
            .row("Agent runs and knowledge base", _agent_row())
            .row("Health", _health_row())
            .build())
