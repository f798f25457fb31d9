"""Spend and token budgets per tenant, exported as gauges for the dashboards' budget use and the
80 % / 100 % budget alerts.

The file named by ``AGENTOTEL_BUDGET_FILE``::

    tenants:
      acme:
        month: {usd: 500, tokens: 50000000}
        day: {usd: 25}
      globex:
        month: {usd: 100}

Prometheus compares ``agentotel_llm_cost_total`` over the period with ``agentotel_budget_limit``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .catalog import PricingError

PERIODS = ("day", "month")


def load_budgets(path: str | Path) -> list[tuple[str, str, str, float]]:
    """(tenant, period, kind ``usd``/``tokens``, limit) rows; raises PricingError naming the file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise PricingError(f"budget file {path}: cannot be read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise PricingError(f"budget file {path}: not valid YAML: {exc}") from None
    tenants = data.get("tenants") if isinstance(data, dict) else None
    if not isinstance(tenants, dict):
        raise PricingError(f"budget file {path}: expected a 'tenants' mapping")
    rows = []
    for tenant, periods in tenants.items():
        if not isinstance(periods, dict):
            raise PricingError(f"budget file {path}: tenants.{tenant} must map day/month to limits")
        for period, limits in periods.items():
            if period not in PERIODS or not isinstance(limits, dict):
                raise PricingError(f"budget file {path}: tenants.{tenant}.{period}: period must be one of {PERIODS} with usd/tokens limits")
            for kind, value in limits.items():
                if kind not in ("usd", "tokens") or isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise PricingError(f"budget file {path}: tenants.{tenant}.{period}.{kind} must be usd or tokens with a non-negative number")
                rows.append((str(tenant), period, kind, float(value)))
    return rows


def register_budget_gauges(meter, rows) -> None:
    """Observable gauges reporting the configured limits."""
    from opentelemetry.metrics import Observation

    from ..semconv import agentotel_names

    def observe(kind):
        def callback(_options):
            return [Observation(limit, {agentotel_names.TENANT_ID: tenant, agentotel_names.BUDGET_PERIOD: period})
                    for tenant, period, k, limit in rows if k == kind]
        return callback

    name, unit, description = agentotel_names.METRIC_BUDGET_LIMIT
    meter.create_observable_gauge(name, [observe("usd")], unit=unit, description=description)
    name, unit, description = agentotel_names.METRIC_BUDGET_TOKEN_LIMIT
    meter.create_observable_gauge(name, [observe("tokens")], unit=unit, description=description)
