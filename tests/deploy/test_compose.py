"""deploy/compose/compose.yaml: the stack for users with Docker.

`docker compose config` is not available here (the Docker CLI has no compose plugin and there is no
engine), so the file is checked against the Compose Specification's JSON schema with
check-jsonschema, and what `docker compose up` would need is checked directly: mounted files exist,
images are pinned, the collector config it mounts validates, Prometheus' config passes promtool.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy_support import DEPLOY, REPO, load_yaml

COMPOSE_DIR = DEPLOY / "compose"
COMPOSE = COMPOSE_DIR / "compose.yaml"
IN_CONTAINER_CONFIG = re.compile(r"--config=(\S+)")
COMPOSE_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_yaml(COMPOSE)


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    return compose["services"]


def bind_mounts(service: dict[str, Any]) -> dict[str, Path]:
    """Container path -> host path of each bind mount (named volumes are skipped)."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            mounts[target] = (COMPOSE_DIR / source).resolve()
    return mounts


def interpolate(value: Any) -> str:
    """Compose's ${VAR:-default} interpolation, with nothing set in the user's environment."""
    return COMPOSE_VARIABLE.sub(lambda m: m.group(2) or "", str(value))


def collector_layering(service: dict[str, Any]) -> list[Path]:
    """The repository files behind the collector's --config arguments, in order."""
    mounts = bind_mounts(service)
    return [mounts[m.group(1)] for arg in service["command"] if (m := IN_CONTAINER_CONFIG.match(arg))]


def test_compose_file_follows_the_compose_specification():
    """check-jsonschema validates compose.yaml against the Compose Specification schema."""
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_stack_has_every_component(services):
    """Collector, Jaeger, Tempo, Loki, Prometheus, Alertmanager and Grafana are all there."""
    assert {"collector", "jaeger", "tempo", "loki", "prometheus", "alertmanager", "grafana"} <= set(services)


def test_every_mounted_file_exists_in_the_repository(services):
    """Each bind mount names a file or folder of this repository."""
    for name, service in services.items():
        for target, source in bind_mounts(service).items():
            assert source.exists(), f"{name}: {source} (mounted at {target}) does not exist"
            assert REPO in source.parents, f"{name}: {source} is outside the repository"


def test_images_are_pinned(services):
    """Every image names an exact version tag, never latest."""
    for name, service in services.items():
        image = service["image"]
        assert re.fullmatch(r"[\w./-]+:v?\d+\.\d+\.\d+", image), f"{name}: {image} is not pinned"


def test_ports_are_published_on_loopback_only(services):
    """No port is reachable from outside the machine."""
    for name, service in services.items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name}: {port}"


def test_named_volumes_are_declared(compose, services):
    """Each named volume a service mounts is declared at the top level."""
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith("."):
                assert source in compose["volumes"], f"{name}: volume {source} is not declared"


def test_collector_image_matches_our_distribution(services):
    """The collector image is our distribution's, under the name and tag collector/image.sh gives it."""
    dist = load_yaml(REPO / "collector" / "builder-config.yaml")["dist"]["version"]
    assert services["collector"]["image"] == f"ghcr.io/agentotel/agentotel-collector:{dist}"
    assert 'IMAGE_REF="${IMAGE_REF:-ghcr.io/agentotel/agentotel-collector:$version}"' in \
        (REPO / "collector" / "image.sh").read_text()


# The Compose image of each backend and the chart (deploy/k8s/helmfile.yaml) whose appVersion, or
# whose values' image tag, Kubernetes runs.
K8S_VERSIONS = {
    "tempo": ("grafana/tempo", "helm-tempo-2.2.4", ("appVersion",)),
    "loki": ("grafana/loki", "helm-loki-18.11.0", ("appVersion",)),
    "grafana": ("grafana/grafana", "helm-kube-prometheus-stack-88.5.3/charts/grafana", ("appVersion",)),
    "prometheus": ("prom/prometheus", "helm-kube-prometheus-stack-88.5.3",
                   ("values", "prometheus", "prometheusSpec", "image", "tag")),
    "alertmanager": ("prom/alertmanager", "helm-kube-prometheus-stack-88.5.3",
                     ("values", "alertmanager", "alertmanagerSpec", "image", "tag")),
}


@pytest.mark.parametrize("service", sorted(K8S_VERSIONS))
def test_compose_runs_the_versions_kubernetes_deploys(services, service, chart_reference):
    """Each backend's Compose image is the version the pinned Kubernetes chart runs."""
    repository, folder, path = K8S_VERSIONS[service]
    chart = chart_reference.parent / folder
    source = load_yaml(chart / ("values.yaml" if path[0] == "values" else "Chart.yaml"))
    for key in path[1:] if path[0] == "values" else path:
        source = source[key]
    version = str(source).removesuffix("-distroless")
    image, tag = services[service]["image"].rsplit(":", 1)
    assert image == repository
    assert tag.lstrip("v") == version.lstrip("v"), f"{service}: Compose {tag}, Kubernetes {version}"


def test_tempo_generates_the_service_graph_into_prometheus(services):
    """Tempo's metrics generator writes service-graph series to Prometheus, which accepts remote writes."""
    tempo = load_yaml(bind_mounts(services["tempo"])["/etc/tempo/tempo.yaml"])
    assert tempo["overrides"]["defaults"]["metrics_generator"]["processors"] == ["service-graphs"]
    urls = [w["url"] for w in tempo["metrics_generator"]["storage"]["remote_write"]]
    port = next(p for p in services["prometheus"]["ports"]).rsplit(":", 1)[1]
    assert urls == [f"http://prometheus:{port}/api/v1/write"]
    assert "--web.enable-remote-write-receiver" in services["prometheus"]["command"]
    assert set(tempo["distributor"]["receivers"]) == {"otlp"}


def test_collector_config_layering_is_valid(services, collector_bin):
    """The collector accepts the mounted layering (base, production, compose overlay) with the Compose env."""
    collector = services["collector"]
    layering = collector_layering(collector)
    assert layering[:2] == [REPO / "collector" / "config.yaml", REPO / "collector" / "overlays" / "production.yaml"]
    env = {**os.environ, **{k: interpolate(v) for k, v in collector["environment"].items()}}
    args = [str(collector_bin), "validate"] + [f"--config={path}" for path in layering]
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_traces_reach_both_trace_stores(services):
    """The compose overlay exports traces to Tempo and Jaeger, keeping span_metrics."""
    overlay = load_yaml(collector_layering(services["collector"])[-1])
    exporters = overlay["service"]["pipelines"]["traces"]["exporters"]
    assert {"otlp_grpc/tempo", "otlp_grpc/jaeger", "span_metrics"} == set(exporters)


def test_collector_endpoints_name_compose_services(services):
    """Each backend endpoint the collector uses names a service that listens on that port."""
    env = services["collector"]["environment"]
    tempo = load_yaml(COMPOSE_DIR / "tempo" / "tempo.yaml")
    loki = load_yaml(COMPOSE_DIR / "loki" / "loki.yaml")
    assert env["TEMPO_OTLP_ENDPOINT"] == "tempo:" + tempo["distributor"]["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].split(":")[1]
    assert env["LOKI_OTLP_ENDPOINT"] == f"http://loki:{loki['server']['http_listen_port']}/otlp"
    jaeger_env = services["jaeger"]["environment"]
    assert env["JAEGER_OTLP_ENDPOINT"] == "jaeger:" + jaeger_env["JAEGER_OTLP_GRPC_ENDPOINT"].split(":")[1]
    jaeger_config = bind_mounts(services["jaeger"])["/etc/jaeger/agentotel.yaml"].read_text()
    for variable in jaeger_env:
        assert "${env:" + variable in jaeger_config, f"Jaeger's config does not read {variable}"
    for variable in ("OTELCOL_OTLP_GRPC_ENDPOINT", "OTELCOL_OTLP_HTTP_ENDPOINT"):
        assert env[variable].startswith("0.0.0.0:"), "receivers must accept other containers"


def test_prometheus_config_passes_promtool(services, tmp_path):
    """promtool accepts Prometheus' config together with the rules files it mounts."""
    prometheus = services["prometheus"]
    mounts = bind_mounts(prometheus)
    config = load_yaml(mounts["/etc/prometheus/prometheus.yml"])
    config["rule_files"] = [str(mounts[path]) for path in config["rule_files"]]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    proc = subprocess.run(["promtool", "check", "config", str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_prometheus_scrapes_the_collector_as_the_rules_expect(services):
    """Scrape jobs carry the job names our rules select on and reach the collector's metrics ports."""
    from monitoring.src import config as monitoring

    env = services["collector"]["environment"]
    jobs = {job["job_name"]: job["static_configs"][0]["targets"]
            for job in load_yaml(bind_mounts(services["prometheus"])["/etc/prometheus/prometheus.yml"])["scrape_configs"]}
    assert jobs[monitoring.APP_JOB] == ["collector:" + env["OTELCOL_PROMETHEUS_ENDPOINT"].split(":")[1]]
    assert jobs[monitoring.COLLECTOR_JOB] == ["collector:" + env["OTELCOL_TELEMETRY_PORT"]]
    assert "--enable-feature=exemplar-storage" in services["prometheus"]["command"]


def test_grafana_gets_our_provisioning_with_compose_urls(services):
    """Grafana mounts the generated datasources, our dashboard provider and the dashboards where the provider looks."""
    mounts = bind_mounts(services["grafana"])
    provider = load_yaml(mounts["/etc/grafana/provisioning/dashboards/agentotel.yaml"])["providers"][0]
    assert mounts[provider["options"]["path"]] == REPO / "monitoring" / "dashboards"
    datasources = load_yaml(mounts["/etc/grafana/provisioning/datasources/agentotel.yaml"])["datasources"]
    for source in datasources:
        host = source["url"].split("//")[1].split(":")[0]
        assert host in services, f"{source['name']}: {source['url']} names no service"
