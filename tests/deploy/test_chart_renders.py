"""Every chart deploy/k8s/helmfile.yaml installs, rendered by the real helm with our values.

The charts come from ../shared/reference/ (the released sources at the versions the helmfile pins),
so these renders are what `helmfile apply` would send to the cluster. Every rendered object passes
the Kubernetes 1.33 schema of its kind or the CRD that the stack itself installs (prometheus-operator
CRDs from kube-prometheus-stack, the OpenTelemetry Operator's from its chart), and every collector
config the collector chart renders, in each documented mode, passes our collector's `validate`.
"""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy_support import DEPLOY, REPO, SHARED, load_manifests, load_yaml
from k8s_schemas import validate_builtin, validate_custom_with

K8S = DEPLOY / "k8s"
HELMFILE = K8S / "helmfile.yaml"
REFERENCE = SHARED / "reference"
KUBE_VERSION = "1.33.0"
IMAGE = "ghcr.io/agentotel/agentotel-collector"
PROMETHEUS_SERVICE = "kube-prometheus-stack-prometheus.observability.svc.cluster.local:9090"

# Documented ways to run the collector chart (deploy/README.md): release -> extra `--set`s.
COLLECTOR_MODES = {
    "gateway-deployment": ("agentotel-collector", []),
    "gateway-statefulset": ("agentotel-collector", ["--set", "mode=statefulset"]),
    "agent-daemonset": ("agentotel-agent", []),
}


def releases() -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in load_yaml(HELMFILE)["releases"]}


def chart_folder(release: dict[str, Any]) -> Path:
    """The reference folder of a release's pinned chart (helm-<chart>-<version>)."""
    chart = release["chart"]
    if chart.startswith("./"):
        return K8S / chart
    return REFERENCE / f"helm-{chart.split('/', 1)[1]}-{release['version']}"


@pytest.fixture(scope="module")
def reference() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the charts' sources live there")
    return REFERENCE


def render(helm_bin: Path, name: str, release: dict[str, Any], extra: list[str] = ()) -> list[dict[str, Any]]:
    args = [str(helm_bin), "template", name, str(chart_folder(release)), "--namespace", release["namespace"],
            "--kube-version", KUBE_VERSION, "--include-crds"]
    for values in release.get("values", []):
        args += ["-f", str(K8S / values)]
    proc = subprocess.run(args + list(extra), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"helm template {name} failed:\n{proc.stderr}"
    return load_manifests(proc.stdout)


@pytest.fixture(scope="module")
def rendered(reference, helm_bin) -> dict[str, list[dict[str, Any]]]:
    """release name (and collector mode) -> the objects helm renders with our values."""
    out = {name: render(helm_bin, name, release) for name, release in releases().items()}
    for mode, (name, extra) in COLLECTOR_MODES.items():
        out[mode] = render(helm_bin, name, releases()[name], extra)
    return out


@pytest.fixture(scope="module")
def stack_crds(rendered) -> dict[tuple[str, str], dict[str, Any]]:
    """(group, kind) -> the CRD the stack installs (kube-prometheus-stack, the operator chart)."""
    crds = {}
    for objects in rendered.values():
        for obj in objects:
            if obj["kind"] == "CustomResourceDefinition":
                crds[(obj["spec"]["group"], obj["spec"]["names"]["kind"])] = obj
    return crds


def test_helmfile_pins_the_reference_charts(reference):
    """Every remote chart of the helmfile is pinned to a version whose sources are in ../shared/reference."""
    for name, release in releases().items():
        folder = chart_folder(release)
        assert (folder / "Chart.yaml").is_file(), f"{name}: no chart sources at {folder}"
        chart = load_yaml(folder / "Chart.yaml")
        if not release["chart"].startswith("./"):
            assert chart["name"] == release["chart"].split("/", 1)[1]
            assert str(chart["version"]) == str(release["version"])


def test_tempo_and_loki_come_from_the_community_repository():
    """Tempo and Loki install from grafana-community, where their charts are maintained now."""
    repos = {r["name"]: r["url"] for r in load_yaml(HELMFILE)["repositories"]}
    for name in ("tempo", "loki"):
        repo = releases()[name]["chart"].split("/")[0]
        assert repos[repo] == "https://grafana-community.github.io/helm-charts", name


def test_stack_installs_the_crds_our_resources_use(stack_crds):
    """The CRDs of the PrometheusRule, ServiceMonitor, PodMonitor, Prometheus, Alertmanager and
    Instrumentation kinds come with the charts we deploy."""
    for key in [("monitoring.coreos.com", k) for k in ("PrometheusRule", "ServiceMonitor", "PodMonitor",
                                                       "Prometheus", "Alertmanager")] + [("opentelemetry.io", "Instrumentation")]:
        assert key in stack_crds, key


def every_object(rendered) -> list[tuple[str, dict[str, Any]]]:
    from test_k8s_manifests import app_objects

    objects = [(name, obj) for name, objs in rendered.items() for obj in objs]
    return objects + [(f"deploy/k8s/app/{name}", obj) for name, obj in app_objects()]


def test_every_rendered_object_matches_its_schema(rendered, stack_crds):
    """Each object of every chart (and of deploy/k8s/app/) passes Kubernetes 1.33's schema of its
    kind, or the schema of the CRD that the stack installs for it."""
    failures = []
    custom: set[str] = set()
    objects = every_object(rendered)
    for release, obj in objects:
        group = obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""
        if (group, obj["kind"]) in stack_crds:
            errors = validate_custom_with(stack_crds[(group, obj["kind"])], obj)
            custom.add(obj["kind"])
        else:
            errors = validate_builtin(obj)
        if errors:
            failures.append(f"{release}: {obj['kind']}/{obj['metadata'].get('name')}: {errors[:3]}")
    assert not failures, "\n".join(failures)
    assert len(objects) > 150, len(objects)
    assert {"Prometheus", "Alertmanager", "ServiceMonitor", "PrometheusRule", "Instrumentation"} <= custom, custom


def workload(objects: list[dict[str, Any]]) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] in ("Deployment", "StatefulSet", "DaemonSet")]
    return found


def pod_env(container: dict[str, Any]) -> dict[str, str]:
    """The container's environment, with values from the downward API filled in as a pod would."""
    downward = {"status.podIP": "10.0.0.7", "spec.nodeName": "node-1", "metadata.name": "pod-0",
                "metadata.namespace": "observability", "status.hostIP": "10.0.0.1"}
    env = {}
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        elif "fieldRef" in var.get("valueFrom", {}):
            env[var["name"]] = downward[var["valueFrom"]["fieldRef"]["fieldPath"]]
        elif "resourceFieldRef" in var.get("valueFrom", {}):
            env[var["name"]] = "858993459"
    return env


@pytest.mark.parametrize("mode", sorted(COLLECTOR_MODES))
def test_rendered_collector_config_runs_on_our_collector(mode, rendered, collector_bin, tmp_path):
    """The config the chart renders (its presets' k8s_attributes included) passes our collector's
    `validate`, with the pod's environment, in every documented mode; the pod runs our image."""
    objects = rendered[mode]
    pod = workload(objects)["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == f"{IMAGE}:{load_yaml(REPO / 'collector' / 'builder-config.yaml')['dist']['version']}"
    assert container["command"] == ["/agentotel-collector"]
    (config_map,) = [o for o in objects if o["kind"] == "ConfigMap" and "relay" in o["data"]]
    config = yaml.safe_load(config_map["data"]["relay"])
    assert "k8s_attributes" in config["processors"], "the kubernetesAttributes preset is on"
    path = tmp_path / "relay.yaml"
    path.write_text(config_map["data"]["relay"])
    env = {**os.environ, **pod_env(container)}
    proc = subprocess.run([str(collector_bin), "validate", f"--config={path}"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{mode}: {proc.stderr}"


def test_gateway_replicas_find_each_other(rendered):
    """The gateway's load_balancing exporter resolves the headless peers Service, which selects the
    gateway pods (in either workload kind) on the peer port its receiver listens on."""
    for mode in ("gateway-deployment", "gateway-statefulset"):
        objects = rendered[mode]
        pod = workload(objects)["spec"]["template"]
        env = pod_env(pod["spec"]["containers"][0])
        config = yaml.safe_load(next(o for o in objects if o["kind"] == "ConfigMap")["data"]["relay"])
        (peers,) = [o for o in objects if o["kind"] == "Service" and o["spec"].get("clusterIP") == "None"
                    and o["metadata"]["name"] == "agentotel-collector-peers"]
        assert env["OTELCOL_PEERS_HOSTNAME"] == f"{peers['metadata']['name']}.observability.svc.cluster.local"
        labels = pod["metadata"]["labels"]
        assert all(labels.get(k) == v for k, v in peers["spec"]["selector"].items()), mode
        assert peers["spec"]["ports"][0]["port"] == int(env["OTELCOL_PEERS_PORT"]) \
            == int(env["OTELCOL_PEERS_ENDPOINT"].rsplit(":", 1)[1])
        pipelines = config["service"]["pipelines"]
        assert pipelines["metrics"]["exporters"] == ["load_balancing/metrics"]
        assert pipelines["metrics/owned"]["exporters"] == ["prometheus"]


def loki_config(objects: list[dict[str, Any]]) -> dict[str, Any]:
    for obj in objects:
        if obj["kind"] in ("ConfigMap", "Secret") and obj["metadata"]["name"] == "loki":
            data = obj.get("data") or obj.get("stringData")
            text = data["config.yaml"]
            if obj["kind"] == "Secret" and "stringData" not in obj:
                import base64
                text = base64.b64decode(text).decode()
            return yaml.safe_load(text)
    raise AssertionError("no Loki config rendered")


def test_loki_deletes_what_its_retention_period_expires(rendered):
    """The rendered Loki config runs the compactor with retention on, so a 168h retention deletes."""
    config = loki_config(rendered["loki"])
    assert config["limits_config"]["retention_period"] == "168h"
    assert config["compactor"]["retention_enabled"] is True
    assert config["compactor"]["delete_request_store"] == "filesystem"


def test_loki_renders_no_canary_or_test_pod(rendered):
    """Only Loki itself and its gateway run: no canary DaemonSet, no helm-test Pod."""
    kinds = {(o["kind"], o["metadata"]["name"]) for o in rendered["loki"]}
    assert not [k for k in kinds if k[0] in ("DaemonSet", "Pod")], sorted(kinds)


def test_tempo_receives_otlp_only_and_feeds_the_service_graph(rendered):
    """Tempo listens for OTLP only (no Jaeger receivers or ports) and its metrics generator writes
    the service graph to the Prometheus that kube-prometheus-stack runs with remote write on."""
    objects = rendered["tempo"]
    config = yaml.safe_load(next(o for o in objects if o["kind"] == "ConfigMap" and "tempo.yaml" in o["data"])["data"]["tempo.yaml"])
    assert set(config["distributor"]["receivers"]) == {"otlp"}
    ports = {p["name"] for o in objects if o["kind"] == "Service" for p in o["spec"]["ports"]}
    assert not [p for p in ports if "jaeger" in p], ports
    assert config["overrides"]["defaults"]["metrics_generator"]["processors"] == ["service-graphs"]
    assert [w["url"] for w in config["metrics_generator"]["storage"]["remote_write"]] == \
        [f"http://{PROMETHEUS_SERVICE}/api/v1/write"]
    (prometheus,) = [o for o in rendered["kube-prometheus-stack"] if o["kind"] == "Prometheus"]
    assert prometheus["spec"]["enableRemoteWriteReceiver"] is True
    services = {o["metadata"]["name"] for o in rendered["kube-prometheus-stack"] if o["kind"] == "Service"}
    assert PROMETHEUS_SERVICE.split(".")[0] in services


def test_operator_and_collectors_run_our_image(rendered):
    """The operator's default collector image is our distribution's too."""
    (deployment,) = [o for o in rendered["opentelemetry-operator"] if o["kind"] == "Deployment"]
    args = " ".join(a for c in deployment["spec"]["template"]["spec"]["containers"] for a in c.get("args", []))
    assert f"--collector-image={IMAGE}:" in args
