"""`promtool test rules` cases of the service, evaluation and business alerts (``rules_service``,
``rules_outcomes``), in the shape of ``rule_tests``: each at its ``for:`` boundary."""

from __future__ import annotations

from . import config as c
from .rule_tests import DURATION, SERVICE_LABELS, WHERE, Case, Expected, _calls, _svc

HTTP = "http_server_request_duration_seconds"
ROUTE = {"http_request_method": "POST", "http_route": "/chat"}
AGENT_LABELS = {**SERVICE_LABELS, "gen_ai_operation_name": "invoke_agent"}


def _http(ok: int, failed: int, minutes: int = 60) -> list:
    return [_svc(f"{HTTP}_count", f"0+{ok}x{minutes}", **ROUTE, http_response_status_code="200"),
            _svc(f"{HTTP}_count", f"0+{failed}x{minutes}", **ROUTE, http_response_status_code="503")]


def _buckets(metric: str, buckets: dict, minutes: int = 30, **labels: str) -> list:
    return [_svc(f"{metric}_bucket", f"0+{n}x{minutes}", **labels, le=le) for le, n in buckets.items()]


def _budget(burns: str) -> str:
    return (f"{WHERE} answers 10% of its requests 5xx: the 99.5% availability budget burns at {burns}.")


def service_cases() -> list:
    return [
        Case("API 5xx ratio above 5% over 5m", "APIErrorRateHigh",
             Expected(c.CRITICAL, SERVICE_LABELS,
                      f"10% of the HTTP requests to {WHERE} were answered 5xx over 5m (threshold 5%)."),
             _http(90, 10), active_at=1),
        Case("API p95 latency above 2s", "APILatencyHigh",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"p95 latency of the HTTP requests to {WHERE} is 4.875s (threshold 2s)."),
             _buckets(HTTP, {"1": 0, "2.5": 0, "5": 10, "+Inf": 10}, **ROUTE, http_response_status_code="200"),
             active_at=1),
        Case("agent runs failing over 10%", "AgentRunFailureRateHigh",
             Expected(c.WARNING, AGENT_LABELS,
                      f"15% of the agent runs of {WHERE} failed over 5m (threshold 10%)."),
             _calls(85, 15, "invoke_agent"), active_at=1),
        Case("agent runs p95 above 60s", "AgentRunSlow",
             Expected(c.WARNING, AGENT_LABELS,
                      f"p95 duration of the agent runs of {WHERE} is 1m 19s (threshold 60s)."),
             _buckets(DURATION, {"20.48": 0, "40.96": 0, "81.92": 10, "+Inf": 10},
                      gen_ai_operation_name="invoke_agent"), active_at=1),
        Case("knowledge-base queries within 5s under 95%", "RetrievalSlow",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"Only 90% of the knowledge-base queries of {WHERE} finished within 5s over 5m "
                      "(threshold 95%)."),
             [_svc(f"{DURATION}_bucket", "0+9x30", gen_ai_operation_name="retrieval", le="5.12"),
              _svc(f"{DURATION}_count", "0+10x30", gen_ai_operation_name="retrieval")], active_at=1),
        Case("availability below 99% over 1h", "AvailabilityLow",
             Expected(c.ERROR, SERVICE_LABELS,
                      f"Availability of {WHERE} is 90% over 1h (alert below 99%, objective 99.5%)."),
             _http(90, 10), active_at=1),
        Case("error budget burning 14.4x over 1h and 5m", "ErrorBudgetBurnFast",
             Expected(c.CRITICAL, SERVICE_LABELS, _budget("14.4x over 1h and 5m or 6x over 6h and 30m")),
             _http(90, 10), active_at=1),
        Case("error budget burning 1x over 3d and 6h", "ErrorBudgetBurnSlow",
             Expected(c.ERROR, SERVICE_LABELS, _budget("1x over 3d and 6h")),
             _http(90, 10, minutes=70), active_at=1),
        Case("a required health check fails", "HealthCheckFailing",
             Expected(c.CRITICAL, {**SERVICE_LABELS, "agentotel_health_check_name": "database"},
                      f"The required health check database of {WHERE} fails: the app answers 503 to readiness "
                      "probes."),
             [_svc("agentotel_health_check_status", "1 1 0+0x20", agentotel_health_check_name="database",
                   agentotel_health_check_required="true")], active_at=2),
        Case("an optional health check fails", "HealthCheckFailing",
             Expected(c.WARNING, {**SERVICE_LABELS, "agentotel_health_check_name": "search"},
                      f"The optional health check search of {WHERE} fails: the app is degraded."),
             [_svc("agentotel_health_check_status", "1 1 0+0x20", agentotel_health_check_name="search",
                   agentotel_health_check_required="false")], active_at=2),
        # Heartbeats every minute until minute 10 (value 600): older than 180 s from minute 14.
        Case("an app stops reporting", "ServiceDown",
             Expected(c.CRITICAL, SERVICE_LABELS,
                      f"{WHERE} last reported its heartbeat 6m 0s ago: the app is down or cannot reach the "
                      "collector."),
             [_svc("agentotel_process_heartbeat_seconds", "0+60x10")], active_at=14),
    ]


def _evaluations(name: str, per_minute: dict, minutes: int = 60) -> list:
    return [_svc("agentotel_evaluations_total", f"0+{n}x{minutes}", gen_ai_evaluation_name=name,
                 gen_ai_evaluation_score_label=label, gen_ai_agent_name="support", agentotel_tenant_id="acme")
            for label, n in per_minute.items()]


EVALUATION_LABELS = {**SERVICE_LABELS, "gen_ai_evaluation_name": "faithfulness"}
CAMPAIGN = {"agentotel_business_event_name": "campaign_performance", "agentotel_business_campaign": "spring_sale"}


def outcome_cases() -> list:
    return [
        Case("intent accuracy below 90% over 1h", "IntentAccuracyLow",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"Intent accuracy of {WHERE} is 80% over 1h (threshold 90%, target 95%)."),
             _evaluations("intent_accuracy", {"correct": 8, "incorrect": 2}), active_at=1),
        Case("hallucinations above 3% over 1h", "HallucinationRateHigh",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"5% of the evaluated answers of {WHERE} were hallucinated over 1h (threshold 3%, "
                      "target under 1%)."),
             _evaluations("hallucination", {"hallucinated": 1, "grounded": 19}), active_at=1),
        Case("sentiment misreads above 10% over 1h", "SentimentMisreadHigh",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"15% of the evaluated messages of {WHERE} had their sentiment misread over 1h "
                      "(threshold 10%)."),
             _evaluations("sentiment_accuracy", {"incorrect": 3, "correct": 17}), active_at=1),
        Case("mean faithfulness below 0.7", "EvaluationScoreLow",
             Expected(c.WARNING, EVALUATION_LABELS,
                      f"Mean faithfulness score of {WHERE} is 0.50 over 1h (thresholds: confidence 0.6, "
                      "answer_relevancy 0.7, faithfulness 0.7, context_recall 0.7)."),
             [*_evaluations("faithfulness", {"none": 10}),
              _svc("agentotel_evaluation_score_sum", "0+5x60", gen_ai_evaluation_name="faithfulness",
                   gen_ai_agent_name="support", agentotel_tenant_id="acme"),
              _svc("agentotel_evaluation_score_count", "0+10x60", gen_ai_evaluation_name="faithfulness",
                   gen_ai_agent_name="support", agentotel_tenant_id="acme")],
             active_at=1),
        Case("a rating of 2 or less", "LowRatings",
             Expected(c.INFO, SERVICE_LABELS,
                      f"1 ratings of 2 or less for {WHERE} in the last 15m: read their conversations."),
             [_svc("agentotel_feedback_score_bucket", "0 1+0x20", gen_ai_agent_name="support",
                   agentotel_conversation_intent="refund", le="2")], active_at=1),
        Case("fewer than 5 leads an hour", "LowLeadGeneration",
             Expected(c.WARNING, SERVICE_LABELS,
                      f"Only 3 leads were generated by {WHERE} in the last hour (threshold 5)."),
             [_svc("agentotel_business_value_total", "0+0.05x80", agentotel_business_event_name="lead_generated",
                   agentotel_business_campaign="spring_sale")], active_at=0),
        Case("a campaign scoring under 0.7", "CampaignPerformanceDrop",
             Expected(c.WARNING, {**SERVICE_LABELS, "agentotel_business_campaign": "spring_sale"},
                      f"Campaign spring_sale of {WHERE} scores 0.60 over 1h (threshold 0.7, target 0.8)."),
             [_svc("agentotel_business_value_total", "0+0.6x30", **CAMPAIGN),
              _svc("agentotel_business_events_total", "0+1x30", **CAMPAIGN)], active_at=1),
    ]
