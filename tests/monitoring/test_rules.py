"""Prometheus recording and alerting rules: valid for promtool, tested at every alert's boundary,
every alert complete and documented."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from monitoring.src import config, rules
from monitoring.src.serialize import to_yaml
from tests.monitoring.helpers import MONITORING, RULES, alert_rules, anchor, load_yaml, recording_rules, run

RULE_FILES = sorted(RULES.glob("*.rules.yaml"))
TEST_FILES = sorted((RULES / "tests").glob("*.test.yaml"))
RUNBOOK = MONITORING / "runbook.md"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_promtool_check_rules(promtool, path):
    """promtool accepts the rule file (syntax, PromQL, duplicate rules)."""
    result = run(promtool, "check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_promtool_rule_unit_tests(promtool, path):
    """The rules behave as their promtool unit tests expect."""
    result = run(promtool, "test", "rules", path.name, cwd=path.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_there_are_rule_and_test_files():
    """Both rule files and the unit tests exist (a glob that matches nothing must not pass silently)."""
    assert [p.name for p in RULE_FILES] == ["alerts.rules.yaml", "recording.rules.yaml"]
    assert len(TEST_FILES) >= 4


def _boundary_tests() -> dict:
    """(alertname, severity) -> [(not-firing eval, firing eval)] pairs found in the unit tests."""
    found: dict = {}
    for path in TEST_FILES:
        for test in load_yaml(path)["tests"]:
            evals = test.get("alert_rule_test", [])
            for before in evals:
                for at in evals:
                    if at["alertname"] != before["alertname"]:
                        continue
                    if _minutes(at["eval_time"]) - _minutes(before["eval_time"]) != 1:
                        continue
                    fired = {a["exp_labels"]["severity"] for a in at.get("exp_alerts") or []}
                    earlier = {a["exp_labels"]["severity"] for a in before.get("exp_alerts") or []}
                    for severity in fired - earlier:
                        found.setdefault((at["alertname"], severity), []).append(at)
    return found


def _minutes(text: str) -> int:
    value, unit = int(text[:-1]), text[-1]
    return value * {"m": 1, "h": 60}[unit]


def test_every_alert_is_tested_at_its_for_boundary():
    """Each alert rule has a promtool case where it is not firing one step before `for:` elapses and
    fires at it, with every label and annotation asserted."""
    boundaries = _boundary_tests()
    for rule in alert_rules():
        key = (rule["alert"], rule["labels"]["severity"])
        assert key in boundaries, f"no boundary test for {key}"
        for firing in boundaries[key]:
            for alert in firing["exp_alerts"]:
                assert {"summary", "description", "runbook_url"} <= set(alert["exp_annotations"]), key
                assert {"severity"} < set(alert["exp_labels"]), key


def test_alert_fields():
    """Every alert: prefixed CamelCase name, for:, severity, fixed summary, templated description,
    runbook_url to its section of the runbook."""
    alerts = alert_rules()
    assert len(alerts) >= 25
    for rule in alerts:
        name = rule["alert"]
        assert re.fullmatch(r"AgentOtel([A-Z][a-z0-9]*|[A-Z]{2,}(?=[A-Z]|$))+", name), name
        assert re.fullmatch(r"\d+[mh]", rule["for"]), name
        assert rule["labels"]["severity"] in config.SEVERITIES, name
        annotations = rule["annotations"]
        assert annotations["summary"] and "{{" not in annotations["summary"], name
        assert "{{ $value" in annotations["description"] or "{{ $labels" in annotations["description"], name
        assert annotations["runbook_url"] == f"{config.RUNBOOK_URL}#{name.lower()}", name


def test_runbook_has_a_section_per_alert():
    """Each alert's runbook anchor is a heading of monitoring/runbook.md, and every section is an alert."""
    headings = [line[3:] for line in RUNBOOK.read_text().splitlines() if line.startswith("## ")]
    anchors = {anchor(h) for h in headings}
    names = {rule["alert"] for rule in alert_rules()}
    for name in names:
        assert name.lower() in anchors, f"runbook.md has no section for {name}"
    assert set(headings) == names, set(headings) ^ names
    text = RUNBOOK.read_text()
    for name in names:
        section = text.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
        assert "**Check" in section and "**Do" in section, f"{name}: say what to check and what to do"


def test_severity_pairs_share_an_alert_name():
    """A warning and a critical level of one condition are one alert name, so inhibition can mute the
    warning while the critical fires."""
    by_name: dict = {}
    for rule in alert_rules():
        by_name.setdefault(rule["alert"], []).append(rule["labels"]["severity"])
    for name, severities in by_name.items():
        assert len(severities) == len(set(severities)), f"{name} has two rules of one severity"
    assert by_name["AgentOtelLLMErrorRateHigh"] == [config.WARNING, config.CRITICAL]


def test_recording_rule_names():
    """Recording rules are named level:metric:operations."""
    for rule in recording_rules():
        assert re.fullmatch(r"[a-z_]+:[a-z_]+:[a-z0-9_]+", rule["record"]), rule["record"]


def test_alerts_read_recorded_or_contract_series():
    """Alert expressions only name series that a recording rule, the collector or the contract provides."""
    recorded = {rule["record"] for rule in recording_rules()}
    for rule in alert_rules():
        names = set(re.findall(r"\b([a-z_]+:[a-z0-9_:]+)", rule["expr"]))
        assert names <= recorded, (rule["alert"], names - recorded)


def test_thresholds_come_from_config(tmp_path, promtool, monkeypatch):
    """The alerts follow config.py: with a different CSAT threshold, the CSAT boundary test fails."""
    assert f"< {config.CSAT.warning:g}" in rules.alert_by("CSATLow").expr
    monkeypatch.setattr(config, "CSAT", config.Objective(target=4.2, warning=2.5))
    (tmp_path / "tests").mkdir()
    (tmp_path / "alerts.rules.yaml").write_text(to_yaml({"groups": rules.alert_groups()}))
    shutil.copy(RULES / "recording.rules.yaml", tmp_path)
    shutil.copy(RULES / "tests" / "quality.test.yaml", tmp_path / "tests")
    result = run(promtool, "test", "rules", "quality.test.yaml", cwd=tmp_path / "tests")
    assert result.returncode != 0
    assert "AgentOtelCSATLow" in result.stdout + result.stderr


def test_unit_tests_catch_a_broken_rule(tmp_path, promtool):
    """The unit tests fail when an alert fires late: `for:` of the LLM error alert raised by a minute."""
    alerts = load_yaml(RULES / "alerts.rules.yaml")
    for group in alerts["groups"]:
        for rule in group["rules"]:
            if rule["alert"] == "AgentOtelLLMErrorRateHigh" and rule["labels"]["severity"] == config.CRITICAL:
                rule["for"] = "6m"
    (tmp_path / "tests").mkdir()
    (tmp_path / "alerts.rules.yaml").write_text(yaml.safe_dump(alerts))
    shutil.copy(RULES / "recording.rules.yaml", tmp_path)
    shutil.copy(RULES / "tests" / "llm.test.yaml", tmp_path / "tests")
    result = run(promtool, "test", "rules", "llm.test.yaml", cwd=tmp_path / "tests")
    assert result.returncode != 0
    assert "LLM error ratio above 5% over 5m" in result.stdout + result.stderr
