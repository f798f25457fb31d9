"""Paths, loaders and PromQL helpers shared by the monitoring-as-code tests."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
MONITORING = REPO / "monitoring"
DASHBOARDS = MONITORING / "dashboards"
RULES = MONITORING / "rules"
ALERTMANAGER_CONFIG = MONITORING / "alertmanager" / "alertmanager.yml"
INSTALL_HINT = "run scripts/install-tools.sh (scripts/setup.sh does)"


def tool(name: str) -> str:
    """The path of a tool the tests need; a missing one fails the test with how to install it."""
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} not found: {INSTALL_HINT}")
    return path


def run(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)


def dashboard_files() -> list:
    return sorted(DASHBOARDS.glob("*.json"))


def load_dashboards() -> list:
    return [json.loads(path.read_text()) for path in dashboard_files()]


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text())


def alert_rules() -> list:
    return [rule for group in load_yaml(RULES / "alerts.rules.yaml")["groups"] for rule in group["rules"]]


def recording_rules() -> list:
    return [rule for group in load_yaml(RULES / "recording.rules.yaml")["groups"] for rule in group["rules"]]


def panel_targets(board: dict):
    """(panel, target) for every query of a dashboard."""
    for panel in board["panels"]:
        for target in panel.get("targets", []):
            yield panel, target


# Grafana's built-in variables, with values that make a query evaluable outside Grafana.
BUILTIN_VARIABLES = {"__rate_interval": "1m", "__interval": "1m", "__range": "1h"}


def substitute(expr: str, variables: dict | None = None) -> str:
    """A panel query with Grafana's variables replaced: built-ins by durations, the dashboard's
    multi-value variables by their "All" value (a regex)."""
    values = {**BUILTIN_VARIABLES, **(variables or {})}

    def replace(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        return values.get(name, ".*")

    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", replace, expr)


def anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")
