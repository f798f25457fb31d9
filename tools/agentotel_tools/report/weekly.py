"""The weekly report's figures: each KPI for a period and the period before it.

Every figure is one PromQL query from ``promql`` with the period as its window, evaluated at the
period's end: the same expressions the dashboards and alerts use, so the report and the dashboards
agree on what "automation rate" means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

from .. import promql as q
from ..prometheus import PrometheusClient

# How a change is shown: relative (%), in percentage points, or as a plain difference.
RELATIVE, POINTS, DIFFERENCE = "relative", "points", "difference"


def duration(seconds: int) -> str:
    """Seconds as the shortest exact PromQL duration (``7d``, ``36h``, ``90s``)."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    @property
    def window(self) -> str:
        """The period as a PromQL range."""
        return duration(round((self.end - self.start).total_seconds()))

    def previous(self) -> "Period":
        return Period(self.start - (self.end - self.start), self.start)


@dataclass(frozen=True)
class MonthPeriod(Period):
    """A calendar month (UTC), compared with the calendar month before it."""

    @classmethod
    def of(cls, year: int, month: int) -> "MonthPeriod":
        start = datetime(year, month, 1, tzinfo=timezone.utc)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=timezone.utc)
        return cls(start, end)

    def previous(self) -> "MonthPeriod":
        year, month = (self.start.year - 1, 12) if self.start.month == 1 else (self.start.year, self.start.month - 1)
        return MonthPeriod.of(year, month)


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str  # "count", "ratio", "seconds", "score", "usd", "tokens"
    change: str  # RELATIVE, POINTS or DIFFERENCE
    current: Optional[float]
    previous: Optional[float]

    @property
    def delta(self) -> Optional[float]:
        """The change as shown: relative (fraction), points (fraction), or difference."""
        if self.current is None or self.previous is None:
            return None
        if self.change == RELATIVE:
            return None if self.previous == 0 else (self.current - self.previous) / self.previous
        return self.current - self.previous


@dataclass(frozen=True)
class Breakdown:
    """A figure split by a label: ``{value: (current, previous)}``, largest current first."""

    label: str
    rows: list  # [(key, current, previous)]

    @property
    def total(self) -> float:
        return sum(current or 0 for _, current, _ in self.rows)


@dataclass
class WeeklyReport:
    period: Period
    filters: dict
    kpis: dict = field(default_factory=dict)  # key -> Kpi
    intents: Optional[Breakdown] = None
    escalation_reasons: Optional[Breakdown] = None
    errors: list = field(default_factory=list)  # [(error_type, operation, current, previous)]
    cost_by_model: Optional[Breakdown] = None
    csat_scores: dict = field(default_factory=dict)  # score -> count in the period
    budgets: list = field(default_factory=list)  # [(tenant, spend, monthly budget or None)], a month's report
    recommendations: list = field(default_factory=list)  # sentences, most pressing first

    def kpi(self, key: str) -> Kpi:
        return self.kpis[key]


# (key, label, unit, change, query builder(filters, window))
KPIS: tuple = (
    ("conversations", "Conversations", "count", RELATIVE, q.conversations),
    ("automation_rate", "Automation rate", "ratio", POINTS, q.automation_ratio),
    ("resolution_rate", "Resolution rate", "ratio", POINTS, q.resolution_ratio),
    ("escalation_rate", "Escalation rate", "ratio", POINTS, q.escalation_ratio),
    ("first_response", "Avg first response time", "seconds", RELATIVE, q.first_response_mean),
    ("resolution_time", "Avg resolution time", "seconds", RELATIVE, q.resolution_time_mean),
    ("csat", "CSAT", "score", DIFFERENCE, q.csat_mean),
    ("csat_responses", "CSAT responses", "count", RELATIVE, q.csat_count),
    ("cost", "Total LLM cost", "usd", RELATIVE, q.cost),
    ("cost_per_conversation", "Cost per conversation", "usd", RELATIVE, q.cost_per_conversation),
    ("cost_per_resolved", "Cost per resolved conversation", "usd", RELATIVE, q.cost_per_resolved_conversation),
    ("tokens", "Tokens", "tokens", RELATIVE, q.tokens),
    ("monthly_projection", "Estimated monthly cost", "usd", RELATIVE, q.monthly_projection),
    ("llm_calls", "LLM calls", "count", RELATIVE,
     lambda f, w: q.operation_count(f, w, operations=q.LLM_OPERATIONS_REGEX)),
    ("llm_error_rate", "LLM error rate", "ratio", POINTS,
     lambda f, w: q.error_ratio(f, w, operations=q.LLM_OPERATIONS_REGEX)),
    ("unpriced_calls", "Unpriced LLM calls", "count", RELATIVE, q.unpriced_calls),
)

# KPIs that are counts of events: no data means none happened, i.e. 0.
_ZERO_WHEN_EMPTY = {"conversations", "csat_responses", "cost", "tokens", "monthly_projection", "llm_calls",
                    "unpriced_calls"}


def _breakdown(client: PrometheusClient, build: Callable[[str], str], label: str, period: Period) -> Breakdown:
    current = client.by_label(build(period.window), period.end, label)
    previous = client.by_label(build(period.previous().window), period.previous().end, label)
    keys = sorted(set(current) | set(previous), key=lambda k: (-current.get(k, 0), k))
    return Breakdown(label, [(k, current.get(k, 0.0), previous.get(k, 0.0)) for k in keys])


def _csat_scores(client: PrometheusClient, filters: dict, period: Period) -> dict:
    """Feedback count per score 1-5, from the cumulative ``le`` buckets."""
    cumulative = {}
    for bound, count in client.by_label(q.csat_buckets(filters, period.window), period.end, "le").items():
        try:
            cumulative[float(bound)] = count  # "2" and "2.0" are the same bound
        except ValueError:
            continue
    scores, below = {}, 0.0
    for score in range(1, 6):
        upto = cumulative.get(float(score))
        if upto is None:
            continue
        scores[score] = max(upto - below, 0.0)
        below = upto
    return scores


def _budgets(client: PrometheusClient, filters: dict, period: Period) -> list:
    """Each tenant's spend within the period and its monthly budget (None when it has none)."""
    spent = client.by_label(q.cost(filters, period.window, (q.TENANT,)), period.end, q.TENANT)
    limit = q.selector(q.BUDGET_LIMIT, filters, f'{q.BUDGET_PERIOD}="month"')
    limits = client.by_label(f"max by ({q.TENANT}) ({limit})", period.end, q.TENANT)
    tenants = sorted(set(spent) | set(limits), key=lambda t: (-spent.get(t, 0.0), t))
    return [(tenant, spent.get(tenant, 0.0), limits.get(tenant)) for tenant in tenants if tenant]


def collect(client: PrometheusClient, end: datetime, days: float = 7, filters: Optional[dict] = None,
            period: Optional[Period] = None) -> WeeklyReport:
    """Query every figure of the report for the ``days`` before ``end`` (or ``period``, a calendar
    month) and the period before."""
    from .recommendations import recommend

    if end.tzinfo is None:
        end = end.replace(tzinfo=timezone.utc)
    filters = dict(filters or {})
    period = period or Period(end - timedelta(days=days), end)
    before = period.previous()
    report = WeeklyReport(period, filters)
    for key, label, unit, change, build in KPIS:
        current = client.scalar(build(filters, period.window), period.end)
        previous = client.scalar(build(filters, before.window), before.end)
        if key in _ZERO_WHEN_EMPTY:
            current, previous = current or 0.0, previous or 0.0
        report.kpis[key] = Kpi(key, label, unit, change, current, previous)
    report.intents = _breakdown(client, lambda w: q.conversations_by_intent(filters, w), q.INTENT, period)
    report.escalation_reasons = _breakdown(client, lambda w: q.escalations_by_reason(filters, w), q.REASON, period)
    report.cost_by_model = _breakdown(client, lambda w: q.cost(filters, w, (q.MODEL,)), q.MODEL, period)
    report.csat_scores = _csat_scores(client, filters, period)
    errors = client.query(q.top_errors(filters, period.window), period.end)
    previous_errors = {(s.labels.get(q.ERROR_TYPE, ""), s.labels.get(q.OPERATION, "")): s.value
                       for s in client.query(q.top_errors(filters, before.window, k=1000), before.end)}
    rows = [(s.labels.get(q.ERROR_TYPE, ""), s.labels.get(q.OPERATION, ""), s.value) for s in errors if s.value > 0]
    rows.sort(key=lambda r: (-r[2], r[0], r[1]))
    report.errors = [(etype, op, count, previous_errors.get((etype, op), 0.0)) for etype, op, count in rows]
    if isinstance(period, MonthPeriod):
        report.budgets = _budgets(client, filters, period)
    report.recommendations = recommend(report)
    return report
