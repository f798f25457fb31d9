"""The gateway and agent values for the official opentelemetry-collector chart 0.170.0.

The chart itself cannot be fetched here, so its two inputs stand in for it: values.yaml (the defaults
our values are deep-merged over) and values.schema.json (what Helm checks the merged values against).
The merge is done twice: by our re-implementation of Helm's rules and by the real helm CLI on a
stand-in chart built from those two files; then the merged collector config goes through the real
collector's `validate`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from deploy_support import DEPLOY, REPO, load_module, load_yaml
from helmmerge import coalesce

HELM = DEPLOY / "helm"
VALUES = {"gateway": HELM / "gateway-values.yaml", "agent": HELM / "agent-values.yaml"}
NAMESPACE = "observability"
PIPELINES = ("traces", "metrics", "logs")
ENV_REF = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def values_of(name: str) -> dict[str, Any]:
    return load_yaml(VALUES[name])


def env_of(values: dict[str, Any]) -> dict[str, str]:
    """The container environment the chart sets from extraEnvs (plus the pod IP it always sets)."""
    env = {"MY_POD_IP": "10.0.0.7"}
    env.update({e["name"]: e["value"] for e in values.get("extraEnvs", []) if "value" in e})
    return env


def expand(text: str, env: dict[str, str]) -> str:
    """Resolve ${env:VAR:-default} the way the collector's env provider does."""
    return ENV_REF.sub(lambda m: env.get(m.group(1), m.group(2) if m.group(2) is not None else ""), text)


def port_of(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def generator():
    return load_module(HELM / "generate.py", "helm_generate")


@pytest.fixture(scope="module", params=sorted(VALUES))
def merged(request, chart_defaults) -> tuple[str, dict[str, Any]]:
    """(name, values after Helm's deep merge over the chart defaults) for each values file."""
    return request.param, coalesce(chart_defaults, values_of(request.param))


def render_standin(helm_bin: Path, chart_reference: Path, tmp_path: Path, values: Path) -> dict[str, Any]:
    """Merge `values` over the chart defaults with the real helm; returns the merged values."""
    chart = tmp_path / "opentelemetry-collector"
    (chart / "templates").mkdir(parents=True)
    for name in ("Chart.yaml", "values.yaml", "values.schema.json"):
        shutil.copy(chart_reference / name, chart / name)
    (chart / "templates" / "values.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: merged-values\n"
        "data:\n  values.yaml: {{ toYaml .Values | quote }}\n"
    )
    proc = subprocess.run([str(helm_bin), "template", "standin", str(chart), "--namespace", NAMESPACE, "-f", str(values)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"helm rejected {values.name}:\n{proc.stderr}"
    return yaml.safe_load(yaml.safe_load(proc.stdout)["data"]["values.yaml"])


def test_gateway_runs_exactly_our_collector_config(generator, chart_defaults):
    """After the chart's deep merge, the gateway's config is config.yaml + production.yaml, no chart default left."""
    base = load_yaml(REPO / "collector" / "config.yaml")
    overlay = load_yaml(REPO / "collector" / "overlays" / "production.yaml")
    gateway = load_yaml(REPO / "collector" / "overlays" / "gateway.yaml")
    config = coalesce(chart_defaults, values_of("gateway"))["config"]
    assert config == generator.collector_config()
    assert set(config["receivers"]) == set(base["receivers"]) | set(gateway["receivers"])
    assert set(config["exporters"]) == set(base["exporters"]) | set(gateway["exporters"])
    assert config["service"]["pipelines"]["metrics/owned"] == gateway["service"]["pipelines"]["metrics/owned"]
    assert config["service"]["pipelines"]["traces"]["exporters"] == overlay["service"]["pipelines"]["traces"]["exporters"]
    assert config["service"]["pipelines"]["logs"]["exporters"] == overlay["service"]["pipelines"]["logs"]["exporters"]


def test_merged_values_satisfy_the_chart_schema(merged, chart_reference):
    """Merged values pass the chart's values.schema.json and the checks its templates make."""
    name, values = merged
    schema = load_yaml(chart_reference / "values.schema.json")
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(values), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)
    assert values["mode"] in ("deployment", "daemonset", "statefulset"), "the chart refuses an empty mode"
    assert values["image"]["repository"], "the chart refuses an unset image.repository"


@pytest.mark.parametrize("name", sorted(VALUES))
def test_real_helm_merges_and_accepts_the_values(name, helm_bin, chart_reference, chart_defaults, tmp_path):
    """The helm CLI validates the values against the chart schema and merges them as our checks assume."""
    assert render_standin(helm_bin, chart_reference, tmp_path, VALUES[name]) == coalesce(chart_defaults, values_of(name))


def test_merged_collector_config_is_valid(merged, validate_config):
    """The collector accepts the merged config under the environment the pod gets."""
    name, values = merged
    proc = validate_config(values["config"], name, env_of(values))
    assert proc.returncode == 0, f"{name}: collector validate failed:\n{proc.stderr}"


def test_config_has_no_helm_template_syntax(merged):
    """The chart passes `config` through tpl, so it must not contain '{{'."""
    name, values = merged
    assert "{{" not in yaml.safe_dump(values["config"]), f"{name}: '{{{{' in config would be templated by the chart"


def test_pipelines_start_with_memory_limiter(merged):
    """Every pipeline starts with memory_limiter; traces and logs have no batch processor (their
    persistent queue batches, so nothing acknowledged is lost in a crash); a batch processor is last."""
    name, values = merged
    for pipeline, spec in values["config"]["service"]["pipelines"].items():
        processors = spec["processors"]
        assert processors[0] == "memory_limiter", f"{name}/{pipeline}"
        if pipeline.split("/")[0] in ("traces", "logs"):
            assert "batch" not in processors, f"{name}/{pipeline}"
        if "batch" in processors:
            assert processors[-1] == "batch", f"{name}/{pipeline}"


def test_kubernetes_attributes_preset_covers_every_pipeline(merged):
    """The k8s_attributes preset is on, and it only augments pipelines named traces, metrics and
    logs: those are the ones that receive from applications (the gateway's metrics/owned receives
    from its peers, with the attributes already added, and from span_metrics)."""
    name, values = merged
    assert values["presets"]["kubernetesAttributes"]["enabled"] is True
    pipelines = values["config"]["service"]["pipelines"]
    assert set(PIPELINES) <= set(pipelines), name
    for pipeline, spec in pipelines.items():
        if pipeline not in PIPELINES:
            assert "otlp" not in spec["receivers"], f"{name}/{pipeline} receives from apps without pod attributes"


def test_chart_default_receivers_and_ports_are_gone(merged):
    """Neither the Jaeger/Zipkin/Prometheus receivers nor their ports survive the merge."""
    name, values = merged
    assert set(values["config"]["receivers"]) <= {"otlp", "otlp/peers"}, name
    assert "debug" not in values["config"].get("exporters", {}), name
    for port in ("jaeger-compact", "jaeger-thrift", "jaeger-grpc", "zipkin"):
        assert values["ports"][port]["enabled"] is False, f"{name}: port {port}"


def test_memory_limit_drives_gomemlimit(merged):
    """A memory limit is set and the chart derives GOMEMLIMIT from it."""
    name, values = merged
    assert values["useGOMEMLIMIT"] is True
    assert re.fullmatch(r"\d+(Mi|Gi)", values["resources"]["limits"]["memory"]), name


def test_persistent_queue_is_on_a_mounted_volume(merged):
    """file_storage writes inside a mounted volume and every trace and log exporter queues through it
    (metrics are cumulative: the next export carries what a lost one had, so they queue in memory)."""
    name, values = merged
    config, env = values["config"], env_of(values)
    directory = expand(config["extensions"]["file_storage"]["directory"], env)
    mounts = {m["mountPath"]: m["name"] for m in values["extraVolumeMounts"]}
    volumes = {v["name"] for v in values["extraVolumes"]}
    mount = next((path for path in mounts if directory == path or directory.startswith(path + "/")), None)
    assert mount is not None, f"{name}: {directory} is not on a mounted volume"
    assert mounts[mount] in volumes
    assert "file_storage" in config["service"]["extensions"]
    used = {e for name_, p in config["service"]["pipelines"].items() if not name_.startswith("metrics")
            for e in p["exporters"]}
    for exporter in used & set(config["exporters"]):
        queue = (config["exporters"][exporter] or {}).get("sending_queue")
        if queue is not None:
            assert queue.get("storage") == "file_storage", f"{name}: {exporter} queue is in memory"


def test_gateway_listens_where_service_probes_and_servicemonitor_look(chart_defaults):
    """Receivers, health check and metrics endpoints resolve to the enabled ports, probes and scrape targets."""
    values = coalesce(chart_defaults, values_of("gateway"))
    config, env = values["config"], env_of(values)
    enabled = {name: p["containerPort"] for name, p in values["ports"].items() if p["enabled"]}
    protocols = config["receivers"]["otlp"]["protocols"]
    assert port_of(expand(protocols["grpc"]["endpoint"], env)) == enabled["otlp"] == 4317
    assert port_of(expand(protocols["http"]["endpoint"], env)) == enabled["otlp-http"] == 4318
    assert port_of(expand(config["exporters"]["prometheus"]["endpoint"], env)) == enabled["prometheus"]
    reader = config["service"]["telemetry"]["metrics"]["readers"][0]["pull"]["exporter"]["prometheus"]
    assert int(expand(str(reader["port"]), env)) == enabled["metrics"]
    for endpoint in (protocols["grpc"]["endpoint"], protocols["http"]["endpoint"],
                     config["exporters"]["prometheus"]["endpoint"]):
        assert not expand(endpoint, env).startswith(("localhost", "127.")), "unreachable from other pods"
    health = port_of(expand(config["extensions"]["health_check"]["endpoint"], env))
    assert values["livenessProbe"]["httpGet"]["port"] == values["readinessProbe"]["httpGet"]["port"] == health
    assert values["serviceMonitor"]["enabled"] is True
    assert {e["port"] for e in values["serviceMonitor"]["metricsEndpoints"]} == {"metrics", "prometheus"}


def test_gateway_keeps_capacity_through_disruptions(chart_defaults):
    """More than one replica, and the PodDisruptionBudget keeps at least one serving."""
    values = coalesce(chart_defaults, values_of("gateway"))
    assert values["mode"] == "deployment"
    assert values["podDisruptionBudget"]["enabled"] is True
    assert 1 <= values["podDisruptionBudget"]["minAvailable"] < values["replicaCount"]


def test_gateway_exporters_point_at_the_stack_backends(chart_defaults):
    """Tempo and Loki endpoints name the services that deploy/k8s/helmfile.yaml installs."""
    values = coalesce(chart_defaults, values_of("gateway"))
    config, env = values["config"], env_of(values)
    assert expand(config["exporters"]["otlp_grpc/tempo"]["endpoint"], env) == f"tempo.{NAMESPACE}.svc.cluster.local:4317"
    assert expand(config["exporters"]["otlp_http/loki"]["endpoint"], env) == f"http://loki-gateway.{NAMESPACE}.svc.cluster.local/otlp"
    assert expand(config["processors"]["resource"]["attributes"][0]["value"], env) == "production"


def test_agent_forwards_everything_to_the_gateway_service(chart_defaults):
    """The agent DaemonSet sends every signal to the gateway Service's OTLP/gRPC port."""
    agent = coalesce(chart_defaults, values_of("agent"))
    gateway = coalesce(chart_defaults, values_of("gateway"))
    assert agent["mode"] == "daemonset"
    endpoint = expand(agent["config"]["exporters"]["otlp_grpc/gateway"]["endpoint"], env_of(agent))
    assert endpoint == f"{gateway['fullnameOverride']}.{NAMESPACE}.svc.cluster.local:{gateway['ports']['otlp']['servicePort']}"
    for pipeline in PIPELINES:
        assert agent["config"]["service"]["pipelines"][pipeline]["exporters"] == ["otlp_grpc/gateway"]
    assert agent["ports"]["otlp"]["hostPort"] == 4317 and agent["ports"]["otlp-http"]["hostPort"] == 4318
