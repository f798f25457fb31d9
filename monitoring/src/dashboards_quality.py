"""Agent quality: automation, resolution, escalation, CSAT, response times, intents and channels,
and the evaluations (intent accuracy, hallucinations, sentiment misreads, RAG and confidence scores)."""

from __future__ import annotations

from agentotel_tools import promql as q
from agentotel.semconv import agentotel_names as A

from . import config as c
from . import rules, rules_outcomes
from .panels import RANGE, Board, Target, bargauge_panel, pie_panel, stat_panel, timeseries_panel

F = c.DASHBOARD_FILTERS
W = c.QUALITY_WINDOW
SERIES_FILTER = f'{q.ENV}=~"$environment", {q.SERVICE}=~"$service"'


def _kpi_row() -> list:
    return [
        stat_panel("Conversations", Target(q.conversations(F, RANGE), instant=True), "short", decimals=0,
                   description="Conversations that ended within the time range."),
        stat_panel("Automation rate", Target(q.automation_ratio(F, RANGE), instant=True), "percentunit",
                   objective=c.AUTOMATION_RATE, decimals=1,
                   description=f"Handled without a human. Target {c.AUTOMATION_RATE.target:.0%}."),
        stat_panel("Resolution rate", Target(q.resolution_ratio(F, RANGE), instant=True), "percentunit",
                   objective=c.RESOLUTION_RATE, decimals=1,
                   description=f"Ended resolved. Target {c.RESOLUTION_RATE.target:.0%}."),
        stat_panel("Escalation rate", Target(q.escalation_ratio(F, RANGE), instant=True), "percentunit",
                   objective=c.ESCALATION_RATE, decimals=1,
                   description=f"Handed to a human. Target under {c.ESCALATION_RATE.target:.0%}."),
        stat_panel("CSAT", Target(q.csat_mean(F, RANGE), instant=True), "none", objective=c.CSAT, decimals=2,
                   description=f"Mean feedback score, 1 to 5. Target {c.CSAT.target:g}."),
        stat_panel("p95 first response", Target(q.first_response_quantile(0.95, F, RANGE), instant=True), "s",
                   objective=c.FIRST_RESPONSE_SECONDS, decimals=1,
                   description=f"Target under {c.FIRST_RESPONSE_SECONDS.target:g}s."),
    ]


def _rates_row() -> list:
    by = (q.AGENT,)
    return [
        timeseries_panel("Automation rate by agent",
                         [Target(q.automation_ratio(F, W, by), "{{gen_ai_agent_name}}")], "percentunit",
                         objective=c.AUTOMATION_RATE, max_value=1, w=8,
                         description=f"Over the conversations of the last {W}."),
        timeseries_panel("Resolution rate by agent",
                         [Target(q.resolution_ratio(F, W, by), "{{gen_ai_agent_name}}")], "percentunit",
                         objective=c.RESOLUTION_RATE, max_value=1, w=8),
        timeseries_panel("Escalation rate by reason",
                         [Target(q.escalation_ratio_by_reason(F, W), "{{agentotel_escalation_reason}}")],
                         "percentunit", objective=c.ESCALATION_RATE, stacked=True, w=8,
                         description="Escalations per conversation, split by the reason for the hand-off."),
        timeseries_panel("Quality per service (alerting view)", [
            Target(f"{rules.AUTOMATION_RATIO}{{{SERIES_FILTER}}}", "automation {{service_name}}"),
            Target(f"{rules.RESOLUTION_RATIO}{{{SERIES_FILTER}}}", "resolution {{service_name}}"),
            Target(f"{rules.ESCALATION_RATIO}{{{SERIES_FILTER}}}", "escalation {{service_name}}"),
        ], "percentunit", max_value=1, w=24, h=7,
            description="The recorded hourly ratios the quality alerts evaluate."),
    ]


def _csat_row() -> list:
    return [
        bargauge_panel("CSAT distribution",
                       [Target(q.csat_buckets(F, RANGE), "{{le}}", instant=True, heatmap=True)], "short", w=8,
                       description="Feedback scores given within the time range, per score."),
        timeseries_panel("CSAT trend", [
            Target(q.csat_mean(F, c.CSAT_WINDOW), "mean"),
            Target(q.csat_mean(F, c.CSAT_WINDOW, (q.AGENT,)), "{{gen_ai_agent_name}}")],
            "none", objective=c.CSAT, min_value=1, max_value=5, w=8,
            description=f"Mean score of the feedback of the last {c.CSAT_WINDOW}."),
        timeseries_panel("Low ratings (1-2) share",
                         [Target(q.low_ratings_ratio(F, c.CSAT_WINDOW), "ratings <= 2")],
                         "percentunit", max_value=1, w=8),
    ]


def _times_row() -> list:
    return [
        timeseries_panel("First response time", [
            Target(q.first_response_quantile(0.5, F, W), "p50"),
            Target(q.first_response_quantile(0.95, F, W), "p95"),
            Target(q.first_response_mean(F, W), "mean")],
            "s", objective=c.FIRST_RESPONSE_SECONDS, w=12,
            description="From a conversation's start to the agent's first response."),
        timeseries_panel("Resolution time", [
            Target(q.resolution_time_quantile(0.5, F, W), "p50"),
            Target(q.resolution_time_quantile(0.95, F, W), "p95"),
            Target(q.resolution_time_mean(F, W), "mean")],
            "s", objective=c.RESOLUTION_SECONDS, w=12,
            description="Duration of the conversations that ended resolved."),
    ]


def _intent_row() -> list:
    return [
        pie_panel("Conversations by intent", Target(q.conversations_by_intent(F, RANGE), "{{agentotel_conversation_intent}}",
                                                    instant=True), w=8),
        timeseries_panel("Conversations by outcome", [
            Target(q.conversations(F, W, (q.OUTCOME,)), "{{agentotel_conversation_outcome}}")],
            "short", stacked=True, w=16, description=f"Conversations ended in the last {W}."),
    ]


def _evaluations_row() -> list:
    EW = c.EVALUATION_WINDOW
    return [
        stat_panel("Intent accuracy", Target(q.evaluation_label_ratio(A.EVALUATION_INTENT_ACCURACY, "correct", F, RANGE),
                                             instant=True), "percentunit", objective=c.INTENT_ACCURACY, decimals=1,
                   description=f"intent_accuracy evaluations labelled correct. Target {c.INTENT_ACCURACY.target:.0%}."),
        stat_panel("Hallucination rate", Target(q.evaluation_label_ratio(A.EVALUATION_HALLUCINATION, "hallucinated", F,
                                                                         RANGE), instant=True),
                   "percentunit", objective=c.HALLUCINATION_RATE, decimals=1,
                   description=f"Evaluated answers labelled hallucinated. Target under {c.HALLUCINATION_RATE.target:.0%}."),
        stat_panel("Sentiment misreads", Target(q.evaluation_label_ratio(A.EVALUATION_SENTIMENT, "incorrect", F, RANGE),
                                                instant=True), "percentunit", objective=c.SENTIMENT_MISREAD_RATE,
                   decimals=1, description="sentiment_accuracy evaluations labelled incorrect."),
        stat_panel("Mean confidence", Target(q.evaluation_score_mean(A.EVALUATION_CONFIDENCE, F, RANGE), instant=True),
                   "percentunit", objective=c.EVALUATION_SCORES["confidence"], decimals=1,
                   description="The agent's own confidence in its answers, 0 to 1."),
        stat_panel("Evaluations", Target(q.evaluations(F, RANGE), instant=True), "short", decimals=0, w=8,
                   description="Evaluation results recorded within the time range (every evaluator)."),
        timeseries_panel("RAG scores", [
            Target(q.evaluation_score_mean(name, F, EW), name)
            for name in (A.EVALUATION_ANSWER_RELEVANCY, A.EVALUATION_FAITHFULNESS, A.EVALUATION_CONTEXT_RECALL)],
            "percentunit", objective=c.EVALUATION_SCORES["faithfulness"], max_value=1, w=12,
            description=f"Mean answer relevancy, faithfulness and context recall of the last {EW}."),
        timeseries_panel("Evaluation shares", [
            Target(q.evaluation_label_ratio(A.EVALUATION_INTENT_ACCURACY, "correct", F, EW), "intent accuracy"),
            Target(q.evaluation_label_ratio(A.EVALUATION_HALLUCINATION, "hallucinated", F, EW), "hallucinations"),
            Target(q.evaluation_label_ratio(A.EVALUATION_SENTIMENT, "incorrect", F, EW), "sentiment misreads")],
            "percentunit", max_value=1, w=12, description=f"Over the evaluations of the last {EW}."),
        bargauge_panel("Results by evaluation and label",
                       [Target(q.evaluations(F, RANGE, by=(q.EVALUATION, q.EVALUATION_LABEL)),
                               "{{gen_ai_evaluation_name}} {{gen_ai_evaluation_score_label}}", instant=True)],
                       "short", w=12, h=10,
                       description="Every evaluator's results within the time range, by label (`none`: a score only)."),
        timeseries_panel("Mean score by evaluation (alerting view)",
                         [Target(f"{rules_outcomes.EVALUATION_SCORE_MEAN}{{{SERIES_FILTER}}}",
                                 "{{gen_ai_evaluation_name}} {{service_name}}")],
                         "short", min_value=0, w=12, h=10,
                         description="The recorded hourly means the evaluation alert reads."),
    ]


def _channels_row() -> list:
    return [
        pie_panel("Conversations by channel", Target(q.conversations_by_channel(F, RANGE), "{{agentotel_conversation_channel}}",
                                                     instant=True), w=8),
        bargauge_panel("Escalations by intent",
                       [Target(q.escalations_by_intent(F, RANGE), "{{agentotel_conversation_intent}}", instant=True)],
                       "short", w=8, description="Conversations handed to a human within the time range, by intent."),
        timeseries_panel("Resolution rate by channel",
                         [Target(q.resolution_ratio(F, W, (q.CHANNEL,)), "{{agentotel_conversation_channel}}")],
                         "percentunit", objective=c.RESOLUTION_RATE, max_value=1, w=8),
        timeseries_panel("Low ratings (1-2)",
                         [Target(q.low_ratings(F, c.LOW_RATING_WINDOW, c.LOW_RATING_MAX_SCORE), "ratings <= 2")],
                         "short", bars=True, w=24, h=6,
                         description=f"Ratings of {c.LOW_RATING_MAX_SCORE} or less in the last "
                                     f"{c.LOW_RATING_WINDOW}: each one raises an info alert for the support lead."),
    ]


def build() -> dict:
    return (Board("agentotel-quality", "agentotel / Agent quality",
                  "Automation, resolution and escalation, customer satisfaction, response times and intents, "
                  "against their targets.", tags=("quality",))
            .row("Key metrics", _kpi_row())
            .row("Automation, resolution, escalation", _rates_row())
            .row("Customer satisfaction", _csat_row())
            .row("Response times", _times_row())
            .row("Intents and outcomes", _intent_row())
            .row("Evaluations", _evaluations_row())
            .row("Channels and intents", _channels_row())
            .build())
