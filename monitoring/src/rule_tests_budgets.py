"""`promtool test rules` over 35 days of hourly data: the month budget figures equal the spend sent
in the last 30 days, well beyond the 15 days a default Prometheus keeps.

The suite evaluates every hour, as Prometheus evaluates the hourly spend group
(``rules.COST_1H_TENANT``); promtool evaluates every group at the suite's interval.
"""

from __future__ import annotations

from agentotel_tools import promql as q

from . import config as c
from . import rules
from .rule_tests import CHAT, COST, TENANT_LABELS, _labels, _suite, _svc

DAYS = 35
HOURS = DAYS * 24
# Spend per hour: 2 USD for the first 20 days, then 1 USD; 5,000 tokens an hour throughout.
SWITCH = 20 * 24


def _cost_at(hour: int) -> float:
    return 2 * min(hour, SWITCH) + max(hour - SWITCH, 0)


def _spend(hours: int) -> float:
    """USD spent in the ``hours`` before the end of the data."""
    return _cost_at(HOURS) - _cost_at(HOURS - hours)


def suite() -> dict:
    cost = f"0+2x{SWITCH} {_cost_at(SWITCH + 1):g}+1x{HOURS - SWITCH - 1}"
    month_budget, day_budget, token_month_budget = 1200.0, 100.0, 5_000_000.0
    series = [
        _svc(COST, cost, **CHAT, gen_ai_agent_name="support", agentotel_tenant_id="acme"),
        _svc("gen_ai_client_token_usage_sum", f"0+5000x{HOURS}", **CHAT, gen_ai_agent_name="support",
             agentotel_tenant_id="acme", gen_ai_token_type="input"),
        _svc("agentotel_budget_limit", f"{month_budget:g}+0x{HOURS}", agentotel_tenant_id="acme",
             agentotel_budget_period="month"),
        _svc("agentotel_budget_limit", f"{day_budget:g}+0x{HOURS}", agentotel_tenant_id="acme",
             agentotel_budget_period="day"),
        _svc("agentotel_budget_token_limit", f"{token_month_budget:g}+0x{HOURS}", agentotel_tenant_id="acme",
             agentotel_budget_period="month"),
    ]
    at = f"{HOURS}h"
    month = {**TENANT_LABELS, "agentotel_budget_period": "month"}
    day = {**TENANT_LABELS, "agentotel_budget_period": "day"}
    usage = _spend(30 * 24) / month_budget
    test = {
        "name": f"{DAYS} days of spend: the month budget reads the last 30 days' spend, the day budget the last day's",
        "interval": "1h",
        "input_series": series,
        "promql_expr_test": [
            # The cheap path itself: 720 hourly samples of recorded spend add up to the month's spend.
            {"expr": q.sum_of_hourly(rules.COST_1H_TENANT, "30d", rules.TENANT), "eval_time": at,
             "exp_samples": [{"labels": "{" + ", ".join(f'{k}="{v}"' for k, v in TENANT_LABELS.items()) + "}",
                              "value": _spend(30 * 24)}]},
            {"expr": f'{rules.BUDGET_USAGE}{{agentotel_budget_period="month"}}', "eval_time": at,
             "exp_samples": [{"labels": _labels(rules.BUDGET_USAGE, **month), "value": usage}]},
            {"expr": f'{rules.BUDGET_USAGE}{{agentotel_budget_period="day"}}', "eval_time": at,
             "exp_samples": [{"labels": _labels(rules.BUDGET_USAGE, **day), "value": _spend(24) / day_budget}]},
            {"expr": rules.TOKEN_BUDGET_USAGE, "eval_time": at,
             "exp_samples": [{"labels": _labels(rules.TOKEN_BUDGET_USAGE, **month),
                              "value": 5000 * 30 * 24 / token_month_budget}]},
        ],
        "alert_rule_test": [{
            "eval_time": at, "alertname": c.ALERT_PREFIX + "CostBudgetExhaustion",
            "exp_alerts": [{
                "exp_labels": {**month, "severity": c.WARNING},
                "exp_annotations": {
                    "summary": "A tenant's spend budget is nearly used up.",
                    "description": f"Tenant acme in prod has used {usage * 100:g}% of its month spend budget "
                                   "(threshold 80%).",
                    "runbook_url": rules.alert_by("CostBudgetExhaustion", c.WARNING).rule()["annotations"]["runbook_url"],
                },
            }],
        }],
    }
    return {**_suite([test]), "evaluation_interval": "1h"}
