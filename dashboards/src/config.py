"""The one place for the monitoring's thresholds, windows, selectors and wiring.

Dashboards (thresholds drawn on panels), alerting rules (thresholds, windows, ``for:``), the
Grafana provisioning (datasource uids and URLs) and the Alertmanager routing (severities) all read
from here; `python -m dashboards.src.generate` rewrites the committed files after a change.

Targets and alert thresholds come from teams that run support agents in production:
automation > 80% (alert < 70%), resolution > 75% (alert < 65% / 60%), CSAT > 4.2 (alert < 3.5),
first response < 30 s (alert > 60 s), resolution < 5 min (alert > 15 min), escalation < 15%
(alert > 25% / 50%), LLM latency p50 < 2 s, p95 alert > 5 s / 10 s, p99 alert > 30 s, error rate
< 1% (alert > 2% / 5%), tool-call success > 98% (alert < 95%), knowledge-base hit rate alert < 50%,
tokens per conversation < 4000 (alert > 8000), cost per conversation < $0.10 (alert > $0.25),
LLM spend alert > $200 / $300 per day, budgets alert at 80% and 100%.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentotel.report import promql as q

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

# --- severities and routing ----------------------------------------------------------------------
CRITICAL = "critical"  # pages (PagerDuty) and goes to Slack
WARNING = "warning"  # Slack only; inhibited while the same alert is critical

RUNBOOK_URL = "dashboards/runbook.md"  # runbook_url = RUNBOOK_URL + "#" + alertname.lower()

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
# Budget periods and the rolling window that measures spend against each.
BUDGET_PERIODS = (("day", "1d"), ("month", "30d"))

# --- the telemetry pipeline ----------------------------------------------------------------------
COLLECTOR_REFUSED_RATIO = Objective(target=0, warning=0.01, higher_is_better=False)
COLLECTOR_QUEUE_USAGE = Objective(target=0.5, warning=0.8, higher_is_better=False)
