"""deploy/k8s/helmfile.yaml: the full stack's releases, their values files and their wiring.

helmfile itself needs the chart repositories to render, which are out of reach here; these checks
cover what a helmfile run would trip on first (missing values files, unpinned or mismatched charts,
`needs` that name no release) and the names the releases must agree on.
"""

from __future__ import annotations

from typing import Any

import pytest

from deploy_support import DEPLOY, load_yaml
from k8s_schemas import validate_object

K8S = DEPLOY / "k8s"
HELMFILE = K8S / "helmfile.yaml"
STACK = {"kube-prometheus-stack", "tempo", "loki", "agentotel-collector", "agentotel-agent",
         "agentotel-monitoring", "opentelemetry-operator"}


@pytest.fixture(scope="module")
def helmfile() -> dict[str, Any]:
    return load_yaml(HELMFILE)


@pytest.fixture(scope="module")
def releases(helmfile) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in helmfile["releases"]}


def test_stack_has_every_component(releases):
    """The helmfile installs the collector, agent, Tempo, Loki, kube-prometheus-stack, our monitoring and the operator."""
    assert set(releases) == STACK


def test_remote_charts_are_pinned_and_from_declared_repositories(helmfile, releases):
    """Each remote chart has an exact version and comes from a repository the helmfile declares."""
    repositories = {r["name"] for r in helmfile["repositories"]}
    for name, release in releases.items():
        chart = release["chart"]
        if chart.startswith("./"):
            assert (K8S / chart / "Chart.yaml").is_file(), f"{name}: no chart at {chart}"
            continue
        assert chart.split("/")[0] in repositories, f"{name}: repository of {chart} is not declared"
        assert str(release.get("version", "")).count(".") == 2, f"{name}: chart version not pinned"


def test_collector_releases_use_the_chart_our_values_target(releases, chart_reference):
    """Gateway and agent install the opentelemetry-collector chart version whose schema the values were checked against."""
    version = load_yaml(chart_reference / "Chart.yaml")["version"]
    for name in ("agentotel-collector", "agentotel-agent"):
        assert releases[name]["chart"] == "open-telemetry/opentelemetry-collector"
        assert releases[name]["version"] == version


def test_values_files_exist(releases):
    """Every values file a release names is in the repository."""
    for name, release in releases.items():
        for values in release.get("values", []):
            assert (K8S / values).is_file(), f"{name}: {values} does not exist"


def test_needs_name_releases_of_the_helmfile(releases):
    """Every `needs` entry is namespace/name of a release defined here, and the order has no cycle."""
    known = {f"{r['namespace']}/{name}" for name, r in releases.items()}
    for name, release in releases.items():
        for need in release.get("needs", []):
            assert need in known, f"{name} needs unknown release {need}"
    # CRDs come from kube-prometheus-stack: releases that create ServiceMonitors wait for it.
    order: list[str] = []
    pending = dict(releases)
    while pending:
        ready = [n for n, r in pending.items() if all(x.split("/")[1] in order for x in r.get("needs", []))]
        assert ready, f"`needs` form a cycle among {sorted(pending)}"
        order += ready
        for n in ready:
            del pending[n]
    assert order.index("kube-prometheus-stack") < order.index("agentotel-collector")
    assert order.index("agentotel-collector") < order.index("agentotel-agent")


def test_backends_answer_where_the_gateway_sends(releases):
    """Tempo and Loki releases produce the Service names and ports the gateway values point at."""
    tempo = load_yaml(K8S / releases["tempo"]["values"][0])
    loki = load_yaml(K8S / releases["loki"]["values"][0])
    gateway_env = {e["name"]: e["value"] for e in load_yaml(DEPLOY / "helm" / "gateway-values.yaml")["extraEnvs"]}
    assert tempo["fullnameOverride"] == "tempo" and releases["tempo"]["namespace"] == "observability"
    assert gateway_env["TEMPO_OTLP_ENDPOINT"] == "tempo.observability.svc.cluster.local:4317"
    assert tempo["tempo"]["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].endswith(":4317")
    assert loki["gateway"]["enabled"] is True and releases["loki"]["name"] == "loki"
    assert gateway_env["LOKI_OTLP_ENDPOINT"] == "http://loki-gateway.observability.svc.cluster.local/otlp"
    assert loki["loki"]["limits_config"]["allow_structured_metadata"] is True


def test_prometheus_picks_up_our_monitors_and_rules():
    """Prometheus selects ServiceMonitors, PodMonitors and PrometheusRules of every release and stores exemplars."""
    spec = load_yaml(K8S / "values" / "kube-prometheus-stack.yaml")["prometheus"]["prometheusSpec"]
    for selector in ("serviceMonitorSelectorNilUsesHelmValues", "podMonitorSelectorNilUsesHelmValues",
                     "ruleSelectorNilUsesHelmValues"):
        assert spec[selector] is False, selector
    assert "exemplar-storage" in spec["enableFeatures"]


def test_operator_fields_of_kube_prometheus_stack_match_the_crds(crd_dirs):
    """The prometheusSpec and alertmanagerSpec fields we set are valid Prometheus and Alertmanager CR fields."""
    values = load_yaml(K8S / "values" / "kube-prometheus-stack.yaml")
    chart_only = {"serviceMonitorSelectorNilUsesHelmValues", "podMonitorSelectorNilUsesHelmValues",
                  "ruleSelectorNilUsesHelmValues", "useExistingSecret"}
    for kind, spec in (("Prometheus", values["prometheus"]["prometheusSpec"]),
                       ("Alertmanager", values["alertmanager"]["alertmanagerSpec"])):
        resource = {"apiVersion": "monitoring.coreos.com/v1", "kind": kind, "metadata": {"name": "check"},
                    "spec": {k: v for k, v in spec.items() if k not in chart_only}}
        assert validate_object(resource, crd_dirs) == [], kind
