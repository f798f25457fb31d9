"""Writes every generated monitoring file from the sources in dashboards/src/.

    python -m dashboards.src.generate          # rewrite the files
    python -m dashboards.src.generate --check  # exit 1 when a committed file differs

Outputs: Grafana dashboards and provisioning (dashboards/grafana/), Prometheus recording and
alerting rules and their promtool tests (dashboards/prometheus/).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import (dashboards_business, dashboards_cost, dashboards_operations, dashboards_quality, dashboards_service,
               provisioning, rule_tests, rules)
from .serialize import to_json, to_yaml

ROOT = Path(__file__).resolve().parents[1]  # dashboards/

DASHBOARDS = (dashboards_operations, dashboards_cost, dashboards_quality, dashboards_service, dashboards_business)


def outputs() -> dict:
    """Relative path (under dashboards/) -> file content."""
    files = {
        "prometheus/recording.rules.yaml": to_yaml({"groups": rules.recording_groups()}),
        "prometheus/alerts.rules.yaml": to_yaml({"groups": rules.alert_groups()}),
        "grafana/provisioning/datasources/agentotel.yaml": to_yaml(provisioning.datasources()),
        "grafana/provisioning/dashboards/agentotel.yaml": to_yaml(provisioning.dashboard_providers()),
    }
    for module in DASHBOARDS:
        board = module.build()
        files[f"grafana/{board['uid']}.json"] = to_json(board)
    for name, suite in rule_tests.suites().items():
        files[f"prometheus/tests/{name}.test.yaml"] = to_yaml(suite)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboards.src.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 on a difference")
    args = parser.parse_args(argv)
    stale = []
    for relative, text in outputs().items():
        path = ROOT / relative
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(relative)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote dashboards/{relative}")
    if stale:
        print("out of date (run python -m dashboards.src.generate):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
