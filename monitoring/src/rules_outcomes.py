"""Rules of what the agent achieves: quality evaluations (intent accuracy, hallucinations,
sentiment misreads, score means), low ratings, and the marketing teams' business events. Part of
``rules``' groups."""

from __future__ import annotations

from agentotel_tools import promql as q
from agentotel.semconv import agentotel_names as A

from . import config as c
from .rules import SERVICE, WHERE, Alert, _pct

W = c.EVALUATION_WINDOW
SERVICE_EVALUATION = (*SERVICE, q.EVALUATION)
SERVICE_CAMPAIGN = (*SERVICE, q.CAMPAIGN)

EVALUATIONS_1H = "service_evaluation:agentotel_evaluations:increase1h"
EVALUATION_SCORE_MEAN = "service_evaluation:agentotel_evaluation_score:mean_1h"
INTENT_ACCURACY = "service:agentotel_evaluations:intent_accuracy_ratio_1h"
HALLUCINATION_RATIO = "service:agentotel_evaluations:hallucination_ratio_1h"
SENTIMENT_MISREAD_RATIO = "service:agentotel_evaluations:sentiment_misread_ratio_1h"
LEADS_1H = "service:agentotel_business_value:leads_increase1h"
CAMPAIGN_PERFORMANCE = "service_campaign:agentotel_business_value:performance_mean_1h"

# Evaluation ratios and means of a service with fewer results than this in the hour do not alert.
MIN_EVALUATIONS_PER_HOUR = 10


def recording_groups() -> list:
    return [
        ("agentotel.evaluations.recording", [
            (EVALUATIONS_1H, q.evaluations(None, W, by=SERVICE_EVALUATION)),
            (EVALUATION_SCORE_MEAN, q.evaluation_score_mean(None, None, W, SERVICE_EVALUATION)),
            (INTENT_ACCURACY, q.evaluation_label_ratio(A.EVALUATION_INTENT_ACCURACY, "correct", None, W, SERVICE)),
            (HALLUCINATION_RATIO, q.evaluation_label_ratio(A.EVALUATION_HALLUCINATION, "hallucinated", None, W,
                                                           SERVICE)),
            (SENTIMENT_MISREAD_RATIO, q.evaluation_label_ratio(A.EVALUATION_SENTIMENT, "incorrect", None, W, SERVICE)),
        ]),
        ("agentotel.business.recording", [
            (LEADS_1H, q.business_value(None, c.BUSINESS_WINDOW, A.BUSINESS_LEAD, SERVICE)),
            (CAMPAIGN_PERFORMANCE, q.business_value_mean(None, c.BUSINESS_WINDOW, A.BUSINESS_CAMPAIGN_PERFORMANCE,
                                                         SERVICE_CAMPAIGN)),
        ]),
    ]


def _enough(expr: str, name: str | None = None) -> str:
    """``expr`` where the service had enough results of evaluation ``name`` (None: of the same name)."""
    if name is None:
        return (f"(\n{expr}\n)\nand on ({', '.join(SERVICE_EVALUATION)})\n"
                f"{EVALUATIONS_1H} >= {MIN_EVALUATIONS_PER_HOUR}")
    return (f"(\n{expr}\n)\nand on ({', '.join(SERVICE)})\n"
            f'{EVALUATIONS_1H}{{{q.EVALUATION}="{name}"}} >= {MIN_EVALUATIONS_PER_HOUR}')


def evaluation_alerts() -> list:
    acc, hal, sen = c.INTENT_ACCURACY, c.HALLUCINATION_RATE, c.SENTIMENT_MISREAD_RATE
    scores = "\nor\n".join(f'{EVALUATION_SCORE_MEAN}{{{q.EVALUATION}="{name}"}} < {objective.warning:g}'
                           for name, objective in c.EVALUATION_SCORES.items())
    low = q.low_ratings(None, c.LOW_RATING_WINDOW, c.LOW_RATING_MAX_SCORE, SERVICE)
    return [
        Alert("IntentAccuracyLow", c.WARNING, _enough(f"{INTENT_ACCURACY} < {acc.warning:g}",
                                                      A.EVALUATION_INTENT_ACCURACY), "30m",
              "The agent misreads what users ask for.",
              f"Intent accuracy of {WHERE} is {{{{ $value | humanizePercentage }}}} over 1h "
              f"(threshold {_pct(acc.warning)}, target {_pct(acc.target)})."),
        Alert("HallucinationRateHigh", c.WARNING, _enough(f"{HALLUCINATION_RATIO} > {hal.warning:g}",
                                                          A.EVALUATION_HALLUCINATION), "15m",
              "The agent makes things up.",
              f"{{{{ $value | humanizePercentage }}}} of the evaluated answers of {WHERE} were hallucinated over 1h "
              f"(threshold {_pct(hal.warning)}, target under {_pct(hal.target)})."),
        Alert("SentimentMisreadHigh", c.WARNING, _enough(f"{SENTIMENT_MISREAD_RATIO} > {sen.warning:g}",
                                                         A.EVALUATION_SENTIMENT), "30m",
              "The agent misreads how users feel.",
              f"{{{{ $value | humanizePercentage }}}} of the evaluated messages of {WHERE} had their sentiment misread "
              f"over 1h (threshold {_pct(sen.warning)})."),
        Alert("EvaluationScoreLow", c.WARNING, _enough(scores), "30m",
              "An evaluation's mean score is low.",
              f"Mean {{{{ $labels.gen_ai_evaluation_name }}}} score of {WHERE} is {{{{ $value | printf \"%.2f\" }}}} "
              "over 1h (thresholds: "
              + ", ".join(f"{name} {o.warning:g}" for name, o in c.EVALUATION_SCORES.items()) + ")."),
        Alert("LowRatings", c.INFO, f"{low} > 0", "1m",
              "Users gave low ratings.",
              f"{{{{ $value | printf \"%.0f\" }}}} ratings of {c.LOW_RATING_MAX_SCORE} or less for {WHERE} in the "
              f"last {c.LOW_RATING_WINDOW}: read their conversations."),
    ]


def business_alerts() -> list:
    leads, perf = c.LEADS_PER_HOUR, c.CAMPAIGN_PERFORMANCE
    return [
        Alert("LowLeadGeneration", c.WARNING, f"{LEADS_1H} < {leads.warning:g}", "1h",
              "Few leads are generated.",
              f"Only {{{{ $value | printf \"%.0f\" }}}} leads were generated by {WHERE} in the last hour "
              f"(threshold {leads.warning:g})."),
        Alert("CampaignPerformanceDrop", c.WARNING, f"{CAMPAIGN_PERFORMANCE} < {perf.warning:g}", "15m",
              "A campaign performs poorly.",
              f"Campaign {{{{ $labels.agentotel_business_campaign }}}} of {WHERE} scores "
              f"{{{{ $value | printf \"%.2f\" }}}} over 1h (threshold {perf.warning:g}, target {perf.target:g})."),
    ]
