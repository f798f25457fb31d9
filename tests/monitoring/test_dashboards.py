"""Grafana dashboards: well-formed, every query valid PromQL on known series, linked to traces,
thresholds from config."""

from __future__ import annotations

import re

import pytest
import yaml

from agentotel_tools import promql as q
from monitoring.src import config
from tests.monitoring.helpers import (DASHBOARDS, dashboard_files, load_dashboards, load_yaml, panel_targets,
                                      recording_rules, run, substitute)

BOARDS = {board["uid"]: board for board in load_dashboards()}
VARIABLES = {"environment", "service", "provider", "model", "agent", "tenant"}


def _panels(board: dict) -> list:
    return [p for p in board["panels"] if p["type"] != "row"]


def _by_title(board: dict, title: str) -> dict:
    matches = [p for p in board["panels"] if p["title"] == title]
    assert len(matches) == 1, title
    return matches[0]


def test_the_dashboards():
    """The operations, cost, quality, service and business dashboards exist with their fixed uids."""
    assert set(BOARDS) == {"agentotel-operations", "agentotel-cost", "agentotel-quality", "agentotel-service",
                           "agentotel-business"}
    assert [p.stem for p in dashboard_files()] == sorted(BOARDS)


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_panel_ids_unique(uid):
    """Panel ids (rows included) are unique within a dashboard."""
    ids = [p["id"] for p in BOARDS[uid]["panels"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_layout_fits_the_grid(uid):
    """Panels lie within the 24-column grid and do not overlap."""
    taken = set()
    for panel in BOARDS[uid]["panels"]:
        pos = panel["gridPos"]
        assert 0 <= pos["x"] and pos["x"] + pos["w"] <= 24, panel["title"]
        cells = {(x, y) for x in range(pos["x"], pos["x"] + pos["w"]) for y in range(pos["y"], pos["y"] + pos["h"])}
        assert not cells & taken, f"{panel['title']} overlaps another panel"
        taken |= cells


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_template_variables(uid):
    """Each dashboard has the environment, service, provider, model, agent and tenant variables, multi-value
    with an All regex, on the fixed Prometheus uid; queries use no other variable."""
    variables = {v["name"]: v for v in BOARDS[uid]["templating"]["list"]}
    assert set(variables) == VARIABLES
    labels = {name: label for name, _, label in config.VARIABLES}
    for name, variable in variables.items():
        assert variable["multi"] and variable["includeAll"] and variable["allValue"] == ".*"
        assert variable["datasource"]["uid"] == config.PROMETHEUS_UID
        assert variable["query"]["query"].endswith(f", {labels[name]})")
    for _, target in panel_targets(BOARDS[uid]):
        used = set(re.findall(r"\$\{?(\w+)", target["expr"]))
        assert used <= VARIABLES | {"__rate_interval", "__range", "__interval"}, target["expr"]


def _datasource_uids(node) -> set:
    found = set()
    if isinstance(node, dict):
        if isinstance(node.get("datasource"), dict) and "uid" in node["datasource"]:
            found.add(node["datasource"]["uid"])
        for value in node.values():
            found |= _datasource_uids(value)
    elif isinstance(node, list):
        for value in node:
            found |= _datasource_uids(value)
    return found


def test_datasource_uids_exist_in_provisioning():
    """Every datasource uid a dashboard refers to (panels, targets, variables, trace links) is provisioned."""
    provisioned = {ds["uid"] for ds in load_yaml(DASHBOARDS / "provisioning" / "datasources" / "agentotel.yaml")["datasources"]}
    for board in BOARDS.values():
        used = _datasource_uids(board)
        links = [link["url"] for p in board["panels"] for link in p.get("fieldConfig", {}).get("defaults", {}).get("links", [])]
        used |= {m for url in links for m in re.findall(r'"uid":"([^"]+)"', url)}
        assert used and used <= provisioned, used - provisioned


def test_every_query_parses(promtool, tmp_path):
    """Every panel query, with its variables substituted, is valid PromQL for promtool."""
    rule_list = []
    for board in BOARDS.values():
        for panel, target in panel_targets(board):
            record = f"panel:{board['uid'].replace('-', '_')}_{panel['id']}:{target['refId']}"
            rule_list.append({"record": record, "expr": substitute(target["expr"])})
    assert len(rule_list) > 60
    path = tmp_path / "panels.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": rule_list}]}))
    result = run(promtool, "check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_query_is_caught(promtool, tmp_path):
    """The parse check fails on an invalid query (it does check)."""
    path = tmp_path / "bad.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "x", "rules": [
        {"record": "x:y:z", "expr": substitute('sum by (le (rate(x{a=~"$model"}[$__rate_interval]))')}]}]}))
    assert run(promtool, "check", "rules", str(path)).returncode != 0


def _known_series() -> set:
    known = {"up"}
    for metric in q.METRICS:
        known.add(metric.name)
        known |= {metric.name + s for s in ("_bucket", "_sum", "_count")}
    for template in (q.COLLECTOR_ACCEPTED, q.COLLECTOR_REFUSED, q.COLLECTOR_SEND_FAILED, q.COLLECTOR_SENT):
        known |= {q.collector_metric(template, s) for s in q.COLLECTOR_SIGNALS}
    known |= {q.COLLECTOR_QUEUE_SIZE, q.COLLECTOR_QUEUE_CAPACITY}
    known |= {rule["record"] for rule in recording_rules()}
    return known


def test_queries_name_known_series():
    """Every series a panel reads is a contract metric, a recording rule or a collector metric."""
    known = _known_series()
    for board in BOARDS.values():
        for panel, target in panel_targets(board):
            names = {n.replace("(_total)?", "") for n in re.findall(r'__name__=~"([^"]+)"', target["expr"])}
            expr = re.sub(r'"[^"]*"', '""', target["expr"])
            expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
            names |= set(re.findall(r"\b((?:gen_ai_|agentotel_|otelcol_|traces_|http_server_)[a-z0-9_]*|[a-z_]+:[a-z0-9_:]+)\s*[{\[)]",
                                    expr))
            names |= set(re.findall(r"\b(up)\{", expr))
            assert names, (panel["title"], target["expr"])
            assert names <= known, (panel["title"], names - known)


REQUIRED_PANELS = {
    "agentotel-operations": [
        "Requests per second by operation and model", "LLM latency by model and operation", "Time to first chunk",
        "Error rate by error type", "Tokens per second by model and type", "Tool calls per second by agent",
        "Tool error rate by agent", "Tool latency", "Retrieval latency", "Knowledge-base hit rate by data source",
        "Best similarity score by data source", "Active conversations by agent", "Collector up",
        "Items accepted per second", "Items refused per second", "Exporter queue usage", "Export failures per second",
    ],
    "agentotel-cost": [
        "Spend per hour by provider", "Spend per hour by model", "Spend per hour by agent", "Spend per hour by tenant",
        "Spend per day by model", "Cost per conversation", "Tokens per conversation by agent",
        "Cost per resolved conversation", "Projected spend this month", "Spend budget used", "Unpriced calls",
    ],
    "agentotel-quality": [
        "Automation rate", "Resolution rate", "Escalation rate by reason", "CSAT distribution", "CSAT trend",
        "First response time", "Resolution time", "Conversations by intent",
    ],
}


@pytest.mark.parametrize("uid", sorted(REQUIRED_PANELS))
def test_required_panels(uid):
    """Each dashboard has the panels its users come for."""
    titles = [p["title"] for p in BOARDS[uid]["panels"]]
    for title in REQUIRED_PANELS[uid]:
        assert title in titles, title


def _steps(panel: dict) -> list:
    return [s["value"] for s in panel["fieldConfig"]["defaults"]["thresholds"]["steps"]]


def test_targets_drawn_as_thresholds():
    """The objectives of config.py are the panels' thresholds (automation, CSAT, escalation, latency, cost)."""
    quality, cost, ops = BOARDS["agentotel-quality"], BOARDS["agentotel-cost"], BOARDS["agentotel-operations"]
    assert _steps(_by_title(quality, "Automation rate")) == [None, config.AUTOMATION_RATE.warning,
                                                             config.AUTOMATION_RATE.target]
    assert _steps(_by_title(quality, "CSAT")) == [None, config.CSAT.warning, config.CSAT.target]
    assert config.ESCALATION_RATE.warning in _steps(_by_title(quality, "Escalation rate"))
    latency = _by_title(ops, "LLM latency by model and operation")
    assert {config.LLM_LATENCY_P95_SECONDS.warning, config.LLM_LATENCY_P95_SECONDS.critical} <= set(_steps(latency))
    assert latency["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"] == "dashed"
    assert config.COST_PER_CONVERSATION_USD.warning in _steps(_by_title(cost, "Cost per conversation"))
    assert config.BUDGET_USAGE.warning in _steps(_by_title(cost, "Spend budget used"))


def test_latency_panels_link_to_traces():
    """Latency panels ask for exemplars and carry links to Jaeger and Tempo; the linked series keep
    service_name so that the link can name the service."""
    linked = 0
    for board in BOARDS.values():
        for panel in _panels(board):
            links = panel.get("fieldConfig", {}).get("defaults", {}).get("links", [])
            if not links:
                continue
            linked += 1
            assert {link["title"] for link in links} == {"Traces in Jaeger", "Traces in Tempo"}
            assert all("${__field.labels.service_name}" in link["url"] for link in links)
            for target in panel["targets"]:
                by = re.findall(r"by \(([^)]*)\)", target["expr"])
                assert by and all("service_name" in group for group in by), (panel["title"], target["expr"])
    assert linked >= 5
    latency = _by_title(BOARDS["agentotel-operations"], "LLM latency by model and operation")
    assert [t.get("exemplar", False) for t in latency["targets"]] == [False, True, False]


def test_alerting_views_read_the_alerts_series():
    """The "alerting view" panels plot the recorded series the alerts evaluate."""
    recorded = {rule["record"] for rule in recording_rules()}
    views = [p for board in BOARDS.values() for p in board["panels"] if "(alerting view)" in p["title"]]
    assert len(views) == 6
    for panel in views:
        assert all(any(name in t["expr"] for name in recorded) for t in panel["targets"]), panel["title"]
