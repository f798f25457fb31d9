"""PromQL for agentotel's metrics: the one place every query is spelled.

The Grafana dashboards, the Prometheus recording and alerting rules and the weekly report all
build their expressions with these functions, so a KPI means the same thing everywhere. Each
function takes

- ``filters``: label matchers, ``{label: (operator, value)}``. A matcher is applied only to the
  metrics that carry that label, so one filter set (the dashboards' template variables, the
  report's ``--environment``) fits every query;
- ``window``: a PromQL range (``5m``, ``7d``, or Grafana's ``$__range``);
- ``by``: the labels to keep.

Names are the Prometheus column of docs/telemetry.md (what the collector's prometheus exporter
produces from the OTel names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence, Tuple

Filters = Mapping[str, Tuple[str, str]]

# --- labels --------------------------------------------------------------------------------------
ENV = "deployment_environment_name"
SERVICE = "service_name"
OPERATION = "gen_ai_operation_name"
PROVIDER = "gen_ai_provider_name"
MODEL = "gen_ai_request_model"
RESPONSE_MODEL = "gen_ai_response_model"
AGENT = "gen_ai_agent_name"
TENANT = "agentotel_tenant_id"
ERROR_TYPE = "error_type"
TOKEN_TYPE = "gen_ai_token_type"
OUTCOME = "agentotel_conversation_outcome"
INTENT = "agentotel_conversation_intent"
REASON = "agentotel_escalation_reason"
DATA_SOURCE = "gen_ai_data_source_id"
RETRIEVAL_OUTCOME = "agentotel_retrieval_outcome"
BUDGET_PERIOD = "agentotel_budget_period"
SIGNAL = "agentotel_signal"
DROP_REASON = "agentotel_drop_reason"
COMPONENT = "agentotel_component"
CHANNEL = "agentotel_conversation_channel"
EVALUATION = "gen_ai_evaluation_name"
EVALUATION_LABEL = "gen_ai_evaluation_score_label"
BUSINESS_EVENT = "agentotel_business_event_name"
CAMPAIGN = "agentotel_business_campaign"
HEALTH_CHECK = "agentotel_health_check_name"
HEALTH_REQUIRED = "agentotel_health_check_required"
HTTP_STATUS = "http_response_status_code"
HTTP_ROUTE = "http_route"
HTTP_METHOD = "http_request_method"

LABELS = (ENV, SERVICE, OPERATION, PROVIDER, MODEL, RESPONSE_MODEL, AGENT, TENANT, ERROR_TYPE, TOKEN_TYPE, OUTCOME,
          INTENT, REASON, DATA_SOURCE, RETRIEVAL_OUTCOME, BUDGET_PERIOD, SIGNAL, DROP_REASON, COMPONENT, CHANNEL,
          EVALUATION, EVALUATION_LABEL, BUSINESS_EVENT, CAMPAIGN, HEALTH_CHECK, HEALTH_REQUIRED, HTTP_STATUS, HTTP_ROUTE,
          HTTP_METHOD)

LLM_OPERATIONS = ("chat", "text_completion", "generate_content", "embeddings")
LLM_OPERATIONS_REGEX = "|".join(LLM_OPERATIONS)
OP_TOOL = "execute_tool"
OP_RETRIEVAL = "retrieval"

SECONDS_PER_DAY = 86400
# A month, for projections: 30 days, so a projection is simply "daily spend x 30".
DAYS_PER_MONTH = 30

IS_RESOLVED = f'{OUTCOME}="resolved"'
IS_ESCALATED = f'{OUTCOME}="escalated"'
NOT_ESCALATED = f'{OUTCOME}!="escalated"'
HAS_ERROR = f'{ERROR_TYPE}!=""'

_LLM_DIMS = frozenset({ENV, SERVICE, PROVIDER, MODEL, AGENT, TENANT})
_CONVERSATION_DIMS = frozenset({ENV, SERVICE, AGENT, TENANT, CHANNEL})
_SERVICE_DIMS = frozenset({ENV, SERVICE})


@dataclass(frozen=True)
class Metric:
    """A metric and the filterable labels its series carry."""

    name: str
    dims: frozenset

    def __str__(self) -> str:
        return self.name


OPERATION_DURATION = Metric("gen_ai_client_operation_duration_seconds", _LLM_DIMS)
TOKEN_USAGE = Metric("gen_ai_client_token_usage", _LLM_DIMS)
TIME_TO_FIRST_CHUNK = Metric("gen_ai_client_operation_time_to_first_chunk_seconds", _LLM_DIMS)
LLM_COST = Metric("agentotel_llm_cost_total", _LLM_DIMS)
UNPRICED_CALLS = Metric("agentotel_llm_unpriced_calls_total", frozenset({ENV, SERVICE, PROVIDER, MODEL}))
CONVERSATIONS = Metric("agentotel_conversations_total", _CONVERSATION_DIMS)
ESCALATIONS = Metric("agentotel_conversation_escalations_total", _CONVERSATION_DIMS)
ACTIVE_CONVERSATIONS = Metric("agentotel_conversation_active", _CONVERSATION_DIMS)
CONVERSATION_DURATION = Metric("agentotel_conversation_duration_seconds", _CONVERSATION_DIMS)
FIRST_RESPONSE = Metric("agentotel_conversation_first_response_duration_seconds", _CONVERSATION_DIMS)
CONVERSATION_COST = Metric("agentotel_conversation_cost", _CONVERSATION_DIMS)
CONVERSATION_TOKENS = Metric("agentotel_conversation_tokens", _CONVERSATION_DIMS)
FEEDBACK_SCORE = Metric("agentotel_feedback_score", _CONVERSATION_DIMS)
RETRIEVAL_SEARCHES = Metric("agentotel_retrieval_searches_total", frozenset({ENV, SERVICE}))
RETRIEVAL_SIMILARITY = Metric("agentotel_retrieval_similarity", frozenset({ENV, SERVICE}))
BUDGET_LIMIT = Metric("agentotel_budget_limit", frozenset({ENV, SERVICE, TENANT}))
BUDGET_TOKEN_LIMIT = Metric("agentotel_budget_token_limit", frozenset({ENV, SERVICE, TENANT}))
TELEMETRY_DROPPED = Metric("agentotel_telemetry_dropped_total", frozenset({ENV, SERVICE}))
INTERNAL_ERRORS = Metric("agentotel_internal_errors_total", frozenset({ENV, SERVICE}))
EVALUATIONS = Metric("agentotel_evaluations_total", _CONVERSATION_DIMS)
EVALUATION_SCORE = Metric("agentotel_evaluation_score", _CONVERSATION_DIMS)
BUSINESS_EVENTS = Metric("agentotel_business_events_total", frozenset({ENV, SERVICE, AGENT, TENANT}))
BUSINESS_VALUE = Metric("agentotel_business_value_total", frozenset({ENV, SERVICE, AGENT, TENANT}))
HEALTH_CHECK_STATUS = Metric("agentotel_health_check_status", _SERVICE_DIMS)
HEALTH_CHECK_DURATION = Metric("agentotel_health_check_duration_seconds", _SERVICE_DIMS)
HEARTBEAT = Metric("agentotel_process_heartbeat_seconds", _SERVICE_DIMS)
# The HTTP server instrumentation's own metrics (stable HTTP conventions: the app runs with
# OTEL_SEMCONV_STABILITY_OPT_IN=http), with service and environment copied on by the collector.
HTTP_SERVER_DURATION = Metric("http_server_request_duration_seconds", _SERVICE_DIMS)
HTTP_SERVER_ACTIVE = Metric("http_server_active_requests", _SERVICE_DIMS)

METRICS = (
    OPERATION_DURATION, TOKEN_USAGE, TIME_TO_FIRST_CHUNK, LLM_COST, UNPRICED_CALLS, CONVERSATIONS,
    ESCALATIONS, ACTIVE_CONVERSATIONS, CONVERSATION_DURATION, FIRST_RESPONSE, CONVERSATION_COST,
    CONVERSATION_TOKENS, FEEDBACK_SCORE, RETRIEVAL_SEARCHES, RETRIEVAL_SIMILARITY, BUDGET_LIMIT,
    BUDGET_TOKEN_LIMIT, TELEMETRY_DROPPED, INTERNAL_ERRORS, EVALUATIONS, EVALUATION_SCORE, BUSINESS_EVENTS,
    BUSINESS_VALUE, HEALTH_CHECK_STATUS, HEALTH_CHECK_DURATION, HEARTBEAT, HTTP_SERVER_DURATION, HTTP_SERVER_ACTIVE,
)

# The collector's own metrics (internal telemetry). Depending on the collector version and its
# Prometheus reader settings, counters carry a `_total` suffix or not; queries match both.
COLLECTOR_UP = "up"
COLLECTOR_ACCEPTED = "otelcol_receiver_accepted_{signal}"
COLLECTOR_REFUSED = "otelcol_receiver_refused_{signal}"
COLLECTOR_SEND_FAILED = "otelcol_exporter_send_failed_{signal}"
COLLECTOR_SENT = "otelcol_exporter_sent_{signal}"
COLLECTOR_QUEUE_SIZE = "otelcol_exporter_queue_size"
COLLECTOR_QUEUE_CAPACITY = "otelcol_exporter_queue_capacity"
# Item names per signal in the collector's metric names.
COLLECTOR_SIGNALS = ("spans", "metric_points", "log_records")


# --- building blocks -----------------------------------------------------------------------------
def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def selector(metric: Metric | str, filters: Filters | None = None, *extra: str, suffix: str = "") -> str:
    """``name{matchers}``: the filters that apply to ``metric`` plus literal ``extra`` matchers."""
    name = str(metric) + suffix
    dims = metric.dims if isinstance(metric, Metric) else frozenset()
    parts = [f"{label}{op}{_quote(value)}" for label, (op, value) in (filters or {}).items() if label in dims]
    parts.extend(extra)
    return name + ("{" + ", ".join(parts) + "}" if parts else "")


def _by(labels: Iterable[str]) -> str:
    labels = list(labels)
    return f" by ({', '.join(labels)})" if labels else ""


def sum_by(expr: str, by: Sequence[str] = ()) -> str:
    return f"sum{_by(by)} ({expr})"


def increase(metric: Metric | str, filters: Filters | None, window: str, *extra: str,
             by: Sequence[str] = (), suffix: str = "") -> str:
    """Summed increase of a counter (or a histogram's series) over ``window``, new series included.

    An OpenTelemetry counter is exported from its first increment on: its first sample already holds
    the events before it, which ``increase()`` cannot see. A short-lived or rarely-hit series (one
    tenant's escalations for one intent) may never change after its first sample, so ``increase()``
    alone reads 0. Series that did not exist at the window's start count with their highest value
    in the window instead: they started from 0.
    """
    series = selector(metric, filters, *extra, suffix=suffix)
    per_series = f"increase({series}[{window}]) and {series} offset {window}\n  or\n  max_over_time({series}[{window}])"
    return sum_by(f"\n  {per_series}\n", by)


def rate(metric: Metric | str, filters: Filters | None, window: str, *extra: str,
         by: Sequence[str] = (), suffix: str = "") -> str:
    """Summed per-second rate of a counter over ``window`` (long-lived series: the collector's own)."""
    return sum_by(f"rate({selector(metric, filters, *extra, suffix=suffix)}[{window}])", by)


def seconds(window: str) -> int:
    """A fixed PromQL range (``7d``, ``90m``) in seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    return int(window[:-1]) * units[window[-1]]


def ratio(numerator: str, denominator: str) -> str:
    """``numerator / denominator`` that is 0, not absent, where the numerator has no series.

    A counter appears only after its first increment, so "no escalations yet" must read as 0%.
    Both sides must be aggregated by the same labels.
    """
    return f"(\n  {numerator}\n  or\n  {denominator} * 0\n)\n/\n{denominator}"


def quantile(q: float, metric: Metric, filters: Filters | None, window: str, *extra: str,
             by: Sequence[str] = ()) -> str:
    """The ``q`` quantile of a histogram's observations within ``window``, per ``by``."""
    inner = increase(metric, filters, window, *extra, by=("le", *by), suffix="_bucket")
    return f"histogram_quantile({q:g}, {inner})"


def mean(metric: Metric, filters: Filters | None, window: str, *extra: str, by: Sequence[str] = ()) -> str:
    """The mean observation of a histogram over ``window`` (sum / count)."""
    return (f"{increase(metric, filters, window, *extra, by=by, suffix='_sum')}\n/\n"
            f"{increase(metric, filters, window, *extra, by=by, suffix='_count')}")


# --- conversations and quality -------------------------------------------------------------------
def conversations(filters: Filters | None, window: str, by: Sequence[str] = (), *extra: str) -> str:
    """Conversations that ended within ``window``."""
    return increase(CONVERSATIONS, filters, window, *extra, by=by)


def escalation_ratio(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """Share of conversations handed to a human."""
    return ratio(conversations(filters, window, by, IS_ESCALATED), conversations(filters, window, by))


def automation_ratio(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """Share of conversations handled without a human (not escalated)."""
    return ratio(conversations(filters, window, by, NOT_ESCALATED), conversations(filters, window, by))


def resolution_ratio(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """Share of conversations that ended resolved."""
    return ratio(conversations(filters, window, by, IS_RESOLVED), conversations(filters, window, by))


def escalation_ratio_by_reason(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """Escalations per conversation, split by escalation reason."""
    return (f"{increase(ESCALATIONS, filters, window, by=(REASON, *by))}\n"
            f"/ ignoring ({REASON}) group_left ()\n{conversations(filters, window, by)}")


def escalations_by_reason(filters: Filters | None, window: str) -> str:
    return increase(ESCALATIONS, filters, window, by=(REASON,))


def conversations_by_intent(filters: Filters | None, window: str) -> str:
    return conversations(filters, window, (INTENT,))


def csat_mean(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """Mean CSAT score (1-5) of the feedback given within ``window``."""
    return mean(FEEDBACK_SCORE, filters, window, by=by)


def csat_count(filters: Filters | None, window: str) -> str:
    return increase(FEEDBACK_SCORE, filters, window, suffix="_count")


def csat_buckets(filters: Filters | None, window: str) -> str:
    """Cumulative feedback counts per score bucket (``le`` = 1..5)."""
    return increase(FEEDBACK_SCORE, filters, window, by=("le",), suffix="_bucket")


def low_ratings_ratio(filters: Filters | None, window: str, max_score: int = 2) -> str:
    """Share of the feedback scored ``max_score`` or lower (scores are whole numbers 1-5)."""
    # The collector writes a bucket bound as "2" or "2.0", depending on its version.
    low = increase(FEEDBACK_SCORE, filters, window, f'le=~"{max_score}(\\\\.0)?"', suffix="_bucket")
    return f"{low}\n/\n{csat_count(filters, window)}"


def first_response_mean(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    return mean(FIRST_RESPONSE, filters, window, by=by)


def first_response_quantile(q: float, filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    return quantile(q, FIRST_RESPONSE, filters, window, by=by)


def resolution_time_quantile(q: float, filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """Duration of conversations that ended resolved."""
    return quantile(q, CONVERSATION_DURATION, filters, window, IS_RESOLVED, by=by)


def resolution_time_mean(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    return mean(CONVERSATION_DURATION, filters, window, IS_RESOLVED, by=by)


# --- LLM operations ------------------------------------------------------------------------------
def _ops(operations: str | None) -> tuple:
    if operations is None:
        return ()
    return (f'{OPERATION}=~"{operations}"',)


def request_rate(filters: Filters | None, window: str, by: Sequence[str] = (), operations: str | None = None) -> str:
    """GenAI operations per second."""
    return rate(OPERATION_DURATION, filters, window, *_ops(operations), by=by, suffix="_count")


def operation_count(filters: Filters | None, window: str, by: Sequence[str] = (), operations: str | None = None) -> str:
    return increase(OPERATION_DURATION, filters, window, *_ops(operations), by=by, suffix="_count")


def error_ratio(filters: Filters | None, window: str, by: Sequence[str] = (), operations: str | None = None) -> str:
    """Share of the GenAI operations within ``window`` that ended with an ``error.type``."""
    failed = increase(OPERATION_DURATION, filters, window, *_ops(operations), HAS_ERROR, by=by, suffix="_count")
    return ratio(failed, operation_count(filters, window, by, operations))


def error_ratio_by_type(filters: Filters | None, window: str, by: Sequence[str] = (),
                        operations: str | None = None) -> str:
    """Errors per operation within ``window``, split by ``error_type``."""
    failed = increase(OPERATION_DURATION, filters, window, *_ops(operations), HAS_ERROR,
                      by=(ERROR_TYPE, *by), suffix="_count")
    return f"{failed}\n/ ignoring ({ERROR_TYPE}) group_left ()\n{operation_count(filters, window, by, operations)}"


def top_errors(filters: Filters | None, window: str, k: int = 10) -> str:
    """The ``k`` most frequent (error type, operation) pairs within ``window``."""
    failed = increase(OPERATION_DURATION, filters, window, HAS_ERROR,
                      by=(ERROR_TYPE, OPERATION), suffix="_count")
    return f"topk({k}, {failed})"


def latency_quantile(q: float, filters: Filters | None, window: str, by: Sequence[str] = (),
                     operations: str | None = None) -> str:
    return quantile(q, OPERATION_DURATION, filters, window, *_ops(operations), by=by)


def time_to_first_chunk_quantile(q: float, filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    return quantile(q, TIME_TO_FIRST_CHUNK, filters, window, by=by)


def tokens_rate(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """Tokens per second (the token-usage histogram's sum)."""
    return rate(TOKEN_USAGE, filters, window, by=by, suffix="_sum")


def tokens(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    return increase(TOKEN_USAGE, filters, window, by=by, suffix="_sum")


def retrieval_hit_ratio(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """Share of the knowledge-base searches within ``window`` that found a document."""
    hits = increase(RETRIEVAL_SEARCHES, filters, window, f'{RETRIEVAL_OUTCOME}="hit"', by=by)
    return ratio(hits, increase(RETRIEVAL_SEARCHES, filters, window, by=by))


# --- cost ----------------------------------------------------------------------------------------
def cost(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """LLM spend (USD) within ``window``."""
    return increase(LLM_COST, filters, window, by=by)


def cost_rate(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """LLM spend in USD per second, averaged over ``window``."""
    return rate(LLM_COST, filters, window, by=by)


def cost_per_hour(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    return f"{cost_rate(filters, window, by)} * 3600"


def monthly_projection(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """Spend over a month at the average daily spend of ``window`` (a fixed range such as ``7d``)."""
    return f"{cost(filters, window, by)}\n* {SECONDS_PER_DAY * DAYS_PER_MONTH} / {seconds(window)}"


def cost_per_conversation(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """Mean LLM cost of a conversation that ended within ``window``."""
    return mean(CONVERSATION_COST, filters, window, by=by)


def tokens_per_conversation(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    return mean(CONVERSATION_TOKENS, filters, window, by=by)


def cost_per_resolved_conversation(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """All conversations' LLM cost divided by the conversations that ended resolved."""
    spent = increase(CONVERSATION_COST, filters, window, by=by, suffix="_sum")
    return f"{spent}\n/\n{conversations(filters, window, by, IS_RESOLVED)}"


def sum_of_hourly(recorded: str, window: str, by: Sequence[str] = ()) -> str:
    """The sum of a recorded hourly increase (a rule group evaluated every hour) over ``window``: one
    sample per hour, so a month is 720 samples instead of every raw sample of every series. The range
    is a second short of ``window`` so that it holds exactly ``window`` / 1h samples."""
    return sum_by(f"sum_over_time({recorded}[{seconds(window) - 1}s])", by)


def budget_usage(filters: Filters | None, period: str, window: str, *, tokens_budget: bool = False,
                 spent: str | None = None) -> str:
    """Spend of each tenant within ``window`` over its budget for ``period`` (1 = budget used).

    Budgets are per tenant, so spend is summed over every service of the tenant. The result keeps
    the budget's labels (tenant, period) and the environment. ``spent``: the spend per (environment,
    tenant) when it is read from a recorded series (long windows) rather than the raw counters.
    """
    keys = (ENV, TENANT)
    on = ", ".join(keys)
    if tokens_budget:
        spent = spent or increase(TOKEN_USAGE, filters, window, by=keys, suffix="_sum")
        limit_metric = BUDGET_TOKEN_LIMIT
    else:
        spent = spent or increase(LLM_COST, filters, window, by=keys)
        limit_metric = BUDGET_LIMIT
    limit = f"max by ({on}, {BUDGET_PERIOD}) ({selector(limit_metric, filters, f'{BUDGET_PERIOD}={_quote(period)}')} > 0)"
    return f"{spent}\n/ on ({on}) group_right ()\n{limit}"


def unpriced_calls(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    return increase(UNPRICED_CALLS, filters, window, by=by)


# --- conversations by intent and channel ---------------------------------------------------------
def cost_by_intent(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """LLM cost of the conversations that ended within ``window``, per intent."""
    return increase(CONVERSATION_COST, filters, window, by=(INTENT, *by), suffix="_sum")


def tokens_by_intent(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    return increase(CONVERSATION_TOKENS, filters, window, by=(INTENT, *by), suffix="_sum")


def escalations_by_intent(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    return increase(ESCALATIONS, filters, window, by=(INTENT, *by))


def conversations_by_channel(filters: Filters | None, window: str) -> str:
    return conversations(filters, window, (CHANNEL,))


# --- evaluations ---------------------------------------------------------------------------------
def _evaluation(name: str) -> str:
    return f"{EVALUATION}={_quote(name)}"


def evaluations(filters: Filters | None, window: str, name: str | None = None, by: Sequence[str] = (),
                *extra: str) -> str:
    """Evaluation results within ``window`` (of evaluation ``name``, when given)."""
    return increase(EVALUATIONS, filters, window, *((_evaluation(name),) if name else ()), *extra, by=by)


def evaluation_label_ratio(name: str, label: str, filters: Filters | None, window: str,
                           by: Sequence[str] = ()) -> str:
    """Share of evaluation ``name``'s results labelled ``label`` (e.g. intent_accuracy ``correct``)."""
    labelled = evaluations(filters, window, name, by, f"{EVALUATION_LABEL}={_quote(label)}")
    return ratio(labelled, evaluations(filters, window, name, by))


def evaluation_score_mean(name: str | None, filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """Mean score of evaluation ``name`` (every name, kept apart by ``by``, when None)."""
    return mean(EVALUATION_SCORE, filters, window, *((_evaluation(name),) if name else ()), by=by)


def low_ratings(filters: Filters | None, window: str, max_score: int = 2, by: Sequence[str] = ()) -> str:
    """Feedback scored ``max_score`` or lower within ``window``."""
    return increase(FEEDBACK_SCORE, filters, window, f'le=~"{max_score}(\\\\.0)?"', by=by, suffix="_bucket")


# --- business events -----------------------------------------------------------------------------
def _business(name: str) -> str:
    return f"{BUSINESS_EVENT}={_quote(name)}"


def business_events(filters: Filters | None, window: str, name: str | None = None, by: Sequence[str] = ()) -> str:
    """Business events within ``window``."""
    return increase(BUSINESS_EVENTS, filters, window, *((_business(name),) if name else ()), by=by)


def business_value(filters: Filters | None, window: str, name: str, by: Sequence[str] = ()) -> str:
    """Sum of the values of business event ``name`` within ``window`` (leads, revenue...)."""
    return increase(BUSINESS_VALUE, filters, window, _business(name), by=by)


def business_value_mean(filters: Filters | None, window: str, name: str, by: Sequence[str] = ()) -> str:
    """Mean value of business event ``name`` (a campaign's performance score)."""
    return f"{business_value(filters, window, name, by)}\n/\n{business_events(filters, window, name, by)}"


# --- the service: HTTP server, health, liveness --------------------------------------------------
def http_requests(filters: Filters | None, window: str, by: Sequence[str] = (), *extra: str) -> str:
    """HTTP requests per second the service served, averaged over ``window``."""
    return rate(HTTP_SERVER_DURATION, filters, window, *extra, by=by, suffix="_count")


def http_request_count(filters: Filters | None, window: str, by: Sequence[str] = (), *extra: str) -> str:
    """HTTP requests served within ``window`` (series born within it counted whole, see ``increase``)."""
    return increase(HTTP_SERVER_DURATION, filters, window, *extra, by=by, suffix="_count")


def http_status_ratio(status_regex: str, filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """Share of the HTTP requests within ``window`` answered with a status matching ``status_regex`` (``5..``)."""
    matching = http_request_count(filters, window, by, f"{HTTP_STATUS}=~{_quote(status_regex)}")
    return ratio(matching, http_request_count(filters, window, by))


def http_error_ratio(filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    """The availability SLI's bad share: requests answered 5xx."""
    return http_status_ratio("5..", filters, window, by)


def http_latency_quantile(q: float, filters: Filters | None, window: str, by: Sequence[str] = ()) -> str:
    return quantile(q, HTTP_SERVER_DURATION, filters, window, by=by)


def http_active_requests(filters: Filters | None, by: Sequence[str] = ()) -> str:
    return sum_by(selector(HTTP_SERVER_ACTIVE, filters), by)


def within_ratio(le: str, filters: Filters | None, window: str, operations: str, by: Sequence[str] = ()) -> str:
    """Share of the GenAI operations ``operations`` that took at most ``le`` seconds (a bucket bound)."""
    fast = increase(OPERATION_DURATION, filters, window, *_ops(operations), f'le={_quote(le)}', by=by,
                    suffix="_bucket")
    return ratio(fast, operation_count(filters, window, by, operations))


def health_check_status(filters: Filters | None, by: Sequence[str] = (HEALTH_CHECK, HEALTH_REQUIRED)) -> str:
    """Each health check's last state: 1 passed, 0 failed."""
    return f"min{_by((ENV, SERVICE, *by))} ({selector(HEALTH_CHECK_STATUS, filters)})"


def heartbeat_age(filters: Filters | None, window: str = "1h", by: Sequence[str] = (ENV, SERVICE)) -> str:
    """Seconds since each service seen within ``window`` last collected its metrics."""
    return f"time() - max{_by(by)} (max_over_time({selector(HEARTBEAT, filters)}[{window}]))"


# --- deployments -------------------------------------------------------------------------------
# The collector's prometheus exporter turns each app's resource into a `target_info` series (with
# service_version); its service name is `exported_job` behind a scrape that does not honour labels,
# `job` behind one that does.
TARGET_INFO = "target_info"


def _service_info(offset: str = "") -> str:
    info = f'{TARGET_INFO}{{service_version!=""}}' + (f" offset {offset}" if offset else "")
    named = f'label_replace({info}, "{SERVICE}", "$1", "job", "(.+)")'
    named = f'label_replace({named}, "{SERVICE}", "$1", "exported_job", "(.+)")'
    return f"group by ({ENV}, {SERVICE}, service_version) ({named})"


def deployments(window: str) -> str:
    """Services reporting a ``service.version`` they did not report ``window`` before: a deployment."""
    return f"{_service_info()}\nunless\n{_service_info(window)}"


# --- the collector -------------------------------------------------------------------------------
def collector_metric(template: str, signal: str) -> str:
    return template.format(signal=signal)


def collector_items(template: str, job: str, window: str, by: Sequence[str] = ()) -> str:
    """Per-second rate summed over the three signals of a collector counter family.

    Each signal's series get a ``signal`` label (``by`` may keep it): rate() drops the metric name,
    and the three signals' series would otherwise collide on the same label sets.
    """
    parts = []
    for signal in COLLECTOR_SIGNALS:
        name = collector_metric(template, signal)
        series = f'rate({{__name__=~"{name}(_total)?", job={_quote(job)}}}[{window}])'
        parts.append(f'label_replace({series}, "signal", "{signal}", "", "")')
    return sum_by("\n  " + "\n  or\n  ".join(parts) + "\n", by)

