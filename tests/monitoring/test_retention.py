"""Month-scale figures need the data: the retention we ship covers every window the rules and the
monthly report read, and long windows read the hourly recorded spend."""

from __future__ import annotations

import re

from agentotel_tools import promql as q
from agentotel_tools.stack import components
from monitoring.src import config, rules
from tests.monitoring.helpers import RULES, load_yaml, recording_rules


def _days(window: str) -> float:
    return q.seconds(window) / 86400


def test_local_stack_keeps_what_the_config_requires():
    """The local stack's Prometheus keeps PROMETHEUS_RETENTION, enough for two calendar months."""
    assert components.METRICS_RETENTION == config.PROMETHEUS_RETENTION
    assert _days(config.PROMETHEUS_RETENTION) >= 2 * 31


def test_every_rule_window_fits_the_retention():
    """No recording rule reads further back than the retention."""
    retention = q.seconds(config.PROMETHEUS_RETENTION)
    for rule in recording_rules():
        for value, unit in re.findall(r"\[(\d+)([smhdw])\]", rule["expr"]):
            assert q.seconds(value + unit) <= retention, rule["record"]


def test_month_budgets_sum_the_hourly_spend():
    """The month budget usage reads the hourly recorded spend, which a group evaluates every hour."""
    groups = {group["name"]: group for group in load_yaml(RULES / "recording.rules.yaml")["groups"]}
    hourly = groups["agentotel.cost.hourly.recording"]
    assert hourly["interval"] == "1h"
    assert {r["record"] for r in hourly["rules"]} == {rules.COST_1H_TENANT, rules.TOKENS_1H_TENANT}
    month = [r for r in recording_rules() if r["record"] == rules.BUDGET_USAGE
             and r.get("labels", {}).get(q.BUDGET_PERIOD) == "month"]
    assert len(month) == 1 and f"sum_over_time({rules.COST_1H_TENANT}[2591999s])" in month[0]["expr"]


def test_budget_test_spans_more_than_the_old_window():
    """The promtool budget suite feeds more than 30 days of hourly data (a 15-day Prometheus would
    see half of the month)."""
    suite = load_yaml(RULES / "tests" / "budgets.test.yaml")
    [test] = suite["tests"]
    assert suite["evaluation_interval"] == test["interval"] == "1h"
    assert all(e["eval_time"] == "840h" for e in test["promql_expr_test"])
