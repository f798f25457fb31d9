"""Configs the stack generates or ships, checked with the real tools that read them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from agentotel_tools.stack import Ports
from agentotel_tools.stack.components import collector_env, render_prometheus_config, write_generated_configs, prometheus_config_path
from agentotel_tools.stack.layout import Layout


REPO = Path(__file__).resolve().parents[3]


@pytest.fixture()
def layout(tmp_path):
    return Layout.discover(tmp_path / "run", repo=REPO)


def test_prometheus_config_scrapes_both_collector_endpoints(layout):
    """Prometheus scrapes the app metrics exporter and the collector's own telemetry, every 5s."""
    ports = Ports.free()
    config = yaml.safe_load(render_prometheus_config(layout, ports))
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert targets == {
        "agentotel-collector": [f"127.0.0.1:{ports.collector_prometheus}"],
        "otelcol": [f"127.0.0.1:{ports.collector_telemetry}"],
    }
    assert config["global"]["scrape_interval"] == "5s"
    assert config["rule_files"] == [str(layout.repo / "monitoring" / "rules" / "*.rules.yaml")]


def test_promtool_accepts_the_generated_prometheus_config(layout):
    """The generated prometheus.yml passes `promtool check config` (rule files included)."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool is installed by deploy/local/build-backends.sh"
    write_generated_configs(layout, Ports.free())
    result = subprocess.run(
        [promtool, "check", "config", str(prometheus_config_path(layout))], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_jaeger_config_reads_its_endpoints_from_the_environment(layout):
    """deploy/local/jaeger.yaml takes every listen address from the variables the manager sets."""
    text = layout.jaeger_config.read_text()
    config = yaml.safe_load(text)
    assert config["service"]["pipelines"]["traces"]["receivers"] == ["otlp"]
    assert config["extensions"]["jaeger_query"]["enable_tracing"] is False
    assert "memory" in config["extensions"]["jaeger_storage"]["backends"]["memory_store"]
    for variable in ("JAEGER_OTLP_GRPC_ENDPOINT", "JAEGER_QUERY_HTTP_ENDPOINT", "JAEGER_QUERY_GRPC_ENDPOINT"):
        assert "${env:" + variable in text
    # Jaeger's own metrics would take port 8888, the collector's telemetry port.
    assert config["service"]["telemetry"]["metrics"]["level"] == "none"


def test_collector_environment_points_exporters_at_the_stack_backends(layout):
    """The collector's exporters are aimed at this stack's Jaeger and VictoriaLogs ports."""
    ports = Ports.free()
    env = collector_env(ports, layout)
    assert env["JAEGER_OTLP_ENDPOINT"] == f"127.0.0.1:{ports.jaeger_otlp_grpc}"
    assert env["VICTORIALOGS_OTLP_ENDPOINT"] == f"http://127.0.0.1:{ports.victorialogs_http}/insert/opentelemetry"
    assert env["OTELCOL_OTLP_GRPC_ENDPOINT"] == f"127.0.0.1:{ports.collector_otlp_grpc}"
    assert env["OTELCOL_STORAGE_DIR"].startswith(str(layout.run_dir))


def test_manager_sets_every_listen_address_the_collector_config_reads(layout):
    """Each collector listener and local exporter target is set by the manager, so a stack on free
    ports never falls back to a default port that another stack may hold."""
    text = "\n".join(path.read_text() for path in layout.collector_configs)
    read = set(re.findall(r"\$\{env:([A-Z0-9_]+)", text))
    needed = {
        name for name in read
        if re.fullmatch(r"OTELCOL_.*(ENDPOINT|HOST|PORT|DIR)", name)
    } | {"JAEGER_OTLP_ENDPOINT", "VICTORIALOGS_OTLP_ENDPOINT"}
    assert needed <= read, "the local overlay no longer reads the backends' endpoints"
    env = collector_env(Ports.free(), layout)
    assert needed <= set(env), sorted(needed - set(env))
