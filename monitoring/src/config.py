"""The one place for the monitoring's thresholds, windows, selectors and wiring.

Dashboards (thresholds drawn on panels), alerting rules (thresholds, windows, ``for:``), the
Grafana provisioning (datasource uids and URLs) and the Alertmanager routing (severities) all read
from here; `.venv/bin/python scripts/generate.py` rewrites the committed files after a change.

Targets and alert thresholds come from teams that run support agents in production:
automation > 80% (alert < 70%), resolution > 75% (alert < 65% / 60%), CSAT > 4.2 (alert < 3.5),
first response < 30 s (alert > 60 s), resolution < 5 min (alert > 15 min), escalation < 15%
(alert > 25% / 50%), LLM latency p50 < 2 s, p95 alert > 5 s / 10 s, p99 alert > 30 s, error rate
< 1% (alert > 2% / 5%), tool-call success > 98% (alert < 95%), knowledge-base hit rate alert < 50%,
tokens per conversation < 4000 (alert > 8000), cost per conversation < $0.10 (alert > $0.25),
LLM spend alert > $200 / $300 per day, budgets alert at 80% and 100%.

Quality evaluations: intent accuracy > 95% (alert < 90%), hallucination rate < 1% (alert > 3%),
sentiment misreads < 5% (alert > 10%); the agent's API: 5xx over 5% for 5 m, p95 over 2 s; agent
runs failing over 10% or p95 over 60 s; 95% of knowledge-base queries within 5 s; availability SLO
99.5% (alert below 99%); marketing: fewer than 5 leads an hour, a campaign scoring under 0.7.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentotel_tools import promql as q

# --- datasources (fixed uids: dashboards and provisioning refer to them) -------------------------
PROMETHEUS_UID = "prometheus"
JAEGER_UID = "jaeger"
TEMPO_UID = "tempo"
LOKI_UID = "loki"

# Where Grafana reaches each backend; the provisioning file carries these.
PROMETHEUS_URL = "http://localhost:9090"
JAEGER_URL = "http://localhost:16686"
TEMPO_URL = "http://localhost:3200"
LOKI_URL = "http://localhost:3100"
# Prometheus scrape interval, so Grafana's $__rate_interval spans at least four scrapes.
SCRAPE_INTERVAL = "15s"
# Where the dashboards provider reads the JSON files inside Grafana's container or host.
GRAFANA_DASHBOARDS_PATH = "/var/lib/grafana/dashboards/agentotel"
GRAFANA_FOLDER = "agentotel"

# --- Prometheus jobs -----------------------------------------------------------------------------
COLLECTOR_JOB = "otelcol"  # the collector's own metrics (internal telemetry)
APP_JOB = "agentotel-collector"  # app metrics through the collector's prometheus exporter

# --- dashboard template variables: (name, label, Prometheus label) -------------------------------
VARIABLES = (
    ("environment", "Environment", q.ENV),
    ("service", "Service", q.SERVICE),
    ("provider", "Provider", q.PROVIDER),
    ("model", "Model", q.MODEL),
    ("agent", "Agent", q.AGENT),
    ("tenant", "Tenant", q.TENANT),
)
# The metric whose series list each variable's values (it carries every label above).
VARIABLE_SOURCE_METRIC = q.OPERATION_DURATION.name + "_count"
# Each dashboard filters every query with its variables; a query only gets the matchers of the
# labels its metric carries (see promql.selector).
DASHBOARD_FILTERS = {label: ("=~", f"${name}") for name, _, label in VARIABLES}

# --- windows -------------------------------------------------------------------------------------
# Conversations are sparse next to LLM calls: quality ratios use an hour of them.
QUALITY_WINDOW = "1h"
CSAT_WINDOW = "6h"
COST_WINDOW = "1h"
# The projection of monthly spend uses the average daily spend of this window.
PROJECTION_WINDOW = "7d"

# A deployment marker appears where a service's version was not seen this long before.
DEPLOYMENT_WINDOW = "10m"

# --- severities and routing ----------------------------------------------------------------------
CRITICAL = "critical"  # pages (PagerDuty) and goes to Slack
ERROR = "error"  # Slack and e-mail: needs a person today, not tonight
WARNING = "warning"  # Slack only; inhibited while the same alert is critical
INFO = "info"  # e-mail only: for the team lead to read, no action at once
SEVERITIES = (INFO, WARNING, ERROR, CRITICAL)  # lowest first

RUNBOOK_URL = "monitoring/runbook.md"  # runbook_url = RUNBOOK_URL + "#" + alertname.lower()

ALERT_PREFIX = "AgentOtel"


@dataclass(frozen=True)
class Objective:
    """A KPI's target (drawn on dashboards) and its alert thresholds."""

    target: float
    warning: Optional[float] = None
    critical: Optional[float] = None
    higher_is_better: bool = True


# --- quality -------------------------------------------------------------------------------------
AUTOMATION_RATE = Objective(target=0.80, warning=0.70)
RESOLUTION_RATE = Objective(target=0.75, warning=0.65, critical=0.60)
ESCALATION_RATE = Objective(target=0.15, warning=0.25, critical=0.50, higher_is_better=False)
CSAT = Objective(target=4.2, warning=3.5)
FIRST_RESPONSE_SECONDS = Objective(target=30, warning=60, higher_is_better=False)  # p95
RESOLUTION_SECONDS = Objective(target=300, warning=900, higher_is_better=False)  # p95

# --- operations ----------------------------------------------------------------------------------
LLM_LATENCY_P50_SECONDS = Objective(target=2, higher_is_better=False)
LLM_LATENCY_P95_SECONDS = Objective(target=2, warning=5, critical=10, higher_is_better=False)
LLM_LATENCY_P99_SECONDS = Objective(target=10, warning=30, higher_is_better=False)
# A spike: p95 over 5 minutes above this multiple of its mean over the previous hour, and above the
# p50 target (a jump from 0.1 s to 0.4 s is no incident).
LATENCY_SPIKE_FACTOR = 3
LATENCY_SPIKE_FLOOR_SECONDS = LLM_LATENCY_P50_SECONDS.target
LLM_ERROR_RATE = Objective(target=0.01, warning=0.02, critical=0.05, higher_is_better=False)
TOOL_ERROR_RATE = Objective(target=0.02, warning=0.05, higher_is_better=False)
RETRIEVAL_HIT_RATE = Objective(target=0.75, warning=0.50)

# --- cost ----------------------------------------------------------------------------------------
COST_PER_DAY_USD = Objective(target=100, warning=200, critical=300, higher_is_better=False)
COST_PER_CONVERSATION_USD = Objective(target=0.10, warning=0.25, higher_is_better=False)
TOKENS_PER_CONVERSATION = Objective(target=4000, warning=8000, higher_is_better=False)
BUDGET_USAGE = Objective(target=0.5, warning=0.8, critical=1.0, higher_is_better=False)
# Budget periods and the rolling window that measures spend against each. Windows longer than
# LONG_WINDOW_FROM are summed from the hourly recorded spend (rules.COST_1H_TENANT), not the raw
# counters: a month is then 720 samples per tenant.
BUDGET_PERIODS = (("day", "1d"), ("month", "30d"))
LONG_WINDOW_FROM = "2d"
# How long Prometheus must keep data: a whole calendar month and the month before it (the monthly
# report compares them), with a day to spare. The local stack sets it (agentotel_tools.stack.components);
# a deployment's Prometheus must keep at least this much (docs/configuration.md).
PROMETHEUS_RETENTION = "63d"

# --- evaluations (0-1 shares and scores) ---------------------------------------------------------
EVALUATION_WINDOW = "1h"
INTENT_ACCURACY = Objective(target=0.95, warning=0.90)
HALLUCINATION_RATE = Objective(target=0.01, warning=0.03, higher_is_better=False)
SENTIMENT_MISREAD_RATE = Objective(target=0.05, warning=0.10, higher_is_better=False)
# Mean score per built-in score evaluation (the seeds name these KPIs without a threshold: ours).
EVALUATION_SCORES = {
    "confidence": Objective(target=0.8, warning=0.6),
    "answer_relevancy": Objective(target=0.8, warning=0.7),
    "faithfulness": Objective(target=0.8, warning=0.7),
    "context_recall": Objective(target=0.8, warning=0.7),
}
# Feedback at or under this score is a low rating (an info alert for the support lead).
LOW_RATING_MAX_SCORE = 2
LOW_RATING_WINDOW = "15m"

# --- the service (HTTP API, agent runs, SLO) -----------------------------------------------------
API_ERROR_RATE = Objective(target=0.01, critical=0.05, higher_is_better=False)  # 5xx share
API_LATENCY_P95_SECONDS = Objective(target=0.5, warning=2, higher_is_better=False)
AGENT_RUN_FAILURE_RATE = Objective(target=0.02, warning=0.10, higher_is_better=False)
AGENT_RUN_P95_SECONDS = Objective(target=30, warning=60, higher_is_better=False)
# Knowledge-base queries answered within 5 s; 5.12 s is the GenAI duration bucket bound nearest 5 s.
RETRIEVAL_WITHIN_5S = Objective(target=0.99, warning=0.95)
RETRIEVAL_FAST_BOUND = "5.12"
# Availability: the share of requests not answered 5xx. The SLO and its error budget, and the
# multi-window, multi-burn-rate alerts of the SRE workbook: (severity, burn rate, long window,
# short window, for).
AVAILABILITY_SLO = 0.995
AVAILABILITY_ALERT = 0.99
BURN_RATE_ALERTS = (
    ("ErrorBudgetBurnFast", CRITICAL, ((14.4, "1h", "5m"), (6, "6h", "30m")), "2m"),
    ("ErrorBudgetBurnSlow", ERROR, ((1, "3d", "6h"),), "1h"),
)
# An app's heartbeat older than this is an app down (3 default metric export intervals).
SERVICE_DOWN_SECONDS = 180

# --- business events -----------------------------------------------------------------------------
BUSINESS_WINDOW = "1h"
LEADS_PER_HOUR = Objective(target=20, warning=5)
CAMPAIGN_PERFORMANCE = Objective(target=0.8, warning=0.7)

# --- the telemetry pipeline ----------------------------------------------------------------------
COLLECTOR_REFUSED_RATIO = Objective(target=0, warning=0.01, higher_is_better=False)
COLLECTOR_QUEUE_USAGE = Objective(target=0.5, warning=0.8, higher_is_better=False)
