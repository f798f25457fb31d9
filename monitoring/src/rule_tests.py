"""`promtool test rules` suites: every alert at its ``for:`` boundary.

Each case feeds synthetic series (one sample a minute from t=0) and names the minute the alert's
expression first holds. The generated test asserts that the alert is NOT firing one evaluation
before ``for:`` has elapsed from then, and IS firing when it has, with every label and annotation.
Expected descriptions are spelled out literally here: they check the templates' rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import config as c
from . import rules

ENV, SVC = "prod", "support-agent"
SERVICE_LABELS = {"deployment_environment_name": ENV, "service_name": SVC}
WHERE = f"{SVC} in {ENV}"


def _series(metric: str, values: str, **labels: str) -> dict:
    inner = ", ".join(f'{k}="{v}"' for k, v in labels.items())
    return {"series": f"{metric}{{{inner}}}", "values": values}


def _svc(metric: str, values: str, **labels: str) -> dict:
    return _series(metric, values, **SERVICE_LABELS, **labels)


@dataclass(frozen=True)
class Expected:
    """An alert expected to fire: its severity, labels (besides alertname/severity) and description."""

    severity: str
    labels: dict
    description: str


@dataclass(frozen=True)
class Case:
    name: str
    alert: str
    fires: Expected
    series: list
    active_at: int  # minute of the first evaluation where the expression holds
    # Alerts of the same name (other severities) firing one step before / at the boundary.
    before: tuple = ()
    also: tuple = ()
    extra_evals: list = field(default_factory=list)


def _minutes(duration: str) -> int:
    value, unit = int(duration[:-1]), duration[-1]
    return value * {"m": 1, "h": 60}[unit]


def _expected(alertname: str, exp: Expected) -> dict:
    alert = rules.alert_by(alertname, exp.severity)
    rule = alert.rule()
    return {
        "exp_labels": {**exp.labels, "severity": exp.severity},
        "exp_annotations": {
            "summary": rule["annotations"]["summary"],
            "description": exp.description,
            "runbook_url": rule["annotations"]["runbook_url"],
        },
    }


def _test(case: Case) -> dict:
    alertname = c.ALERT_PREFIX + case.alert
    boundary = case.active_at + _minutes(rules.alert_by(alertname, case.fires.severity).for_)
    evals = [
        {"eval_time": f"{boundary - 1}m", "alertname": alertname,
         "exp_alerts": [_expected(alertname, e) for e in case.before]},
        {"eval_time": f"{boundary}m", "alertname": alertname,
         "exp_alerts": [_expected(alertname, e) for e in (case.fires, *case.also)]},
        *case.extra_evals,
    ]
    return {"name": case.name, "interval": "1m", "input_series": case.series, "alert_rule_test": evals}


def _suite(tests: list) -> dict:
    order = [g["name"] for g in rules.recording_groups()] + [g["name"] for g in rules.alert_groups()]
    return {
        "rule_files": ["../recording.rules.yaml", "../alerts.rules.yaml"],
        "evaluation_interval": "1m",
        # Recorded series first: the alerts read them at the same evaluation.
        "group_eval_order": order,
        "tests": tests,
    }


# --- LLM operations ------------------------------------------------------------------------------
DURATION = "gen_ai_client_operation_duration_seconds"
CHAT = {"gen_ai_operation_name": "chat", "gen_ai_provider_name": "openai", "gen_ai_request_model": "gpt-4o"}
CHAT_WHERE = f"chat gpt-4o (openai) of {WHERE}"


def _calls(ok: int, failed: int, operation: str = "chat") -> list:
    labels = {**CHAT, "gen_ai_operation_name": operation}
    return [_svc(f"{DURATION}_count", f"0+{ok}x60", **labels),
            _svc(f"{DURATION}_count", f"0+{failed}x60", **labels, error_type="timeout")]


def _latency(buckets: dict) -> list:
    """Cumulative ``le`` buckets of chat calls; values are per-minute increments."""
    return [_svc(f"{DURATION}_bucket", f"0+{n}x90", **CHAT, le=le) for le, n in buckets.items()]


SLOW_10 = {"1": 0, "5": 0, "10": 10, "30": 10, "60": 10, "+Inf": 10}  # every call in (5s, 10s]
SLOW_30 = {"1": 0, "5": 0, "10": 0, "30": 10, "60": 10, "+Inf": 10}  # in (10s, 30s]
SLOW_60 = {"1": 0, "5": 0, "10": 0, "30": 0, "60": 10, "+Inf": 10}  # in (30s, 60s]
OP_LABELS = {**SERVICE_LABELS, "gen_ai_operation_name": "chat"}
MODEL_LABELS = {**SERVICE_LABELS, **CHAT}


def _spike() -> list:
    """70 minutes of calls in (0.5s, 1s], then every call in (5s, 10s]."""
    fast, both = "0+10x70 700+0x20", "0+10x90"
    return [_svc(f"{DURATION}_bucket", v, **CHAT, le=le)
            for le, v in (("0.5", "0+0x90"), ("1", fast), ("5", fast), ("10", both), ("+Inf", both))]


def llm_cases() -> list:
    return [
        Case("LLM error ratio above 2% over 15m", "LLMErrorRateHigh",
             Expected(c.WARNING, OP_LABELS, f"3% of chat calls of {WHERE} failed over 15m (threshold 2%)."),
             _calls(97, 3), active_at=1),
        Case("LLM error ratio above 5% over 5m", "LLMErrorRateHigh",
             Expected(c.CRITICAL, OP_LABELS, f"10% of chat calls of {WHERE} failed over 5m (threshold 5%)."),
             _calls(90, 10), active_at=1),
        Case("LLM p95 latency above 5s", "LLMLatencyHigh",
             Expected(c.WARNING, MODEL_LABELS, f"p95 latency of {CHAT_WHERE} is 9.75s (threshold 5s)."),
             _latency(SLOW_10), active_at=1),
        Case("LLM p95 latency above 10s", "LLMLatencyHigh",
             Expected(c.CRITICAL, MODEL_LABELS, f"p95 latency of {CHAT_WHERE} is 29s (threshold 10s)."),
             _latency(SLOW_30), active_at=1),
        Case("LLM p99 latency above 30s", "LLMLatencyP99High",
             Expected(c.WARNING, MODEL_LABELS, f"p99 latency of {CHAT_WHERE} is 59.7s (threshold 30s)."),
             _latency(SLOW_60), active_at=1),
        Case("LLM p95 latency jumps to 3x its previous hour", "LLMLatencySpike",
             Expected(c.WARNING, MODEL_LABELS,
                      f"p95 latency of {CHAT_WHERE} is 9.75s, over 3x its mean of the previous hour."),
             _spike(), active_at=71),
        Case("tool error ratio above 5% over 15m", "ToolErrorRateHigh",
             Expected(c.WARNING, {**SERVICE_LABELS, "gen_ai_operation_name": "execute_tool"},
                      f"10% of the tool calls of {WHERE} failed over 15m (threshold 5%)."),
             _calls(90, 10, "execute_tool"), active_at=1),
        Case("knowledge-base hit ratio below 50%", "RetrievalHitRateLow",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"Only 40% of the knowledge-base searches of {WHERE} found a document over 1h "
                      "(threshold 50%)."),
             [_svc("agentotel_retrieval_searches_total", "0+4x60", gen_ai_data_source_id="kb",
                   agentotel_retrieval_outcome="hit"),
              _svc("agentotel_retrieval_searches_total", "0+6x60", gen_ai_data_source_id="kb",
                   agentotel_retrieval_outcome="miss")],
             active_at=1),
    ]


# --- quality -------------------------------------------------------------------------------------
def _conversations(per_minute: dict, minutes: int = 60) -> list:
    """Conversation counters of one agent and tenant; ``per_minute`` maps outcome -> increment."""
    return [_svc("agentotel_conversations_total", f"0+{n}x{minutes}", agentotel_conversation_outcome=outcome,
                 agentotel_conversation_intent="order_status", gen_ai_agent_name="support",
                 agentotel_tenant_id="acme")
            for outcome, n in per_minute.items()]


def _histogram(metric: str, buckets: dict, minutes: int = 60, **labels: str) -> list:
    return [_svc(f"{metric}_bucket", f"0+{n}x{minutes}", gen_ai_agent_name="support", agentotel_tenant_id="acme",
                 **labels, le=le) for le, n in buckets.items()]


def _esc(pct: str, threshold: str) -> str:
    return f"{pct} of the conversations of {WHERE} were escalated over 1h (threshold {threshold})."


def _res(pct: str, threshold: str) -> str:
    return f"Resolution rate of {WHERE} is {pct} over 1h (threshold {threshold}, target 75%)."


def quality_cases() -> list:
    return [
        Case("escalation ratio above 25% over 1h", "EscalationRateHigh",
             Expected(c.WARNING, SERVICE_LABELS, _esc("30%", "25%")),
             _conversations({"resolved": 14, "escalated": 6}), active_at=1),
        Case("escalation ratio above 50% over 1h", "EscalationRateHigh",
             Expected(c.CRITICAL, SERVICE_LABELS, _esc("60%", "50%")),
             _conversations({"resolved": 8, "escalated": 12}), active_at=1),
        Case("automation ratio below 70% over 1h", "AutomationRateLow",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"Automation rate of {WHERE} is 60% over 1h (threshold 70%, target 80%)."),
             _conversations({"resolved": 10, "abandoned": 2, "escalated": 8}), active_at=1),
        Case("resolution ratio below 65% over 1h", "ResolutionRateLow",
             Expected(c.WARNING, SERVICE_LABELS, _res("62%", "65%")),
             _conversations({"resolved": 31, "abandoned": 19}), active_at=1),
        Case("resolution ratio below 60% over 1h", "ResolutionRateLow",
             Expected(c.CRITICAL, SERVICE_LABELS, _res("50%", "60%")),
             _conversations({"resolved": 10, "abandoned": 10}), active_at=1,
             also=(Expected(c.WARNING, SERVICE_LABELS, _res("50%", "65%")),)),
        Case("mean CSAT below 3.5", "CSATLow",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"Mean CSAT of {WHERE} is 3.00/5 over 6h (threshold 3.5, target 4.2)."),
             [_svc("agentotel_feedback_score_sum", "0+6x60", gen_ai_agent_name="support", agentotel_tenant_id="acme",
                   agentotel_conversation_intent="order_status"),
              _svc("agentotel_feedback_score_count", "0+2x60", gen_ai_agent_name="support",
                   agentotel_tenant_id="acme", agentotel_conversation_intent="order_status")],
             active_at=1),
        Case("p95 first response above 60s", "FirstResponseSlow",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"p95 time to first response of {WHERE} is 1m 57s over 1h (threshold 60s)."),
             _histogram("agentotel_conversation_first_response_duration_seconds",
                        {"30": 0, "60": 0, "120": 10, "+Inf": 10}),
             active_at=1),
        Case("p95 resolution time above 15 minutes", "ResolutionTimeSlow",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"p95 time to resolution of {WHERE} is 29m 0s over 1h (threshold 900s)."),
             _histogram("agentotel_conversation_duration_seconds", {"300": 0, "600": 0, "1800": 5, "+Inf": 5},
                        agentotel_conversation_outcome="resolved"),
             active_at=1),
    ]


def quality_guard_test() -> dict:
    """A quiet service (one conversation every ten minutes, all escalated) raises no quality alert."""
    evals = [{"eval_time": "90m", "alertname": c.ALERT_PREFIX + name, "exp_alerts": []}
             for name in ("EscalationRateHigh", "AutomationRateLow", "ResolutionRateLow")]
    series = [_svc("agentotel_conversations_total", "0+1x9", agentotel_conversation_outcome="escalated",
                   agentotel_conversation_intent="refund", gen_ai_agent_name="support", agentotel_tenant_id="acme")]
    return {"name": "quality ratios of fewer than 10 conversations an hour do not alert", "interval": "10m",
            "input_series": series, "alert_rule_test": evals}


# --- cost ----------------------------------------------------------------------------------------
COST = "agentotel_llm_cost_total"
TENANT_LABELS = {"deployment_environment_name": ENV, "agentotel_tenant_id": "acme"}


def _cost(values: str) -> list:
    return [_svc(COST, values, **CHAT, gen_ai_agent_name="support", agentotel_tenant_id="acme")]


def _budget(metric: str, limit: float, period: str = "day") -> dict:
    return _svc(metric, f"{limit:g}+0x20", agentotel_tenant_id="acme", agentotel_budget_period=period)


def _per_day(value: str, threshold: str) -> str:
    return f"LLM spend of {WHERE} runs at ${value} per day over the last hour (threshold {threshold})."


def _used(pct: str, period: str, what: str, threshold: str) -> str:
    return f"Tenant acme in {ENV} has used {pct} of its {period} {what} budget (threshold {threshold})."


def _budget_case(alert: str, severity: str, metric: str, spent_metric: str, limit: float, spent: float,
                 period: str = "day") -> Case:
    what = "token" if "token" in metric else "spend"
    labels = {**TENANT_LABELS, "agentotel_budget_period": period}
    pct = f"{spent / limit * 100:g}%"
    both = severity == c.CRITICAL
    spend = _svc(spent_metric, f"0 {spent:g}+0x20", **CHAT, gen_ai_agent_name="support", agentotel_tenant_id="acme",
                 **({"gen_ai_token_type": "input"} if what == "token" else {}))
    return Case(f"{what} budget {pct} used ({period})", alert,
                Expected(severity, labels, _used(pct, period, what, "100%" if both else "80%")),
                [spend, _budget(metric, limit, period)], active_at=1,
                also=(Expected(c.WARNING, labels, _used(pct, period, what, "80%")),) if both else ())


def cost_cases() -> list:
    return [
        # 0.2 USD a minute = $288 a day once the hour is full; rate() over a part-filled hour
        # understates it, so the expression holds from minute 42 (201.6).
        Case("LLM spend above $200 a day", "CostPerDayHigh",
             Expected(c.WARNING, SERVICE_LABELS, _per_day("288.00", "$200")), _cost("0+0.2x80"), active_at=42),
        Case("LLM spend above $300 a day", "CostPerDayHigh",
             Expected(c.CRITICAL, SERVICE_LABELS, _per_day("7680.00", "$300")), _cost("0+20x40"), active_at=1),
        Case("mean cost per conversation above $0.25", "CostPerConversationHigh",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"Mean LLM cost per conversation of {WHERE} is $0.300 over 1h (threshold $0.25, target $0.1)."),
             [_svc("agentotel_conversation_cost_sum", "0+3x60", agentotel_conversation_outcome="resolved",
                   gen_ai_agent_name="support", agentotel_tenant_id="acme"),
              _svc("agentotel_conversation_cost_count", "0+10x60", agentotel_conversation_outcome="resolved",
                   gen_ai_agent_name="support", agentotel_tenant_id="acme")],
             active_at=1),
        Case("mean tokens per conversation above 8000", "TokensPerConversationHigh",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"Mean tokens per conversation of {WHERE} is 9000 over 1h (threshold 8000, target 4000)."),
             [_svc("agentotel_conversation_tokens_sum", "0+90000x60", agentotel_conversation_outcome="resolved",
                   gen_ai_agent_name="support", agentotel_tenant_id="acme"),
              _svc("agentotel_conversation_tokens_count", "0+10x60", agentotel_conversation_outcome="resolved",
                   gen_ai_agent_name="support", agentotel_tenant_id="acme")],
             active_at=1),
        _budget_case("CostBudgetExhaustion", c.WARNING, "agentotel_budget_limit", COST, 100, 85),
        _budget_case("CostBudgetExhaustion", c.CRITICAL, "agentotel_budget_limit", COST, 100, 120),
        _budget_case("TokenBudgetExhaustion", c.WARNING, "agentotel_budget_token_limit",
                     "gen_ai_client_token_usage_sum", 10000, 8500),
        _budget_case("TokenBudgetExhaustion", c.CRITICAL, "agentotel_budget_token_limit",
                     "gen_ai_client_token_usage_sum", 10000, 12000),
        # A new series counts from its first sample: the first unpriced call alerts too.
        Case("calls to a model without a price", "UnpricedCalls",
             Expected(c.WARNING, {**SERVICE_LABELS, "gen_ai_provider_name": "openai",
                                  "gen_ai_request_model": "gpt-9"},
                      f"16 calls of {WHERE} to openai gpt-9 in the last hour had no price: their cost is missing "
                      "from every cost figure."),
             [_svc("agentotel_llm_unpriced_calls_total", "1+1x30", gen_ai_provider_name="openai",
                   gen_ai_request_model="gpt-9")],
             active_at=0),
    ]


# --- the telemetry pipeline ----------------------------------------------------------------------
COLLECTOR = {"job": c.COLLECTOR_JOB, "instance": "127.0.0.1:8888"}
EXPORTER = {**COLLECTOR, "exporter": "otlp/jaeger"}


def pipeline_cases() -> list:
    return [
        Case("collector target down", "CollectorDown",
             Expected(c.CRITICAL, COLLECTOR,
                      f"Prometheus cannot scrape the collector (job {c.COLLECTOR_JOB}, instance 127.0.0.1:8888): "
                      "apps' telemetry is not received."),
             [_series("up", "0+0x10", **COLLECTOR)], active_at=0),
        Case("collector target absent", "CollectorDown",
             Expected(c.CRITICAL, {"job": c.COLLECTOR_JOB},
                      f"Prometheus cannot scrape the collector (job {c.COLLECTOR_JOB}, instance ): "
                      "apps' telemetry is not received."),
             [_series("up", "1+0x10", job="other", instance="127.0.0.1:9")], active_at=0),
        Case("collector refuses over 1% of items", "CollectorRefusingData",
             Expected(c.WARNING, COLLECTOR,
                      "Collector 127.0.0.1:8888 refused 5% of the items it received over 5m (threshold 1%)."),
             [_series("otelcol_receiver_accepted_spans", "0+95x20", **COLLECTOR, receiver="otlp",
                      transport="grpc"),
              _series("otelcol_receiver_refused_spans", "0+5x20", **COLLECTOR, receiver="otlp",
                      transport="grpc")],
             active_at=1),
        Case("collector queue above 80%", "CollectorQueueFilling",
             Expected(c.WARNING, EXPORTER,
                      "The sending queue of exporter otlp/jaeger on collector 127.0.0.1:8888 is 90% full "
                      "(threshold 80%)."),
             [_series("otelcol_exporter_queue_size", "900+0x20", **EXPORTER, data_type="traces"),
              _series("otelcol_exporter_queue_capacity", "1000+0x20", **EXPORTER, data_type="traces")],
             active_at=0),
        Case("collector export failures", "CollectorExportFailing",
             Expected(c.CRITICAL, EXPORTER,
                      "Exporter otlp/jaeger on collector 127.0.0.1:8888 fails to send 0.10 items per second."),
             [_series("otelcol_exporter_send_failed_spans", "0+6x20", **EXPORTER)], active_at=1),
        Case("app drops telemetry", "TelemetryDropped",
             Expected(c.WARNING, {**SERVICE_LABELS, "agentotel_signal": "traces", "agentotel_drop_reason": "queue_full"},
                      f"{WHERE} dropped 6 traces items (queue_full) in the last 15m."),
             [_svc("agentotel_telemetry_dropped_total", "1+1x20", agentotel_signal="traces",
                   agentotel_drop_reason="queue_full")],
             active_at=0),
        Case("agentotel internal errors", "InternalErrors",
             Expected(c.WARNING, {**SERVICE_LABELS, "agentotel_component": "cost"},
                      f"agentotel's cost in {WHERE} contained 6 errors in the last 15m: some telemetry may be "
                      "missing."),
             [_svc("agentotel_internal_errors_total", "1+1x20", agentotel_component="cost")], active_at=0),
    ]


def service_cases() -> list:
    from .rule_tests_service import service_cases as cases

    return cases()


def outcome_cases() -> list:
    from .rule_tests_service import outcome_cases as cases

    return cases()


def budget_suite() -> dict:
    from .rule_tests_budgets import suite

    return suite()


def suites() -> dict:
    """Test file name -> promtool test suite."""
    return {
        "llm": _suite([_test(x) for x in llm_cases()]),
        "quality": _suite([*(_test(x) for x in quality_cases()), quality_guard_test()]),
        "cost": _suite([_test(x) for x in cost_cases()]),
        "pipeline": _suite([_test(x) for x in pipeline_cases()]),
        "recording": _suite(recording_tests()),
        "service": _suite([_test(x) for x in service_cases()]),
        "outcomes": _suite([_test(x) for x in outcome_cases()]),
        "budgets": budget_suite(),
    }


def all_cases() -> list:
    return [*llm_cases(), *quality_cases(), *cost_cases(), *pipeline_cases(), *service_cases(), *outcome_cases()]


def recording_tests() -> list:
    """Values of recorded series the dashboards and alerts rely on."""
    no_errors = [_svc(f"{DURATION}_count", "0+50x20", **CHAT)]
    no_escalations = _conversations({"resolved": 8, "abandoned": 2}, minutes=20)
    # Counters named as collectors with a `_total` suffix name them (the alert tests use the plain names).
    # Increments of 60, 120 per minute make every 5m rate a whole number (1, 2) and the ratio 1/4, all
    # exact in binary floating point: the expected value is the same whatever order of operations or
    # extrapolation a Prometheus release uses (2.x and 3.x differ in the last digit on 10/110).
    logs_missing = [
        _series("otelcol_receiver_accepted_spans_total", "0+120x20", **COLLECTOR, receiver="otlp", transport="grpc"),
        _series("otelcol_receiver_refused_spans_total", "0+0x20", **COLLECTOR, receiver="otlp", transport="grpc"),
        _series("otelcol_receiver_accepted_metric_points_total", "0+60x20", **COLLECTOR, receiver="otlp",
                transport="grpc"),
        _series("otelcol_receiver_refused_metric_points_total", "0+60x20", **COLLECTOR, receiver="otlp",
                transport="grpc"),
    ]
    return [
        {"name": "a service without failed calls has an error ratio of 0, not none", "interval": "1m",
         "input_series": no_errors,
         "promql_expr_test": [{"expr": rules.ERROR_RATIO_5M, "eval_time": "10m", "exp_samples": [
             {"labels": _labels(rules.ERROR_RATIO_5M, **SERVICE_LABELS, gen_ai_operation_name="chat"), "value": 0}]}]},
        {"name": "a counter series born within the window counts its whole value", "interval": "1m",
         "input_series": [
             _svc("agentotel_conversations_total", "0+1x90", agentotel_conversation_outcome="resolved",
                  agentotel_conversation_intent="faq", gen_ai_agent_name="support", agentotel_tenant_id="acme"),
             # First exported at minute 75 already at 3, never changed: increase() alone would read 0.
             _svc("agentotel_conversations_total", "_x75 3+0x15", agentotel_conversation_outcome="escalated",
                  agentotel_conversation_intent="legal", gen_ai_agent_name="support", agentotel_tenant_id="acme")],
         "promql_expr_test": [
             {"expr": rules.CONVERSATIONS_1H, "eval_time": "90m",
              "exp_samples": [{"labels": _labels(rules.CONVERSATIONS_1H, **SERVICE_LABELS), "value": 63}]},
             {"expr": rules.ESCALATION_RATIO, "eval_time": "90m",
              "exp_samples": [{"labels": _labels(rules.ESCALATION_RATIO, **SERVICE_LABELS), "value": 3 / 63}]},
         ]},
        {"name": "a service without escalations has automation 1 and escalation 0", "interval": "1m",
         "input_series": no_escalations,
         "promql_expr_test": [
             {"expr": rules.AUTOMATION_RATIO, "eval_time": "10m",
              "exp_samples": [{"labels": _labels(rules.AUTOMATION_RATIO, **SERVICE_LABELS), "value": 1}]},
             {"expr": rules.ESCALATION_RATIO, "eval_time": "10m",
              "exp_samples": [{"labels": _labels(rules.ESCALATION_RATIO, **SERVICE_LABELS), "value": 0}]},
             {"expr": rules.RESOLUTION_RATIO, "eval_time": "10m",
              "exp_samples": [{"labels": _labels(rules.RESOLUTION_RATIO, **SERVICE_LABELS), "value": 0.8}]},
         ]},
        {"name": "the refused ratio sums the signals a collector has, with _total names too", "interval": "1m",
         "input_series": logs_missing,
         "promql_expr_test": [{"expr": rules.COLLECTOR_REFUSED_RATIO, "eval_time": "10m", "exp_samples": [
             {"labels": _labels(rules.COLLECTOR_REFUSED_RATIO, **COLLECTOR), "value": 1 / 4}]}]},
        {"name": "budget usage keeps the tenant and the period", "interval": "1m",
         "input_series": [_svc(COST, "0 50+0x20", **CHAT, gen_ai_agent_name="support", agentotel_tenant_id="acme"),
                          _budget("agentotel_budget_limit", 200),
                          _budget("agentotel_budget_limit", 0, "month")],
         "promql_expr_test": [{"expr": rules.BUDGET_USAGE, "eval_time": "5m", "exp_samples": [
             {"labels": _labels(rules.BUDGET_USAGE, **TENANT_LABELS, agentotel_budget_period="day"),
              "value": 0.25}]}]},
    ]


def _labels(metric: str, **labels: str) -> str:
    return metric + "{" + ", ".join(f'{k}="{v}"' for k, v in labels.items()) + "}"
