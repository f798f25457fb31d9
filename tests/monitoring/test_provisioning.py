"""Grafana provisioning: fixed datasource uids linked to each other, the dashboards folder provider."""

from __future__ import annotations

import re

from monitoring.src import config
from tests.monitoring.helpers import DASHBOARDS, load_yaml

DATASOURCES_FILE = DASHBOARDS / "provisioning" / "datasources" / "agentotel.yaml"
PROVIDERS_FILE = DASHBOARDS / "provisioning" / "dashboards" / "agentotel.yaml"


def _datasources() -> dict:
    data = load_yaml(DATASOURCES_FILE)
    assert data["apiVersion"] == 1
    return {ds["uid"]: ds for ds in data["datasources"]}


def test_datasources_with_fixed_uids():
    """Prometheus, Jaeger, Tempo and Loki are provisioned under the uids the dashboards use."""
    datasources = _datasources()
    assert {uid: ds["type"] for uid, ds in datasources.items()} == {
        config.PROMETHEUS_UID: "prometheus", config.JAEGER_UID: "jaeger",
        config.TEMPO_UID: "tempo", config.LOKI_UID: "loki",
    }
    assert [uid for uid, ds in datasources.items() if ds.get("isDefault")] == [config.PROMETHEUS_UID]
    assert all(ds["url"].startswith("http") for ds in datasources.values())


def test_exemplars_open_traces():
    """Prometheus exemplars' trace_id opens the trace in Jaeger and in Tempo."""
    destinations = _datasources()[config.PROMETHEUS_UID]["jsonData"]["exemplarTraceIdDestinations"]
    assert {(d["name"], d["datasourceUid"]) for d in destinations} == {
        ("trace_id", config.JAEGER_UID), ("trace_id", config.TEMPO_UID)}


def test_traces_open_their_logs():
    """Jaeger and Tempo spans link to the trace's logs in Loki, by trace id."""
    for uid in (config.JAEGER_UID, config.TEMPO_UID):
        link = _datasources()[uid]["jsonData"]["tracesToLogsV2"]
        assert link["datasourceUid"] == config.LOKI_UID
        assert link["filterByTraceID"] is True
        assert "$${__trace.traceId}" in link["query"]


def test_logs_open_their_traces():
    """Loki's trace_id label becomes a link to the trace in Tempo and Jaeger."""
    fields = _datasources()[config.LOKI_UID]["jsonData"]["derivedFields"]
    assert {(f["matcherType"], f["matcherRegex"], f["datasourceUid"]) for f in fields} == {
        ("label", "trace_id", config.TEMPO_UID), ("label", "trace_id", config.JAEGER_UID)}


def test_links_point_at_provisioned_datasources():
    """Every datasourceUid in the provisioning names a provisioned datasource."""
    text = DATASOURCES_FILE.read_text()
    assert set(re.findall(r"datasourceUid: (\S+)", text)) <= set(_datasources())


def test_grafana_macros_escaped():
    """Grafana expands $VAR in provisioning files, so its own ${...} macros are written $${...}."""
    text = DATASOURCES_FILE.read_text()
    assert "$${" in text
    assert not re.search(r"(?<!\$)\$\{", text)
    assert not re.search(r"(?<!\$)\$(?!\$|\{)", text.replace("$$", ""))


def test_dashboard_folder_provider():
    """A file provider loads the dashboards from one folder into the agentotel folder."""
    providers = load_yaml(PROVIDERS_FILE)["providers"]
    assert len(providers) == 1
    provider = providers[0]
    assert provider["type"] == "file"
    assert provider["folder"] == config.GRAFANA_FOLDER
    assert provider["options"]["path"] == config.GRAFANA_DASHBOARDS_PATH
