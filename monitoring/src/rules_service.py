"""Rules of the agent service itself: its HTTP API (from the server instrumentation's metrics),
its agent runs and knowledge-base queries, the availability SLO's burn rates, its health checks
and its heartbeat. Part of ``rules``' groups."""

from __future__ import annotations

from agentotel_tools import promql as q

from . import config as c
from .rules import ERROR_RATIO_5M, LATENCY_P95, SERVICE, WHERE, Alert, _pct

HTTP_P50 = "service:http_server_request_duration_seconds:p50_5m"
HTTP_P95 = "service:http_server_request_duration_seconds:p95_5m"
HTTP_P99 = "service:http_server_request_duration_seconds:p99_5m"
HTTP_CLIENT_ERRORS = "service:http_server_requests:client_error_ratio_rate5m"
RETRIEVAL_WITHIN_5S = "service:gen_ai_client_operation_duration_seconds:retrieval_within_5s_ratio_5m"
# The 5xx share over each window the burn-rate alerts read.
SLO_WINDOWS = ("5m", "30m", "1h", "6h", "3d")


def http_error_ratio(window: str) -> str:
    return f"service:http_server_requests:error_ratio_rate{window}"


AGENT = f'{q.OPERATION}="invoke_agent"'
BUDGET = 1 - c.AVAILABILITY_SLO


def recording_group() -> tuple:
    return ("agentotel.service.recording", [
        (HTTP_P50, q.http_latency_quantile(0.5, None, "5m", SERVICE)),
        (HTTP_P95, q.http_latency_quantile(0.95, None, "5m", SERVICE)),
        (HTTP_P99, q.http_latency_quantile(0.99, None, "5m", SERVICE)),
        *((http_error_ratio(w), q.http_error_ratio(None, w, SERVICE)) for w in SLO_WINDOWS),
        (HTTP_CLIENT_ERRORS, q.http_status_ratio("4..", None, "5m", SERVICE)),
        (RETRIEVAL_WITHIN_5S, q.within_ratio(c.RETRIEVAL_FAST_BOUND, None, "5m", q.OP_RETRIEVAL, SERVICE)),
    ])


def _burn(rate: float, long: str, short: str) -> str:
    threshold = f"{rate * BUDGET:.6g}"
    return f"{http_error_ratio(long)} > {threshold}\nand\n{http_error_ratio(short)} > {threshold}"


def alerts() -> list:
    alerts = [
        Alert("APIErrorRateHigh", c.CRITICAL, f"{http_error_ratio('5m')} > {c.API_ERROR_RATE.critical:g}", "5m",
              "The agent's API answers with server errors.",
              f"{{{{ $value | humanizePercentage }}}} of the HTTP requests to {WHERE} were answered 5xx over 5m "
              f"(threshold {_pct(c.API_ERROR_RATE.critical)})."),
        Alert("APILatencyHigh", c.WARNING, f"{HTTP_P95} > {c.API_LATENCY_P95_SECONDS.warning:g}", "5m",
              "The agent's API is slow.",
              f"p95 latency of the HTTP requests to {WHERE} is {{{{ $value | humanizeDuration }}}} "
              f"(threshold {c.API_LATENCY_P95_SECONDS.warning:g}s)."),
        Alert("AgentRunFailureRateHigh", c.WARNING,
              f"{ERROR_RATIO_5M}{{{AGENT}}} > {c.AGENT_RUN_FAILURE_RATE.warning:g}", "5m",
              "Agent runs are failing.",
              f"{{{{ $value | humanizePercentage }}}} of the agent runs of {WHERE} failed over 5m "
              f"(threshold {_pct(c.AGENT_RUN_FAILURE_RATE.warning)})."),
        Alert("AgentRunSlow", c.WARNING, f"{LATENCY_P95}{{{AGENT}}} > {c.AGENT_RUN_P95_SECONDS.warning:g}", "5m",
              "Agent runs are slow.",
              f"p95 duration of the agent runs of {WHERE} is {{{{ $value | humanizeDuration }}}} "
              f"(threshold {c.AGENT_RUN_P95_SECONDS.warning:g}s)."),
        Alert("RetrievalSlow", c.WARNING, f"{RETRIEVAL_WITHIN_5S} < {c.RETRIEVAL_WITHIN_5S.warning:g}", "5m",
              "Knowledge-base queries time out.",
              f"Only {{{{ $value | humanizePercentage }}}} of the knowledge-base queries of {WHERE} finished within "
              f"5s over 5m (threshold {_pct(c.RETRIEVAL_WITHIN_5S.warning)})."),
        Alert("AvailabilityLow", c.ERROR, f"1 - {http_error_ratio('1h')} < {c.AVAILABILITY_ALERT:g}", "5m",
              "The agent's API is below its availability objective.",
              f"Availability of {WHERE} is {{{{ $value | humanizePercentage }}}} over 1h "
              f"(alert below {_pct(c.AVAILABILITY_ALERT)}, objective {_pct(c.AVAILABILITY_SLO)})."),
    ]
    for name, severity, windows, for_ in c.BURN_RATE_ALERTS:
        expr = "\nor\n".join(f"(\n{_burn(*w)}\n)" for w in windows)
        spans = " or ".join(f"{rate:g}x over {long} and {short}" for rate, long, short in windows)
        alerts.append(Alert(
            name, severity, expr, for_,
            "The agent's API burns its error budget fast." if severity == c.CRITICAL
            else "The agent's API burns its error budget.",
            f"{WHERE} answers {{{{ $value | humanizePercentage }}}} of its requests 5xx: the "
            f"{_pct(c.AVAILABILITY_SLO)} availability budget burns at {spans}.",
        ))
    for severity, required, for_ in ((c.CRITICAL, "true", "2m"), (c.WARNING, "false", "5m")):
        alerts.append(Alert(
            "HealthCheckFailing", severity, f"{_health(required)} == 0", for_,
            "A health check of the agent fails.",
            f"The {'required' if required == 'true' else 'optional'} health check "
            f"{{{{ $labels.agentotel_health_check_name }}}} of {WHERE} fails"
            + (": the app answers 503 to readiness probes." if required == "true" else ": the app is degraded."),
        ))
    alerts.append(Alert(
        "ServiceDown", c.CRITICAL, f"{q.heartbeat_age(None)} > {c.SERVICE_DOWN_SECONDS}", "2m",
        "An agent service stopped reporting.",
        f"{WHERE} last reported its heartbeat {{{{ $value | humanizeDuration }}}} ago: the app is down or cannot "
        "reach the collector.",
    ))
    return alerts


def _health(required: str) -> str:
    selector = q.selector(q.HEALTH_CHECK_STATUS, None, f'{q.HEALTH_REQUIRED}="{required}"')
    return f"min by ({', '.join((*SERVICE, q.HEALTH_CHECK))}) ({selector})"
