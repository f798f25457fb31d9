"""Budgets per tenant: parsed from a file and exported as gauges."""

from __future__ import annotations

import pytest

from agentotel.config import Settings
from agentotel.cost import PricingError
from agentotel.cost.budgets import load_budgets


def test_budget_gauges(make_telemetry, tmp_path):
    """Configured limits are exported per tenant and period."""
    path = tmp_path / "budgets.yaml"
    path.write_text("tenants:\n  acme:\n    month: {usd: 500, tokens: 1000000}\n    day: {usd: 25}\n")
    t = make_telemetry(Settings(budget_file=str(path)))
    usd = {(a["agentotel.tenant.id"], a["agentotel.budget.period"]): p.value for a, p in t.points("agentotel.budget.limit")}
    assert usd == {("acme", "month"): 500.0, ("acme", "day"): 25.0}
    (attrs, tokens), = t.points("agentotel.budget.token_limit")
    assert tokens.value == 1_000_000.0


@pytest.mark.parametrize("content", ["tenants: [a]", "tenants:\n  acme:\n    week: {usd: 1}\n", "tenants:\n  acme:\n    day: {usd: -1}\n"])
def test_broken_budget_file(tmp_path, content):
    """A broken budget file names itself and the problem."""
    path = tmp_path / "b.yaml"
    path.write_text(content)
    with pytest.raises(PricingError, match="budget file .*b.yaml"):
        load_budgets(path)
