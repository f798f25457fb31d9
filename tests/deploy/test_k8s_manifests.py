"""The Kubernetes side: the agentotel-monitoring chart, the app manifests and the CRD-based resources.

Every object we ship is validated offline: built-in kinds against the Kubernetes schemas, custom
resources against their CRDs (fetched from the operators' Go modules). Our own chart is rendered and
linted by the real helm; the generated manifests are compared with their sources in monitoring/.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy_support import DEPLOY, load_all_yaml, load_module, load_yaml
from k8s_schemas import validate_object

K8S = DEPLOY / "k8s"
CHART = K8S / "charts" / "agentotel-monitoring"
APP = K8S / "app"
NAMESPACE = "observability"
GATEWAY_SERVICE = f"agentotel-collector.{NAMESPACE}.svc.cluster.local"
K8S_GENERATOR = load_module(K8S / "generate.py", "k8s_generate_uids")


@pytest.fixture(scope="module")
def generator():
    return load_module(K8S / "generate.py", "k8s_generate")


@pytest.fixture(scope="module")
def chart_objects() -> list[dict[str, Any]]:
    return [doc for path in sorted((CHART / "files").glob("*.yaml")) for doc in load_all_yaml(path)]


@pytest.fixture(scope="module")
def rendered_chart(helm_bin: Path) -> list[dict[str, Any]]:
    """The agentotel-monitoring chart rendered by the real helm."""
    proc = subprocess.run([str(helm_bin), "template", "agentotel-monitoring", str(CHART), "--namespace", NAMESPACE],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


def app_objects() -> list[tuple[str, dict[str, Any]]]:
    return [(path.name, doc) for path in sorted(APP.glob("*.yaml")) for doc in load_all_yaml(path)]


def of_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def env_list(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def test_helm_renders_the_files_verbatim(rendered_chart, chart_objects):
    """Helm passes the manifests through untouched: alert templates' {{ }} are not evaluated."""
    assert rendered_chart == chart_objects


def test_helm_lint_accepts_the_chart(helm_bin):
    """`helm lint --strict` finds nothing wrong with agentotel-monitoring."""
    proc = subprocess.run([str(helm_bin), "lint", "--strict", str(CHART), "--namespace", NAMESPACE],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_chart_objects_match_their_schemas(rendered_chart, crd_dirs):
    """Each rendered object passes the Kubernetes schema of its kind or its CRD."""
    for obj in rendered_chart:
        assert validate_object(obj, crd_dirs) == [], f"{obj['kind']}/{obj['metadata']['name']}"


def test_app_manifests_match_their_schemas(crd_dirs):
    """The app Namespace, Deployments, Service and the Instrumentation pass their schemas."""
    objects = app_objects()
    assert {o["kind"] for _, o in objects} == {"Namespace", "Deployment", "Service", "Instrumentation"}
    for name, obj in objects:
        assert validate_object(obj, crd_dirs) == [], f"{name}: {obj['kind']}/{obj['metadata']['name']}"


def test_collector_monitors_match_their_crds(crd_dirs, chart_defaults):
    """The ServiceMonitor and PodMonitor the chart makes from our metricsEndpoints pass their CRDs."""
    from helmmerge import coalesce

    gateway = coalesce(chart_defaults, load_yaml(DEPLOY / "helm" / "gateway-values.yaml"))
    agent = coalesce(chart_defaults, load_yaml(DEPLOY / "helm" / "agent-values.yaml"))
    selector = {"matchLabels": {"app.kubernetes.io/name": "opentelemetry-collector"}}
    monitors = [
        {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
         "metadata": {"name": "agentotel-collector", "labels": gateway["serviceMonitor"]["extraLabels"]},
         "spec": {"selector": selector, "endpoints": gateway["serviceMonitor"]["metricsEndpoints"]}},
        {"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
         "metadata": {"name": "agentotel-agent", "labels": agent["podMonitor"]["extraLabels"]},
         "spec": {"selector": selector, "podMetricsEndpoints": agent["podMonitor"]["metricsEndpoints"]}},
    ]
    for monitor in monitors:
        assert validate_object(monitor, crd_dirs) == [], monitor["kind"]


def test_prometheus_rules_equal_the_rules_files(generator, chart_objects):
    """Each PrometheusRule's spec is exactly one rules file of monitoring/rules/."""
    rules = {o["metadata"]["name"]: o["spec"] for o in of_kind(chart_objects, "PrometheusRule")}
    assert set(rules) == set(generator.RULE_FILES)
    for name, path in generator.RULE_FILES.items():
        assert rules[name] == load_yaml(path), name
        assert rules[name]["groups"], f"{path.name} has no groups"


def test_dashboard_configmaps_equal_the_dashboards(generator, chart_objects):
    """One sidecar-labelled ConfigMap per dashboard, holding that dashboard's JSON minus only its
    links into Explore on datasources the cluster lacks (Jaeger)."""
    maps = [m for m in of_kind(chart_objects, "ConfigMap") if m["metadata"]["labels"].get("grafana_dashboard") == "1"]
    files = generator.dashboard_files()
    assert files, "monitoring/dashboards has no dashboards"
    assert len(maps) == len(files)
    by_key = {key: text for m in maps for key, text in m["data"].items()}
    dropped = generator.dropped_datasources()
    assert dropped == {"jaeger"}
    for path in files:
        source = json.loads(path.read_text())
        shipped = json.loads(by_key[path.name])
        assert shipped == generator.without_explore_links_to(source, dropped), path.name
        if shipped == source:
            assert by_key[path.name] == path.read_text(), f"{path.name} is reformatted although unchanged"
        # Every Explore link of the source that opens Tempo is still there.
        assert explore_links(shipped, "tempo") == explore_links(source, "tempo"), path.name
    assert any(explore_links(json.loads(p.read_text()), "jaeger") for p in files), \
        "no dashboard links to Jaeger: this check tests nothing"
    for m in maps:
        assert m["metadata"]["annotations"]["grafana_folder"] == generator.dashboard_folder()
        assert len(yaml.safe_dump(m)) < 1_000_000, "a ConfigMap holds at most 1 MiB"


def test_grafana_sidecar_finds_our_configmaps(chart_objects):
    """kube-prometheus-stack's sidecars look for exactly the labels and annotation our ConfigMaps carry."""
    sidecar = load_yaml(K8S / "values" / "kube-prometheus-stack.yaml")["grafana"]["sidecar"]
    labels = [m["metadata"]["labels"] for m in of_kind(chart_objects, "ConfigMap")]
    dashboards = sidecar["dashboards"]
    assert sum(1 for l in labels if l.get(dashboards["label"]) == dashboards["labelValue"]) >= 1
    assert dashboards["folderAnnotation"] == "grafana_folder"
    datasources = sidecar["datasources"]
    assert sum(1 for l in labels if l.get(datasources["label"]) == datasources["labelValue"]) == 1


def explore_links(value: Any, uid: str) -> list[str]:
    """URLs of the links into Explore that open datasource `uid`."""
    generator = K8S_GENERATOR
    found: list[str] = []
    if isinstance(value, dict):
        url = value.get("url")
        if isinstance(url, str) and uid in generator.explore_datasources(url):
            found.append(url)
        for item in value.values():
            found += explore_links(item, uid)
    elif isinstance(value, list):
        for item in value:
            found += explore_links(item, uid)
    return found


def datasource_uids(value: Any) -> set[str]:
    """Every datasource uid a dashboard or datasource refers to, links into Explore included
    (template variables excluded)."""
    found: set[str] = set()
    if isinstance(value, dict):
        source = value.get("datasource")
        if isinstance(source, dict) and isinstance(source.get("uid"), str):
            found.add(source["uid"])
        if isinstance(value.get("datasourceUid"), str):
            found.add(value["datasourceUid"])
        if isinstance(value.get("url"), str):
            found |= K8S_GENERATOR.explore_datasources(value["url"])
        for item in value.values():
            found |= datasource_uids(item)
    elif isinstance(value, list):
        for item in value:
            found |= datasource_uids(item)
    return {uid for uid in found if not uid.startswith("$") and uid not in ("grafana", "-- Grafana --")}


def test_cluster_datasources_serve_every_dashboard(generator, chart_objects):
    """Every datasource the dashboards and datasource links use is provisioned, at a Service the helmfile installs."""
    datasource_map = next(m for m in of_kind(chart_objects, "ConfigMap") if "grafana_datasource" in m["metadata"]["labels"])
    sources = yaml.safe_load(next(iter(datasource_map["data"].values())))["datasources"]
    provisioned = {s["uid"] for s in sources}
    used = datasource_uids(sources)
    for dashboard in of_kind(chart_objects, "ConfigMap"):
        if dashboard["metadata"]["labels"].get("grafana_dashboard") == "1":
            for text in dashboard["data"].values():
                used |= datasource_uids(json.loads(text))
    assert used, "the dashboards name no datasource"
    assert used <= provisioned, f"used but not provisioned in the cluster: {sorted(used - provisioned)}"
    for source in sources:
        assert source["url"] == generator.CLUSTER_URLS[source["type"]]
        assert f".{NAMESPACE}.svc.cluster.local" in source["url"]


def test_alertmanager_routing_is_the_shipped_config(generator, chart_objects):
    """kube-prometheus-stack's Alertmanager reads the Secret that holds alertmanager.yml unchanged."""
    secret = next(o for o in of_kind(chart_objects, "Secret"))
    spec = load_yaml(K8S / "values" / "kube-prometheus-stack.yaml")["alertmanager"]["alertmanagerSpec"]
    assert spec["useExistingSecret"] is True and spec["configSecret"] == secret["metadata"]["name"]
    assert secret["stringData"]["alertmanager.yaml"] == generator.ALERTMANAGER_CONFIG.read_text()


def test_shipped_alertmanager_config_passes_amtool(chart_objects, tmp_path):
    """amtool accepts the configuration exactly as the Secret carries it."""
    secret = next(o for o in of_kind(chart_objects, "Secret"))
    config = tmp_path / "alertmanager.yaml"
    config.write_text(secret["stringData"]["alertmanager.yaml"])
    proc = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_prometheus_rules_pass_promtool(chart_objects, tmp_path):
    """promtool accepts the rule groups exactly as the PrometheusRules carry them."""
    for rule in of_kind(chart_objects, "PrometheusRule"):
        path = tmp_path / f"{rule['metadata']['name']}.yaml"
        path.write_text(yaml.safe_dump(rule["spec"], sort_keys=False))
        proc = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_app_sends_to_the_gateway_with_a_named_resource():
    """The example Deployment exports OTLP/HTTP to the gateway Service and names its service and environment."""
    deployment = next(o for name, o in app_objects() if name == "deployment.yaml" and o["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env = env_list(container)
    assert container["command"][0] == "opentelemetry-instrument"
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == f"http://{GATEWAY_SERVICE}:4318"
    assert env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
    assert env["OTEL_SERVICE_NAME"]
    for signal in ("TRACES", "METRICS", "LOGS"):
        assert env[f"OTEL_{signal}_EXPORTER"] == "otlp"
    attributes = dict(pair.split("=", 1) for pair in env["OTEL_RESOURCE_ATTRIBUTES"].split(","))
    assert attributes["deployment.environment.name"]
    assert attributes["k8s.pod.uid"] == "$(K8S_POD_UID)"


def test_app_env_references_are_defined_before_use():
    """Every $(VAR) in the app's env names a variable defined earlier in the list (Kubernetes expands no others)."""
    for name, obj in app_objects():
        if obj["kind"] != "Deployment":
            continue
        for container in obj["spec"]["template"]["spec"]["containers"]:
            defined: set[str] = set()
            for var in container.get("env", []):
                for ref in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", var.get("value", "")):
                    assert ref in defined, f"{name}: {var['name']} uses $({ref}) before it is defined"
                defined.add(var["name"])


def test_operator_injection_targets_our_instrumentation():
    """The operator variant's annotation names the Instrumentation in its namespace, which exports to the gateway."""
    objects = app_objects()
    instrumentation = next(o for _, o in objects if o["kind"] == "Instrumentation")
    deployment = next(o for name, o in objects if name == "deployment-operator.yaml")
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["instrumentation.opentelemetry.io/inject-python"] == instrumentation["metadata"]["name"]
    assert deployment["metadata"]["namespace"] == instrumentation["metadata"]["namespace"]
    assert instrumentation["spec"]["exporter"]["endpoint"] == f"http://{GATEWAY_SERVICE}:4318"
    python_env = {e["name"]: e["value"] for e in instrumentation["spec"]["python"]["env"]}
    assert python_env["OTEL_PYTHON_DISTRO"] == "agentotel"
