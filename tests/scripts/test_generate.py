"""scripts/generate.py: every generated file (dashboards, rules, rule tests, deploy files) is
committed as its source makes it, and --check names the stale ones."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "generate.py"


def load_script():
    spec = importlib.util.spec_from_file_location("scripts_generate", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


generate = load_script()


@pytest.fixture(scope="module")
def chart_values() -> Path:
    """The collector chart's defaults, which the gateway values are made from (../shared/reference/)."""
    path = generate.deploy_generator("helm").CHART_VALUES
    if not path.is_file():
        pytest.skip(f"{path} is absent: the gateway values are generated from the chart's defaults")
    return path


def test_committed_tree_is_current(chart_values):
    """`scripts/generate.py --check` passes on the committed tree (run it without --check to regenerate)."""
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=REPO, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr


def test_every_area_is_generated(chart_values):
    """The one command covers the dashboards, provisioning, rules, rule tests and every deploy file."""
    paths = {str(path.relative_to(REPO)) for outputs in generate.stages() for path in outputs()}
    expected = {
        "monitoring/dashboards/agentotel-operations.json",
        "monitoring/dashboards/provisioning/datasources/agentotel.yaml",
        "monitoring/rules/alerts.rules.yaml",
        "monitoring/rules/recording.rules.yaml",
        "monitoring/rules/tests/llm.test.yaml",
        "deploy/helm/gateway-values.yaml",
        "deploy/k8s/charts/agentotel-monitoring/files/alertmanager.yaml",
        "deploy/k8s/charts/agentotel-monitoring/files/prometheus-rules.yaml",
        "deploy/compose/grafana/datasources.yaml",
    }
    assert expected <= paths


def test_check_names_each_stale_file_and_writes_nothing(tmp_path, monkeypatch, capsys):
    """--check exits 1 naming every file that differs from its source and leaves it as it is."""
    current, stale, missing = tmp_path / "current.yaml", tmp_path / "stale.yaml", tmp_path / "new" / "missing.yaml"
    current.write_text("same\n")
    stale.write_text("old\n")
    monkeypatch.setattr(generate, "stages", lambda: [lambda: {current: "same\n", stale: "new\n", missing: "new\n"}])
    assert generate.main(["--check"]) == 1
    reported = capsys.readouterr().err
    assert str(stale) in reported and str(missing) in reported and str(current) not in reported
    assert stale.read_text() == "old\n" and not missing.exists()


def test_writing_runs_the_stages_in_order(tmp_path, monkeypatch):
    """A later stage reads what an earlier one wrote, so one run leaves a tree that --check accepts."""
    source, derived = tmp_path / "source.yaml", tmp_path / "derived.yaml"
    source.write_text("old\n")
    monkeypatch.setattr(generate, "stages", lambda: [lambda: {source: "new\n"},
                                                     lambda: {derived: source.read_text().upper()}])
    assert generate.main([]) == 0
    assert derived.read_text() == "NEW\n"
    assert generate.main(["--check"]) == 0


def test_generation_is_deterministic():
    """Two generations of the monitoring files give the same bytes (no timestamps, no set ordering)."""
    monitoring = generate.stages()[0]
    assert monitoring() == monitoring()
