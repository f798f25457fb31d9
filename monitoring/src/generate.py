"""The monitoring files generated from the sources in monitoring/src/, for scripts/generate.py.

Outputs: Grafana dashboards and provisioning (monitoring/dashboards/), Prometheus recording and
alerting rules and their promtool tests (monitoring/rules/). Pure: builds text, writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from . import (dashboards_business, dashboards_cost, dashboards_operations, dashboards_quality, dashboards_service,
               provisioning, rule_tests, rules)
from .serialize import to_json, to_yaml

MONITORING = Path(__file__).resolve().parents[1]
DASHBOARDS_DIR = MONITORING / "dashboards"
RULES_DIR = MONITORING / "rules"

DASHBOARDS = (dashboards_operations, dashboards_cost, dashboards_quality, dashboards_service, dashboards_business)


def outputs() -> dict[Path, str]:
    """Generated file -> content."""
    files = {
        RULES_DIR / "recording.rules.yaml": to_yaml({"groups": rules.recording_groups()}),
        RULES_DIR / "alerts.rules.yaml": to_yaml({"groups": rules.alert_groups()}),
        DASHBOARDS_DIR / "provisioning" / "datasources" / "agentotel.yaml": to_yaml(provisioning.datasources()),
        DASHBOARDS_DIR / "provisioning" / "dashboards" / "agentotel.yaml": to_yaml(provisioning.dashboard_providers()),
    }
    for module in DASHBOARDS:
        board = module.build()
        files[DASHBOARDS_DIR / f"{board['uid']}.json"] = to_json(board)
    for name, suite in rule_tests.suites().items():
        files[RULES_DIR / "tests" / f"{name}.test.yaml"] = to_yaml(suite)
    return files
