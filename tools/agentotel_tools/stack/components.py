"""How each component of the local stack is started and how its health is checked.

The stack is four processes on loopback: the agentotel collector, and the three backends it
exports to, which run on the machine from source-built or packaged binaries:

- ``victoria-logs``: the log store (OTLP logs in, LogsQL out);
- ``jaeger``: Jaeger v2 all-in-one with in-memory storage (OTLP traces in, HTTP query API out);
- ``prometheus``: scrapes the collector's prometheus exporter and its own telemetry;
- ``collector``: ``collector/config.yaml`` with the ``overlays/local.yaml`` overlay, its endpoints
  passed through the environment variables that config reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from .layout import Layout
from .ports import Ports, hostport, url

#: Start order. The backends come first so that the collector's exporters find them ready.
COMPONENTS = ("victoria-logs", "jaeger", "prometheus", "collector")
#: The binary each component runs (in ``$AGENTOTEL_CACHE/bin`` or on PATH).
BINARIES = {
    "victoria-logs": "victoria-logs",
    "jaeger": "jaeger",
    "prometheus": "prometheus",
    "collector": "agentotel-collector",
}
#: Value of ``deployment.environment.name`` that the collector stamps on telemetry without one.
ENVIRONMENT = "local"
#: Prometheus scrape and rule evaluation interval.
SCRAPE_INTERVAL = "5s"
#: Days of logs VictoriaLogs keeps in the stack's data directory.
LOG_RETENTION = "7d"
#: How long Prometheus keeps metrics: a calendar month and the month before it (the monthly budget
#: figures and `agentotel report --month` read them), plus a day. monitoring/src/config.py's
#: PROMETHEUS_RETENTION states the same requirement for every deployment.
METRICS_RETENTION = "63d"


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    argv: list[str]
    env: dict[str, str]
    #: An HTTP URL that answers 200 once the component serves.
    health_url: str
    #: Loopback ports that must also accept connections before the component counts as ready
    #: (e.g. Jaeger's OTLP receiver, which starts after its query API).
    ready_ports: tuple[int, ...] = ()
    #: Files the component needs to exist before it can start.
    requires: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def binary(self) -> Path:
        return Path(self.argv[0])


def collector_env(ports: Ports, layout: Layout) -> dict[str, str]:
    """The environment variables that collector/config.yaml and overlays/local.yaml read."""
    return {
        "OTELCOL_OTLP_GRPC_ENDPOINT": hostport(ports.collector_otlp_grpc),
        "OTELCOL_OTLP_HTTP_ENDPOINT": hostport(ports.collector_otlp_http),
        "OTELCOL_HEALTH_ENDPOINT": hostport(ports.collector_health),
        "OTELCOL_PROMETHEUS_ENDPOINT": hostport(ports.collector_prometheus),
        "OTELCOL_TELEMETRY_HOST": "127.0.0.1",
        "OTELCOL_TELEMETRY_PORT": str(ports.collector_telemetry),
        "OTELCOL_PPROF_ENDPOINT": hostport(ports.collector_pprof),
        "OTELCOL_ZPAGES_ENDPOINT": hostport(ports.collector_zpages),
        "OTELCOL_STORAGE_DIR": str(layout.data_dir("collector")),
        "DEPLOYMENT_ENVIRONMENT": ENVIRONMENT,
        # span_metrics flushes about once per Prometheus scrape, so RED metrics show up quickly.
        "OTELCOL_SPAN_METRICS_FLUSH_INTERVAL": SCRAPE_INTERVAL,
        "JAEGER_OTLP_ENDPOINT": hostport(ports.jaeger_otlp_grpc),
        "VICTORIALOGS_OTLP_ENDPOINT": url(ports.victorialogs_http, "/insert/opentelemetry"),
    }


def render_prometheus_config(layout: Layout, ports: Ports) -> str:
    """deploy/local/prometheus.yml.tmpl with this stack's targets and paths."""
    template = Template(layout.prometheus_template.read_text())
    return template.substitute(
        scrape_interval=SCRAPE_INTERVAL,
        rules_glob=layout.prometheus_rules_glob,
        collector_prometheus_exporter=hostport(ports.collector_prometheus),
        collector_telemetry=hostport(ports.collector_telemetry),
    )


def prometheus_config_path(layout: Layout) -> Path:
    return layout.generated_dir / "prometheus.yml"


def write_generated_configs(layout: Layout, ports: Ports) -> None:
    """Writes the configs that depend on the ports into the run directory."""
    path = prometheus_config_path(layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_prometheus_config(layout, ports))


def component_specs(layout: Layout, ports: Ports) -> dict[str, ComponentSpec]:
    """Every component's command line, environment and health check, in start order."""
    binary = {name: str(layout.binary(exe)) for name, exe in BINARIES.items()}
    specs = [
        ComponentSpec(
            name="victoria-logs",
            argv=[
                binary["victoria-logs"],
                f"-httpListenAddr={hostport(ports.victorialogs_http)}",
                f"-storageDataPath={layout.data_dir('victoria-logs')}",
                f"-retentionPeriod={LOG_RETENTION}",
            ],
            env={},
            health_url=url(ports.victorialogs_http, "/health"),
        ),
        ComponentSpec(
            name="jaeger",
            argv=[binary["jaeger"], "--config", str(layout.jaeger_config)],
            env={
                "JAEGER_OTLP_GRPC_ENDPOINT": hostport(ports.jaeger_otlp_grpc),
                "JAEGER_QUERY_HTTP_ENDPOINT": hostport(ports.jaeger_query_http),
                "JAEGER_QUERY_GRPC_ENDPOINT": hostport(ports.jaeger_query_grpc),
            },
            health_url=url(ports.jaeger_query_http, "/api/services"),
            ready_ports=(ports.jaeger_otlp_grpc,),
            requires=(layout.jaeger_config,),
        ),
        ComponentSpec(
            name="prometheus",
            argv=[
                binary["prometheus"],
                f"--config.file={prometheus_config_path(layout)}",
                f"--storage.tsdb.path={layout.data_dir('prometheus')}",
                f"--storage.tsdb.retention.time={METRICS_RETENTION}",
                f"--web.listen-address={hostport(ports.prometheus_http)}",
                # POST /-/reload picks up edited rule files without a restart.
                "--web.enable-lifecycle",
                # Keep the exemplars the collector exposes, so latency panels link to traces.
                "--enable-feature=exemplar-storage",
            ],
            env={},
            health_url=url(ports.prometheus_http, "/-/ready"),
            requires=(layout.prometheus_template,),
        ),
        ComponentSpec(
            name="collector",
            argv=[binary["collector"]]
            + [arg for config in layout.collector_configs for arg in ("--config", str(config))],
            env=collector_env(ports, layout),
            health_url=url(ports.collector_health, "/"),
            ready_ports=(ports.collector_otlp_grpc, ports.collector_otlp_http),
            requires=tuple(layout.collector_configs),
        ),
    ]
    return {spec.name: spec for spec in specs}


def endpoints(ports: Ports) -> dict[str, str]:
    """What a user or a test connects to, by name."""
    return {
        "collector_otlp_grpc": hostport(ports.collector_otlp_grpc),
        "collector_otlp_http": url(ports.collector_otlp_http),
        "collector_health_url": url(ports.collector_health, "/"),
        "collector_metrics_url": url(ports.collector_telemetry, "/metrics"),
        "collector_prometheus_exporter_url": url(ports.collector_prometheus, "/metrics"),
        "jaeger_query_url": url(ports.jaeger_query_http),
        "jaeger_otlp_grpc": hostport(ports.jaeger_otlp_grpc),
        "victorialogs_url": url(ports.victorialogs_http),
        "prometheus_url": url(ports.prometheus_http),
    }
