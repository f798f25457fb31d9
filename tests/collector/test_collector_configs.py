"""The builder manifest and the layered collector configs, checked with the built collector itself."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from tests.collector.collector_harness import BASE_CONFIG, BUILD_SCRIPT, MANIFEST, OVERLAYS

LAYERINGS = {
    "local": [BASE_CONFIG, OVERLAYS / "local.yaml"],
    "production": [BASE_CONFIG, OVERLAYS / "production.yaml"],
    "jaeger": [BASE_CONFIG, OVERLAYS / "jaeger.yaml"],
}
CONFIG_FILES = [BASE_CONFIG, *sorted(OVERLAYS.glob("*.yaml"))]

# The environment variables other parts of the project set, with the defaults they rely on.
ENV_CONTRACT = {
    "OTELCOL_OTLP_GRPC_ENDPOINT": "localhost:4317",
    "OTELCOL_OTLP_HTTP_ENDPOINT": "localhost:4318",
    "OTELCOL_HEALTH_ENDPOINT": "localhost:13133",
    "OTELCOL_PROMETHEUS_ENDPOINT": "localhost:8889",
    "OTELCOL_TELEMETRY_HOST": "localhost",
    "OTELCOL_TELEMETRY_PORT": "8888",
    "OTELCOL_PPROF_ENDPOINT": "localhost:1777",
    "OTELCOL_ZPAGES_ENDPOINT": "localhost:55679",
    "OTELCOL_STORAGE_DIR": "/var/lib/otelcol/storage",
    "DEPLOYMENT_ENVIRONMENT": "local",
    "JAEGER_OTLP_ENDPOINT": "localhost:14317",
    "TEMPO_OTLP_ENDPOINT": "tempo:4317",
    "LOKI_OTLP_ENDPOINT": "http://loki:3100/otlp",
    "VICTORIALOGS_OTLP_ENDPOINT": "http://localhost:9428/insert/opentelemetry",
}
SECRET_HEADERS = ("authorization", "x-api-key", "api-key", "x-goog-api-key")
ENV_REF = re.compile(r"\$\{env:([A-Z][A-Z0-9_]*):-([^}]*)\}")
ADDRESS_KEYS = {"endpoint", "host", "port", "directory"}
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without any variable the configs read, plus extra."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_CONTRACT and not k.startswith("OTELCOL_")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def print_config(collector_bin: Path):
    """The collector's own resolved view (merge + env substitution + defaults) of a layering."""

    @lru_cache(maxsize=None)
    def run(layering: str, env_items: tuple[tuple[str, str], ...] = ()) -> dict:
        args = [str(collector_bin), "print-config", "--mode", "unredacted", "--format", "json"]
        for cfg in LAYERINGS[layering]:
            args += ["--config", str(cfg)]
        proc = subprocess.run(args, env=clean_env(**dict(env_items)), capture_output=True, text=True,
                              timeout=60, check=True)
        return json.loads(proc.stdout)

    return run


def pipelines_of(cfg: dict, *signals: str) -> dict[str, dict]:
    return {name: p for name, p in cfg["service"]["pipelines"].items() if name.split("/")[0] in signals}


@pytest.mark.parametrize("redact", ["false", "true"], ids=["redaction-off", "redaction-on"])
@pytest.mark.parametrize("layering", sorted(LAYERINGS))
def test_layering_validates(validate, layering: str, redact: str):
    """Each supported layering passes `agentotel-collector validate`, with and without redaction."""
    proc = validate(LAYERINGS[layering], env=clean_env(OTELCOL_REDACT_GENAI_CONTENT=redact))
    assert proc.returncode == 0, proc.stderr


def test_base_alone_is_rejected(validate):
    """The base names no trace/log destination, so running it without an overlay fails loudly."""
    proc = validate([BASE_CONFIG], env=clean_env())
    assert proc.returncode != 0
    assert "traces: must have at least one exporter" in proc.stderr
    assert "logs: must have at least one exporter" in proc.stderr


def test_broken_ottl_is_caught_by_validate(validate, tmp_path: Path):
    """validate parses OTTL statements, so the validation tests above also guard our statements."""
    broken = tmp_path / "broken.yaml"
    broken.write_text('processors:\n  transform/scrub_secrets:\n    trace_statements:\n'
                      '      - delete_matching_keys(span.attributes, "x"\n')
    proc = validate([*LAYERINGS["local"], broken], env=clean_env())
    assert proc.returncode != 0
    assert "transform/scrub_secrets" in proc.stderr


@pytest.mark.parametrize("layering", sorted(LAYERINGS))
def test_memory_limiter_first_and_no_memory_batching_of_traces_and_logs(print_config, layering: str):
    """Every pipeline refuses data under memory pressure before doing work; metrics batch last, while
    traces and logs batch only in their exporters' persistent queue, so nothing acknowledged is held
    only in memory (a crash loses nothing)."""
    cfg = print_config(layering)
    for name, pipeline in cfg["service"]["pipelines"].items():
        assert pipeline["processors"][0] == "memory_limiter", name
        if name.split("/")[0] in ("traces", "logs"):
            assert "batch" not in pipeline["processors"], name
        else:
            assert pipeline["processors"][-1] == "batch", name
    stores = {e for p in pipelines_of(cfg, "traces", "logs").values() for e in p["exporters"]
              if e in cfg["exporters"] and e != "nop"}
    for name in stores:
        queue = cfg["exporters"][name]["sending_queue"]
        assert queue["storage"] == "file_storage" and queue["batch"]["max_size"] > 0, name


@pytest.mark.parametrize("layering", sorted(LAYERINGS))
def test_secrets_are_scrubbed_in_every_trace_and_log_pipeline(print_config, layering: str):
    """No trace or log pipeline can reach a store without the secret-scrubbing processor."""
    cfg = print_config(layering)
    statements = json.dumps(cfg["processors"]["transform/scrub_secrets"])
    for header in SECRET_HEADERS:
        assert header in statements
    assert 'url.full' in statements and 'url.query' in statements
    for name, pipeline in pipelines_of(cfg, "traces", "logs").items():
        assert "transform/scrub_secrets" in pipeline["processors"], name
        assert "transform/redact_genai_content" in pipeline["processors"], name


@pytest.mark.parametrize("layering", sorted(LAYERINGS))
def test_trace_and_log_exporters_queue_on_disk(print_config, layering: str):
    """Trace/log exporters retry and queue on file_storage (fsync on), so an outage loses nothing."""
    cfg = print_config(layering)
    assert "file_storage" in cfg["service"]["extensions"]
    assert cfg["extensions"]["file_storage"]["fsync"] is True
    exporters = {e for p in pipelines_of(cfg, "traces", "logs").values() for e in p["exporters"]}
    stores = {e for e in exporters if e in cfg["exporters"] and e != "nop"}
    assert stores, "no trace/log store in this layering"
    for name in stores:
        exporter = cfg["exporters"][name]
        assert exporter["sending_queue"]["storage"] == "file_storage", name
        assert exporter["retry_on_failure"]["enabled"] is True, name


@pytest.mark.parametrize("layering", sorted(LAYERINGS))
def test_span_metrics_reach_prometheus(print_config, layering: str):
    """Overlays replace exporter lists; each must keep feeding span_metrics into the metrics pipeline."""
    cfg = print_config(layering)
    assert "span_metrics" in cfg["service"]["pipelines"]["traces"]["exporters"]
    metrics = cfg["service"]["pipelines"]["metrics"]
    assert "span_metrics" in metrics["receivers"] and metrics["exporters"] == ["prometheus"]
    assert "transform/resource_to_datapoints" in metrics["processors"]
    connector = cfg["connectors"]["span_metrics"]
    assert [d["name"] for d in connector["dimensions"]] == [
        "gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.agent.name"]
    assert connector["exemplars"]["enabled"] is True
    assert cfg["exporters"]["prometheus"]["enable_open_metrics"] is True


def test_destinations_per_layering(print_config):
    """local -> Jaeger + VictoriaLogs, production -> Tempo + Loki, jaeger -> Jaeger only."""
    expected = {
        "local": ("otlp_grpc/jaeger", "otlp_http/victorialogs"),
        "production": ("otlp_grpc/tempo", "otlp_http/loki"),
        "jaeger": ("otlp_grpc/jaeger", "nop"),
    }
    for layering, (traces, logs) in expected.items():
        pipelines = print_config(layering)["service"]["pipelines"]
        assert pipelines["traces"]["exporters"] == [traces, "span_metrics"], layering
        assert pipelines["logs"]["exporters"] == [logs], layering
    prod = print_config("production")["exporters"]
    assert prod["otlp_http/loki"]["endpoint"] == "http://loki:3100/otlp"
    assert print_config("local")["exporters"]["otlp_http/victorialogs"]["endpoint"].endswith(
        "/insert/opentelemetry")


def _address_values(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ADDRESS_KEYS and not isinstance(value, (dict, list)):
                yield ".".join(path + (key,)), value
            yield from _address_values(value, path + (key,))
    elif isinstance(node, list):
        for item in node:
            yield from _address_values(item, path)


@pytest.mark.parametrize("config", CONFIG_FILES, ids=lambda p: p.name)
def test_every_address_comes_from_env(config: Path):
    """Every endpoint, host, port and directory is ${env:VAR:-default}, so deployments need no edits."""
    values = list(_address_values(yaml.safe_load(config.read_text())))
    for where, value in values:
        assert isinstance(value, str) and ENV_REF.fullmatch(value), f"{config.name}: {where} = {value!r}"


def test_env_var_contract():
    """The variable names and defaults that scripts, deploy manifests and docs depend on."""
    refs = {}
    for name, default in ENV_REF.findall(BASE_CONFIG.read_text()):
        assert refs.setdefault(name, default) == default, f"{name} has two defaults in the base"
    for name, default in ENV_CONTRACT.items():
        assert refs.get(name) == default, name


def test_debug_endpoints_default_to_loopback(print_config):
    """pprof and zpages expose internals, so by default they listen on loopback only."""
    extensions = print_config("production")["extensions"]
    for name in ("pprof", "zpages"):
        host = extensions[name]["endpoint"].rsplit(":", 1)[0]
        assert host in LOOPBACK_HOSTS, name


def test_listeners_can_bind_all_interfaces(print_config):
    """In Kubernetes, setting the endpoint variables to 0.0.0.0 exposes receivers, probes and metrics."""
    env = {
        "OTELCOL_OTLP_GRPC_ENDPOINT": "0.0.0.0:4317",
        "OTELCOL_OTLP_HTTP_ENDPOINT": "0.0.0.0:4318",
        "OTELCOL_HEALTH_ENDPOINT": "0.0.0.0:13133",
        "OTELCOL_PROMETHEUS_ENDPOINT": "0.0.0.0:8889",
        "OTELCOL_TELEMETRY_HOST": "0.0.0.0",
        "OTELCOL_TELEMETRY_PORT": "9888",
    }
    cfg = print_config("production", tuple(sorted(env.items())))
    protocols = cfg["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"] == "0.0.0.0:4317"
    assert protocols["http"]["endpoint"] == "0.0.0.0:4318"
    assert cfg["extensions"]["health_check"]["endpoint"] == "0.0.0.0:13133"
    assert cfg["exporters"]["prometheus"]["endpoint"] == "0.0.0.0:8889"
    reader = cfg["service"]["telemetry"]["metrics"]["readers"][0]["pull"]["exporter"]["prometheus"]
    assert (reader["host"], reader["port"]) == ("0.0.0.0", 9888)


# Contrib modules with their own stable version line, and the release whose go.mod they carry:
# k8sattributesprocessor v1.0.0 requires contrib v0.161.0 / core v1.67.0.
OWN_STABLE_VERSIONS = {
    "github.com/open-telemetry/opentelemetry-collector-contrib/processor/k8sattributesprocessor": "v1.0.0",
}
# Components the opentelemetry-collector chart's presets add to the configs it renders (deploy/helm).
CHART_PRESET_COMPONENTS = {"processors": {"k8s_attributes"}}


def test_manifest_pins_one_release():
    """Every builder module (and ocb itself) is pinned to one collector release; no collector module
    is replaced (the one replace is a dependency the Go module proxy serves in another version)."""
    manifest = yaml.safe_load(MANIFEST.read_text())
    assert manifest["dist"]["name"] == "agentotel-collector"
    for replace in manifest.get("replaces", []):
        assert "opentelemetry" not in replace.split("=>")[0], replace
    modules = [m["gomod"] for kind in ("receivers", "processors", "exporters", "connectors", "extensions",
                                       "providers") for m in manifest[kind]]
    modules.append(manifest["telemetry"]["gomod"])
    for module, version in OWN_STABLE_VERSIONS.items():
        assert f"{module} {version}" in modules
    versions = {m.split()[1] for m in modules if m.split()[0] not in OWN_STABLE_VERSIONS}
    unstable = {v for v in versions if v.startswith("v0.")}
    stable = {v for v in versions if v.startswith("v1.")}
    assert len(unstable) == 1 and len(stable) == 1 and versions == unstable | stable, versions
    ocb_version = re.search(r'^OCB_VERSION="(v[0-9.]+)"', BUILD_SCRIPT.read_text(), re.M).group(1)
    assert unstable == {ocb_version}
    assert manifest["dist"]["version"] == ocb_version.lstrip("v")


def test_distribution_has_exactly_the_components_configs_use(collector_bin: Path):
    """The binary carries every component our configs and the chart's presets name, and nothing else."""
    out = subprocess.run([str(collector_bin), "components"], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    built = yaml.safe_load(out)
    used: dict[str, set[str]] = {}
    for config in CONFIG_FILES:
        doc = yaml.safe_load(config.read_text())
        for kind in ("receivers", "processors", "exporters", "connectors", "extensions"):
            used.setdefault(kind, set()).update(key.split("/")[0] for key in (doc.get(kind) or {}))
    for kind, names in CHART_PRESET_COMPONENTS.items():
        used[kind] |= names
    for kind, names in used.items():
        assert {c["name"] for c in built.get(kind) or []} == names, kind
    assert {"env", "file"} <= {p["scheme"] for p in built["providers"]}


def test_build_script_is_idempotent(collector_bin: Path):
    """A second build with an unchanged manifest is a quick no-op that prints the same binary path."""
    start = time.monotonic()
    proc = subprocess.run(["bash", str(BUILD_SCRIPT)], capture_output=True, text=True, timeout=120, check=True)
    assert proc.stdout.strip().splitlines()[-1] == str(collector_bin)
    assert "up to date" in proc.stderr
    assert time.monotonic() - start < 30
