"""The weekly report's figures and their arithmetic, against a fake Prometheus."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from agentotel_tools import promql as q
from agentotel_tools.prometheus import PrometheusClient
from agentotel_tools.report import collect
from agentotel_tools.report.weekly import KPIS, Period, duration

END = datetime(2025, 3, 10, tzinfo=timezone.utc)
PREV = END - timedelta(days=7)
BUILD = {key: build for key, _, _, _, build in KPIS}


def kpi_expr(key: str, filters=None, window: str = "7d") -> str:
    return BUILD[key](filters or {}, window)


def answer_kpis(fake, current: dict, previous: dict, filters=None, window="7d", end=END) -> None:
    for key, value in current.items():
        fake.answer(kpi_expr(key, filters, window), end, value)
    for key, value in previous.items():
        fake.answer(kpi_expr(key, filters, window), end - timedelta(seconds=_seconds(window)), value)


def _seconds(window: str) -> int:
    return int(window[:-1]) * {"d": 86400, "h": 3600, "m": 60, "s": 1}[window[-1]]


class TestKpis:
    def test_changes_against_previous_period(self, fake_prometheus):
        """Counts change in %, rates in percentage points, CSAT as a difference."""
        answer_kpis(fake_prometheus,
                    {"conversations": 200, "automation_rate": 0.8, "csat": 4.3, "first_response": 12.5},
                    {"conversations": 160, "automation_rate": 0.75, "csat": 4.1, "first_response": 10})
        report = collect(PrometheusClient(fake_prometheus.url), END)
        conversations = report.kpi("conversations")
        assert (conversations.current, conversations.previous) == (200, 160)
        assert conversations.delta == pytest.approx(0.25)
        assert report.kpi("automation_rate").delta == pytest.approx(0.05)
        assert report.kpi("csat").delta == pytest.approx(0.2)
        assert report.kpi("first_response").delta == pytest.approx(0.25)

    def test_each_figure_is_queried_at_both_period_ends(self, fake_prometheus):
        """Every KPI query runs with the period as window at this period's end and at the previous one's."""
        collect(PrometheusClient(fake_prometheus.url), END)
        for key in BUILD:
            assert kpi_expr(key) in fake_prometheus.queries_at(END), key
            assert kpi_expr(key) in fake_prometheus.queries_at(PREV), key

    def test_days_sets_window_and_previous_period(self, fake_prometheus):
        """--days 14 compares 14 days with the 14 before them."""
        answer_kpis(fake_prometheus, {"conversations": 50}, {"conversations": 100}, window="14d")
        report = collect(PrometheusClient(fake_prometheus.url), END, days=14)
        assert report.period == Period(END - timedelta(days=14), END)
        assert report.kpi("conversations").current == 50
        assert report.kpi("conversations").previous == 100
        assert report.kpi("conversations").delta == pytest.approx(-0.5)

    def test_missing_data(self, fake_prometheus):
        """Counts with no data are 0; rates and averages with no data are unknown, and so is their change."""
        answer_kpis(fake_prometheus, {"conversations": 10, "csat": 4.5}, {})
        report = collect(PrometheusClient(fake_prometheus.url), END)
        assert report.kpi("conversations").previous == 0
        assert report.kpi("conversations").delta is None
        assert report.kpi("csat").current == 4.5
        assert report.kpi("csat").previous is None
        assert report.kpi("csat").delta is None
        assert report.kpi("automation_rate").current is None

    def test_monthly_projection_is_thirty_days_of_average_daily_spend(self):
        """The projection is the period's spend scaled from the period's length to 30 days."""
        assert BUILD["monthly_projection"]({}, "7d") == f"{q.cost({}, '7d')}\n* {30 * 86400} / {7 * 86400}"
        assert BUILD["monthly_projection"]({}, "14d").endswith(f"/ {14 * 86400}")

    def test_filters_narrow_every_query(self, fake_prometheus):
        """An environment filter reaches the queries of every metric that carries the label."""
        filters = {q.ENV: ("=", "prod")}
        collect(PrometheusClient(fake_prometheus.url), END, filters=filters)
        asked = fake_prometheus.queries_at(END)
        assert asked and all('deployment_environment_name="prod"' in expr for expr in asked)


class TestBreakdowns:
    def test_intents_sorted_with_previous(self, fake_prometheus):
        """Intents come largest first, including ones seen only in the previous period."""
        expr = q.conversations_by_intent({}, "7d")
        fake_prometheus.answer(expr, END, ({q.INTENT: "refund"}, 30), ({q.INTENT: "order_status"}, 70))
        fake_prometheus.answer(expr, PREV, ({q.INTENT: "order_status"}, 50), ({q.INTENT: "billing"}, 5))
        report = collect(PrometheusClient(fake_prometheus.url), END)
        assert report.intents.rows == [("order_status", 70, 50), ("refund", 30, 0), ("billing", 0, 5)]
        assert report.intents.total == 100

    def test_csat_scores_from_cumulative_buckets(self, fake_prometheus):
        """Per-score counts are the differences of the cumulative `le` buckets."""
        cumulative = {"1": 2, "2": 5, "3": 9, "4": 30, "5": 60, "+Inf": 60}
        fake_prometheus.answer(q.csat_buckets({}, "7d"), END, *(({"le": le}, n) for le, n in cumulative.items()))
        report = collect(PrometheusClient(fake_prometheus.url), END)
        assert report.csat_scores == {1: 2, 2: 3, 3: 4, 4: 21, 5: 30}

    def test_csat_bucket_bounds_written_as_floats(self, fake_prometheus):
        """Bucket bounds written "1.0" (as some collector versions do) read the same as "1"."""
        cumulative = {"1.0": 1, "2.0": 1, "3.0": 4, "4.0": 6, "5.0": 10, "+Inf": 10}
        fake_prometheus.answer(q.csat_buckets({}, "7d"), END, *(({"le": le}, n) for le, n in cumulative.items()))
        report = collect(PrometheusClient(fake_prometheus.url), END)
        assert report.csat_scores == {1: 1, 2: 0, 3: 3, 4: 2, 5: 4}

    def test_top_errors_with_previous_counts(self, fake_prometheus):
        """Errors are listed most frequent first, each with its count in the previous period."""
        fake_prometheus.answer(q.top_errors({}, "7d"), END,
                               ({q.ERROR_TYPE: "timeout", q.OPERATION: "chat"}, 4),
                               ({q.ERROR_TYPE: "RateLimitError", q.OPERATION: "chat"}, 12))
        fake_prometheus.answer(q.top_errors({}, "7d", k=1000), PREV,
                               ({q.ERROR_TYPE: "timeout", q.OPERATION: "chat"}, 9))
        report = collect(PrometheusClient(fake_prometheus.url), END)
        assert report.errors == [("RateLimitError", "chat", 12, 0), ("timeout", "chat", 4, 9)]


def test_duration():
    """Windows are the shortest exact PromQL duration."""
    assert [duration(s) for s in (604800, 129600, 5400, 61)] == ["7d", "36h", "90m", "61s"]
