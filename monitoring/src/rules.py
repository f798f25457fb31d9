"""Prometheus recording and alerting rules, built from config.py and the shared PromQL.

Recording rules are named ``level:metric:operations``; the level names the labels kept:
``service`` = (deployment_environment_name, service_name), ``service_operation`` adds the GenAI
operation, ``service_operation_model`` adds provider and model, ``tenant`` =
(deployment_environment_name, agentotel_tenant_id), ``instance`` = (job, instance) of the collector.
Alerts read recorded series, so a dashboard panel on the same series shows what an alert sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from agentotel_tools import promql as q

from . import config as c

SERVICE = (q.ENV, q.SERVICE)
SERVICE_OPERATION = (*SERVICE, q.OPERATION)
SERVICE_OPERATION_MODEL = (*SERVICE_OPERATION, q.PROVIDER, q.MODEL)
TENANT = (q.ENV, q.TENANT)
INSTANCE = ("job", "instance")
INSTANCE_EXPORTER = (*INSTANCE, "exporter")

LLM = f'{q.OPERATION}=~"{q.LLM_OPERATIONS_REGEX}"'
TOOL = f'{q.OPERATION}="{q.OP_TOOL}"'
COLLECTOR = f'job="{c.COLLECTOR_JOB}"'

# --- recorded series (names shared by alerts, dashboards and tests) ------------------------------
LATENCY_P50 = "service_operation_model:gen_ai_client_operation_duration_seconds:p50_5m"
LATENCY_P95 = "service_operation_model:gen_ai_client_operation_duration_seconds:p95_5m"
LATENCY_P99 = "service_operation_model:gen_ai_client_operation_duration_seconds:p99_5m"
ERROR_RATIO_5M = "service_operation:gen_ai_client_operation_errors:ratio_rate5m"
ERROR_RATIO_15M = "service_operation:gen_ai_client_operation_errors:ratio_rate15m"
RETRIEVAL_HIT_RATIO = "service:agentotel_retrieval_searches:hit_ratio_rate1h"
CONVERSATIONS_1H = "service:agentotel_conversations:increase1h"
ESCALATION_RATIO = "service:agentotel_conversations:escalation_ratio_1h"
AUTOMATION_RATIO = "service:agentotel_conversations:automation_ratio_1h"
RESOLUTION_RATIO = "service:agentotel_conversations:resolution_ratio_1h"
CSAT_MEAN = "service:agentotel_feedback_score:mean_6h"
FIRST_RESPONSE_P95 = "service:agentotel_conversation_first_response_duration_seconds:p95_1h"
RESOLUTION_TIME_P95 = "service:agentotel_conversation_duration_seconds:resolved_p95_1h"
COST_RATE = "service:agentotel_llm_cost:rate1h"
COST_PER_CONVERSATION = "service:agentotel_conversation_cost:mean_1h"
TOKENS_PER_CONVERSATION = "service:agentotel_conversation_tokens:mean_1h"
BUDGET_USAGE = "tenant:agentotel_budget_limit:usage_ratio"
TOKEN_BUDGET_USAGE = "tenant:agentotel_budget_token_limit:usage_ratio"
COST_1H_TENANT = "tenant:agentotel_llm_cost:increase1h"
TOKENS_1H_TENANT = "tenant:gen_ai_client_token_usage:increase1h"
COLLECTOR_REFUSED_RATIO = "instance:otelcol_receiver_refused:ratio_rate5m"
COLLECTOR_QUEUE_USAGE = "instance_exporter:otelcol_exporter_queue:usage_ratio"
COLLECTOR_SEND_FAILED = "instance_exporter:otelcol_exporter_send_failed:rate5m"

# Quality ratios of a service with fewer conversations than this in the hour do not alert: one
# escalated conversation out of two is no trend.
MIN_CONVERSATIONS_PER_HOUR = 10


def _collector_refused_ratio() -> str:
    refused = q.collector_items(q.COLLECTOR_REFUSED, c.COLLECTOR_JOB, "5m", INSTANCE)
    accepted = q.collector_items(q.COLLECTOR_ACCEPTED, c.COLLECTOR_JOB, "5m", INSTANCE)
    return f"{refused}\n/\n(\n{accepted}\n+\n{refused}\n)"


def _collector_queue_usage() -> str:
    size = f"max by ({', '.join(INSTANCE_EXPORTER)}) ({q.COLLECTOR_QUEUE_SIZE}{{{COLLECTOR}}})"
    capacity = f"max by ({', '.join(INSTANCE_EXPORTER)}) ({q.COLLECTOR_QUEUE_CAPACITY}{{{COLLECTOR}}} > 0)"
    return f"{size}\n/\n{capacity}"


def recording_groups() -> list:
    """Recording rule groups, in the order Prometheus evaluates them."""
    budgets = []
    for period, window in c.BUDGET_PERIODS:
        # The period label is also set statically: one rule per period, told apart by it.
        labels = {q.BUDGET_PERIOD: period}
        long = q.seconds(window) >= q.seconds(c.LONG_WINDOW_FROM)
        # Until the hourly group has recorded a tenant's spend (its first hour), the raw counters.
        cost = f"(\n{q.sum_of_hourly(COST_1H_TENANT, window, TENANT)}\nor\n{q.cost(None, window, TENANT)}\n)" if long else None
        tokens = (f"(\n{q.sum_of_hourly(TOKENS_1H_TENANT, window, TENANT)}\nor\n{q.tokens(None, window, TENANT)}\n)"
                  if long else None)
        budgets.append((BUDGET_USAGE, q.budget_usage(None, period, window, spent=cost), labels))
        budgets.append((TOKEN_BUDGET_USAGE, q.budget_usage(None, period, window, tokens_budget=True, spent=tokens),
                        labels))
    groups = [
        ("agentotel.operations.recording", [
            (LATENCY_P50, q.latency_quantile(0.5, None, "5m", SERVICE_OPERATION_MODEL)),
            (LATENCY_P95, q.latency_quantile(0.95, None, "5m", SERVICE_OPERATION_MODEL)),
            (LATENCY_P99, q.latency_quantile(0.99, None, "5m", SERVICE_OPERATION_MODEL)),
            (ERROR_RATIO_5M, q.error_ratio(None, "5m", SERVICE_OPERATION)),
            (ERROR_RATIO_15M, q.error_ratio(None, "15m", SERVICE_OPERATION)),
            (RETRIEVAL_HIT_RATIO, q.retrieval_hit_ratio(None, "1h", SERVICE)),
        ]),
        ("agentotel.quality.recording", [
            (CONVERSATIONS_1H, q.conversations(None, c.QUALITY_WINDOW, SERVICE)),
            (ESCALATION_RATIO, q.escalation_ratio(None, c.QUALITY_WINDOW, SERVICE)),
            (AUTOMATION_RATIO, q.automation_ratio(None, c.QUALITY_WINDOW, SERVICE)),
            (RESOLUTION_RATIO, q.resolution_ratio(None, c.QUALITY_WINDOW, SERVICE)),
            (CSAT_MEAN, q.csat_mean(None, c.CSAT_WINDOW, SERVICE)),
            (FIRST_RESPONSE_P95, q.first_response_quantile(0.95, None, c.QUALITY_WINDOW, SERVICE)),
            (RESOLUTION_TIME_P95, q.resolution_time_quantile(0.95, None, c.QUALITY_WINDOW, SERVICE)),
        ]),
        ("agentotel.cost.recording", [
            (COST_RATE, q.cost_rate(None, c.COST_WINDOW, SERVICE)),
            (COST_PER_CONVERSATION, q.cost_per_conversation(None, c.COST_WINDOW, SERVICE)),
            (TOKENS_PER_CONVERSATION, q.tokens_per_conversation(None, c.COST_WINDOW, SERVICE)),
            *budgets,
        ]),
        ("agentotel.pipeline.recording", [
            (COLLECTOR_REFUSED_RATIO, _collector_refused_ratio()),
            (COLLECTOR_QUEUE_USAGE, _collector_queue_usage()),
            (COLLECTOR_SEND_FAILED, q.collector_items(q.COLLECTOR_SEND_FAILED, c.COLLECTOR_JOB, "5m",
                                                      INSTANCE_EXPORTER)),
        ]),
    ]
    from . import rules_outcomes, rules_service

    groups += [rules_service.recording_group(), *rules_outcomes.recording_groups()]

    def rule(record: str, expr: str, labels: Optional[dict] = None) -> dict:
        return {"record": record, "expr": expr, **({"labels": labels} if labels else {})}

    hourly = {"name": "agentotel.cost.hourly.recording", "interval": "1h", "rules": [
        rule(COST_1H_TENANT, q.cost(None, "1h", TENANT)),
        rule(TOKENS_1H_TENANT, q.tokens(None, "1h", TENANT)),
    ]}
    # Evaluated every hour: each sample is one hour's spend, and long windows sum them.
    return [hourly, *({"name": name, "rules": [rule(*r) for r in rules]} for name, rules in groups)]


@dataclass(frozen=True)
class Alert:
    name: str  # without the prefix
    severity: str
    expr: str
    for_: str
    summary: str
    description: str
    labels: dict = field(default_factory=dict)

    @property
    def alertname(self) -> str:
        return c.ALERT_PREFIX + self.name

    def rule(self) -> dict:
        return {
            "alert": self.alertname,
            "expr": self.expr,
            "for": self.for_,
            "labels": {"severity": self.severity, **self.labels},
            "annotations": {
                "summary": self.summary,
                "description": self.description,
                "runbook_url": f"{c.RUNBOOK_URL}#{self.alertname.lower()}",
            },
        }


def _pct(x: float) -> str:
    return f"{x * 100:g}%"


def _usd(x: float) -> str:
    return f"${x:g}"


def _enough_conversations(expr: str) -> str:
    return f"(\n{expr}\n)\nand on ({', '.join(SERVICE)})\n{CONVERSATIONS_1H} >= {MIN_CONVERSATIONS_PER_HOUR}"


WHERE = "{{ $labels.service_name }} in {{ $labels.deployment_environment_name }}"
MODEL_WHERE = ("{{ $labels.gen_ai_operation_name }} {{ $labels.gen_ai_request_model }} "
               "({{ $labels.gen_ai_provider_name }}) of " + WHERE)
TENANT_WHERE = "Tenant {{ $labels.agentotel_tenant_id }} in {{ $labels.deployment_environment_name }}"
COLLECTOR_WHERE = "Collector {{ $labels.instance }}"


def _llm_alerts() -> list:
    err, p95, p99 = c.LLM_ERROR_RATE, c.LLM_LATENCY_P95_SECONDS, c.LLM_LATENCY_P99_SECONDS
    alerts = []
    for severity, threshold, series, window, for_ in (
        (c.WARNING, err.warning, ERROR_RATIO_15M, "15m", "15m"),
        (c.CRITICAL, err.critical, ERROR_RATIO_5M, "5m", "5m"),
    ):
        alerts.append(Alert(
            "LLMErrorRateHigh", severity, f"{series}{{{LLM}}} > {threshold:g}", for_,
            "LLM calls are failing.",
            f"{{{{ $value | humanizePercentage }}}} of {{{{ $labels.gen_ai_operation_name }}}} calls of {WHERE} "
            f"failed over {window} (threshold {_pct(threshold)}).",
        ))
    for severity, threshold, for_ in ((c.WARNING, p95.warning, "10m"), (c.CRITICAL, p95.critical, "5m")):
        alerts.append(Alert(
            "LLMLatencyHigh", severity, f"{LATENCY_P95}{{{LLM}}} > {threshold:g}", for_,
            "LLM calls are slow.",
            f"p95 latency of {MODEL_WHERE} is {{{{ $value | humanizeDuration }}}} (threshold {threshold:g}s).",
        ))
    alerts.append(Alert(
        "LLMLatencyP99High", c.WARNING, f"{LATENCY_P99}{{{LLM}}} > {p99.warning:g}", "15m",
        "The slowest LLM calls are very slow.",
        f"p99 latency of {MODEL_WHERE} is {{{{ $value | humanizeDuration }}}} (threshold {p99.warning:g}s).",
    ))
    baseline = f"avg_over_time({LATENCY_P95}{{{LLM}}}[1h] offset 5m)"
    alerts.append(Alert(
        "LLMLatencySpike", c.WARNING,
        f"{LATENCY_P95}{{{LLM}}} > {c.LATENCY_SPIKE_FACTOR:g} * {baseline}\n"
        f"and\n{LATENCY_P95}{{{LLM}}} > {c.LATENCY_SPIKE_FLOOR_SECONDS:g}",
        "5m",
        "LLM latency jumped.",
        f"p95 latency of {MODEL_WHERE} is {{{{ $value | humanizeDuration }}}}, over "
        f"{c.LATENCY_SPIKE_FACTOR:g}x its mean of the previous hour.",
    ))
    alerts.append(Alert(
        "ToolErrorRateHigh", c.WARNING, f"{ERROR_RATIO_15M}{{{TOOL}}} > {c.TOOL_ERROR_RATE.warning:g}", "15m",
        "Tool calls are failing.",
        f"{{{{ $value | humanizePercentage }}}} of the tool calls of {WHERE} failed over 15m "
        f"(threshold {_pct(c.TOOL_ERROR_RATE.warning)}).",
    ))
    alerts.append(Alert(
        "RetrievalHitRateLow", c.WARNING, f"{RETRIEVAL_HIT_RATIO} < {c.RETRIEVAL_HIT_RATE.warning:g}", "30m",
        "Knowledge-base searches find little.",
        f"Only {{{{ $value | humanizePercentage }}}} of the knowledge-base searches of {WHERE} found a document "
        f"over 1h (threshold {_pct(c.RETRIEVAL_HIT_RATE.warning)}).",
    ))
    return alerts


def _quality_alerts() -> list:
    alerts = []
    esc = c.ESCALATION_RATE
    for severity, threshold, for_ in ((c.WARNING, esc.warning, "30m"), (c.CRITICAL, esc.critical, "15m")):
        alerts.append(Alert(
            "EscalationRateHigh", severity, _enough_conversations(f"{ESCALATION_RATIO} > {threshold:g}"), for_,
            "Many conversations are handed to humans.",
            f"{{{{ $value | humanizePercentage }}}} of the conversations of {WHERE} were escalated over 1h "
            f"(threshold {_pct(threshold)}).",
        ))
    auto = c.AUTOMATION_RATE
    alerts.append(Alert(
        "AutomationRateLow", c.WARNING, _enough_conversations(f"{AUTOMATION_RATIO} < {auto.warning:g}"), "30m",
        "Too few conversations are handled without a human.",
        f"Automation rate of {WHERE} is {{{{ $value | humanizePercentage }}}} over 1h "
        f"(threshold {_pct(auto.warning)}, target {_pct(auto.target)}).",
    ))
    res = c.RESOLUTION_RATE
    for severity, threshold in ((c.WARNING, res.warning), (c.CRITICAL, res.critical)):
        alerts.append(Alert(
            "ResolutionRateLow", severity, _enough_conversations(f"{RESOLUTION_RATIO} < {threshold:g}"), "30m",
            "Too few conversations end resolved.",
            f"Resolution rate of {WHERE} is {{{{ $value | humanizePercentage }}}} over 1h "
            f"(threshold {_pct(threshold)}, target {_pct(res.target)}).",
        ))
    alerts.append(Alert(
        "CSATLow", c.WARNING, f"{CSAT_MEAN} < {c.CSAT.warning:g}", "30m",
        "Customer satisfaction is low.",
        f"Mean CSAT of {WHERE} is {{{{ $value | printf \"%.2f\" }}}}/5 over {c.CSAT_WINDOW} "
        f"(threshold {c.CSAT.warning:g}, target {c.CSAT.target:g}).",
    ))
    fr = c.FIRST_RESPONSE_SECONDS
    alerts.append(Alert(
        "FirstResponseSlow", c.WARNING, f"{FIRST_RESPONSE_P95} > {fr.warning:g}", "15m",
        "Users wait long for the agent's first response.",
        f"p95 time to first response of {WHERE} is {{{{ $value | humanizeDuration }}}} over 1h "
        f"(threshold {fr.warning:g}s).",
    ))
    rt = c.RESOLUTION_SECONDS
    alerts.append(Alert(
        "ResolutionTimeSlow", c.WARNING, f"{RESOLUTION_TIME_P95} > {rt.warning:g}", "30m",
        "Conversations take long to resolve.",
        f"p95 time to resolution of {WHERE} is {{{{ $value | humanizeDuration }}}} over 1h "
        f"(threshold {rt.warning:g}s).",
    ))
    return alerts


def _cost_alerts() -> list:
    alerts = []
    day = c.COST_PER_DAY_USD
    for severity, threshold, for_ in ((c.WARNING, day.warning, "30m"), (c.CRITICAL, day.critical, "15m")):
        alerts.append(Alert(
            "CostPerDayHigh", severity, f"{COST_RATE} * {q.SECONDS_PER_DAY} > {threshold:g}", for_,
            "LLM spend is running high.",
            f"LLM spend of {WHERE} runs at ${{{{ $value | printf \"%.2f\" }}}} per day over the last hour "
            f"(threshold {_usd(threshold)}).",
        ))
    cpc = c.COST_PER_CONVERSATION_USD
    alerts.append(Alert(
        "CostPerConversationHigh", c.WARNING, f"{COST_PER_CONVERSATION} > {cpc.warning:g}", "30m",
        "Conversations cost too much.",
        f"Mean LLM cost per conversation of {WHERE} is ${{{{ $value | printf \"%.3f\" }}}} over 1h "
        f"(threshold {_usd(cpc.warning)}, target {_usd(cpc.target)}).",
    ))
    tpc = c.TOKENS_PER_CONVERSATION
    alerts.append(Alert(
        "TokensPerConversationHigh", c.WARNING, f"{TOKENS_PER_CONVERSATION} > {tpc.warning:g}", "30m",
        "Conversations use too many tokens.",
        f"Mean tokens per conversation of {WHERE} is {{{{ $value | printf \"%.0f\" }}}} over 1h "
        f"(threshold {tpc.warning:g}, target {tpc.target:g}).",
    ))
    budget = c.BUDGET_USAGE
    for name, series, what in (("CostBudgetExhaustion", BUDGET_USAGE, "spend"),
                               ("TokenBudgetExhaustion", TOKEN_BUDGET_USAGE, "token")):
        for severity, threshold in ((c.WARNING, budget.warning), (c.CRITICAL, budget.critical)):
            alerts.append(Alert(
                name, severity, f"{series} >= {threshold:g}", "5m",
                f"A tenant's {what} budget is {'used up' if threshold >= 1 else 'nearly used up'}.",
                f"{TENANT_WHERE} has used {{{{ $value | humanizePercentage }}}} of its "
                f"{{{{ $labels.agentotel_budget_period }}}} {what} budget (threshold {_pct(threshold)}).",
            ))
    unpriced = f"{q.increase(q.UNPRICED_CALLS, None, '1h', by=(*SERVICE, q.PROVIDER, q.MODEL))} > 0"
    alerts.append(Alert(
        "UnpricedCalls", c.WARNING, unpriced, "15m",
        "LLM calls to a model without a price.",
        f"{{{{ $value | printf \"%.0f\" }}}} calls of {WHERE} to {{{{ $labels.gen_ai_provider_name }}}} "
        "{{ $labels.gen_ai_request_model }} in the last hour had no price: their cost is missing from every "
        "cost figure.",
    ))
    return alerts


def _pipeline_alerts() -> list:
    up = f"{q.COLLECTOR_UP}{{{COLLECTOR}}}"
    return [
        Alert(
            "CollectorDown", c.CRITICAL, f"{up} == 0\nor\nabsent({up})", "2m",
            "The OpenTelemetry Collector is down.",
            f"Prometheus cannot scrape the collector (job {c.COLLECTOR_JOB}, instance "
            "{{ $labels.instance }}): apps' telemetry is not received.",
        ),
        Alert(
            "CollectorRefusingData", c.WARNING,
            f"{COLLECTOR_REFUSED_RATIO} > {c.COLLECTOR_REFUSED_RATIO.warning:g}", "5m",
            "The collector refuses telemetry.",
            f"{COLLECTOR_WHERE} refused {{{{ $value | humanizePercentage }}}} of the items it received over 5m "
            f"(threshold {_pct(c.COLLECTOR_REFUSED_RATIO.warning)}).",
        ),
        Alert(
            "CollectorQueueFilling", c.WARNING,
            f"{COLLECTOR_QUEUE_USAGE} > {c.COLLECTOR_QUEUE_USAGE.warning:g}", "5m",
            "A collector export queue is filling up.",
            f"The sending queue of exporter {{{{ $labels.exporter }}}} on {COLLECTOR_WHERE.lower()} is "
            f"{{{{ $value | humanizePercentage }}}} full (threshold {_pct(c.COLLECTOR_QUEUE_USAGE.warning)}).",
        ),
        Alert(
            "CollectorExportFailing", c.CRITICAL, f"{COLLECTOR_SEND_FAILED} > 0", "10m",
            "The collector fails to export telemetry.",
            f"Exporter {{{{ $labels.exporter }}}} on {COLLECTOR_WHERE.lower()} fails to send "
            "{{ $value | printf \"%.2f\" }} items per second.",
        ),
        Alert(
            "TelemetryDropped", c.WARNING,
            f"{q.increase(q.TELEMETRY_DROPPED, None, '15m', by=(*SERVICE, q.SIGNAL, q.DROP_REASON))} > 0", "5m",
            "An app drops telemetry.",
            f"{WHERE} dropped {{{{ $value | printf \"%.0f\" }}}} {{{{ $labels.agentotel_signal }}}} items "
            "({{ $labels.agentotel_drop_reason }}) in the last 15m.",
        ),
        Alert(
            "InternalErrors", c.WARNING,
            f"{q.increase(q.INTERNAL_ERRORS, None, '15m', by=(*SERVICE, q.COMPONENT))} > 0", "5m",
            "agentotel hits internal errors.",
            f"agentotel's {{{{ $labels.agentotel_component }}}} in {WHERE} contained "
            "{{ $value | printf \"%.0f\" }} errors in the last 15m: some telemetry may be missing.",
        ),
    ]


def _sections() -> tuple:
    from . import rules_outcomes, rules_service

    return (("agentotel.llm.alerts", _llm_alerts()), ("agentotel.quality.alerts", _quality_alerts()),
            ("agentotel.cost.alerts", _cost_alerts()), ("agentotel.pipeline.alerts", _pipeline_alerts()),
            ("agentotel.service.alerts", rules_service.alerts()),
            ("agentotel.evaluations.alerts", rules_outcomes.evaluation_alerts()),
            ("agentotel.business.alerts", rules_outcomes.business_alerts()))


def alerts() -> list:
    return [alert for _, items in _sections() for alert in items]


def alert_groups() -> list:
    sections = _sections()
    return [{"name": name, "rules": [a.rule() for a in items]} for name, items in sections]


def alert_by(name: str, severity: Optional[str] = None) -> Alert:
    """The alert called ``name`` (prefix optional) with ``severity``, for tests and docs."""
    matches = [a for a in alerts() if a.alertname in (name, c.ALERT_PREFIX + name)
               and (severity is None or a.severity == severity)]
    if len(matches) != 1:
        raise KeyError(f"{name} {severity or ''}: {len(matches)} alerts")
    return matches[0]
