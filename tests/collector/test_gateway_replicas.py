"""Two gateway replicas behind one address: an app's metrics are counted once in Prometheus.

Two real collectors on loopback play the gateway's replicas, a real Prometheus scrapes both, and one
app's cumulative exports alternate between them (each export goes to the other replica, as when a
Service balances new connections). With collector/overlays/gateway.yaml, Prometheus' totals of
tokens and spend equal what the app sent. The same traffic through replicas without that overlay
(the plain production layering) shows why it is needed: both replicas expose the stream and the
totals count it about twice.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from tests.collector.collector_harness import (
    BASE_CONFIG,
    OVERLAYS,
    Collector,
    free_port,
    http_get,
    loopback_env,
    parse_prometheus,
    wait_until,
)

pytestmark = pytest.mark.integration

DEADLINE = 60.0
# Spend per export round (USD) and tokens per round: binary fractions and integers, so every sum is
# exact and Prometheus' totals compare with ==.
ROUNDS = [(0.25, 120), (0.5, 300), (0.125, 40), (1.0, 900), (0.375, 75), (0.0625, 16)]

# Trace and log destinations are not under test: discard them.
DISCARD_OVERLAY = """
service:
  pipelines:
    traces:
      exporters: [nop, span_metrics]
    logs:
      exporters: [nop]
"""

# The replicas find each other on their peer ports (a headless Service's DNS name in Kubernetes).
PEERS_OVERLAY = """
exporters:
  load_balancing/metrics:
    resolver:
      dns: null
      static:
        hostnames: [{peers}]
"""


def start_replicas(binary: Path, tmp_path: Path, routed: bool) -> list[Collector]:
    """Two replicas of the gateway on loopback; with `routed`, the gateway overlay on top."""
    peer_ports = [free_port(), free_port()]
    configs = [BASE_CONFIG, tmp_path / "discard.yaml"]
    (tmp_path / "discard.yaml").write_text(DISCARD_OVERLAY)
    if routed:
        (tmp_path / "peers.yaml").write_text(
            PEERS_OVERLAY.format(peers=", ".join(f"127.0.0.1:{p}" for p in peer_ports)))
        configs += [OVERLAYS / "gateway.yaml", tmp_path / "peers.yaml"]
    replicas = []
    try:
        for index, peer_port in enumerate(peer_ports):
            storage = tmp_path / f"storage-{index}"
            env = loopback_env(storage, OTELCOL_PEERS_ENDPOINT=f"127.0.0.1:{peer_port}")
            replicas.append(Collector(binary, configs, env, tmp_path / f"replica-{index}.log").start())
    except BaseException:
        for replica in replicas:
            replica.stop()
        raise
    return replicas


class Prometheus:
    """Debian's Prometheus on a free loopback port, scraping the replicas' prometheus exporters."""

    def __init__(self, tmp_path: Path, targets: list[str]) -> None:
        self.port = free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(json.dumps({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [{"job_name": "agentotel-collector", "static_configs": [{"targets": targets}]}],
        }))
        binary = shutil.which("prometheus")
        assert binary, "prometheus is not installed (scripts/setup.sh installs Debian's package)"
        self._log = open(tmp_path / "prometheus.log", "wb")
        self.proc = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self._log, stderr=subprocess.STDOUT)
        wait_until(lambda: http_get(f"http://127.0.0.1:{self.port}/-/ready", timeout=2)[0] == 200,
                   DEADLINE, "Prometheus ready")

    def value(self, query: str) -> float | None:
        """The single value of an instant query, or None while it has no result."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": query})
        status, body = http_get(url)
        assert status == 200, body
        result = json.loads(body)["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._log.close()


def send_alternating(replicas: list[Collector], service: str) -> tuple[float, int]:
    """One app records spend and tokens; each round's cumulative export goes to the next replica.

    Returns the spend and tokens sent in total.
    """
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult, PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource

    from agentotel.semconv.agentotel_names import METRIC_LLM_COST
    from agentotel.semconv.genai import METRIC_CLIENT_TOKEN_USAGE, METRIC_CLIENT_TOKEN_USAGE_UNIT

    class Alternating(MetricExporter):
        """Sends export n to replica n mod 2, each through its own exporter (its own connection)."""

        def __init__(self) -> None:
            super().__init__()
            self.exporters = [OTLPMetricExporter(endpoint=r.url("OTELCOL_OTLP_HTTP_ENDPOINT", "/v1/metrics"))
                              for r in replicas]
            self.sent = [0, 0]

        def export(self, metrics_data, timeout_millis: float = 10_000, **kwargs) -> MetricExportResult:
            index = sum(self.sent) % len(self.exporters)
            result = self.exporters[index].export(metrics_data, timeout_millis=timeout_millis)
            assert result is MetricExportResult.SUCCESS, f"replica {index} refused an export"
            self.sent[index] += 1
            return result

        def force_flush(self, timeout_millis: float = 10_000) -> bool:
            return True

        def shutdown(self, timeout_millis: float = 30_000, **kwargs) -> None:
            for exporter in self.exporters:
                exporter.shutdown()

    exporter = Alternating()
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(metric_readers=[reader], resource=Resource.create(
        {"service.name": service, "service.instance.id": str(uuid.uuid4()),
         "deployment.environment.name": "ci-test"}))
    meter = provider.get_meter("replica-check")
    name, unit, description = METRIC_LLM_COST
    cost = meter.create_counter(name, unit=unit, description=description)
    tokens = meter.create_histogram(METRIC_CLIENT_TOKEN_USAGE, unit=METRIC_CLIENT_TOKEN_USAGE_UNIT)
    attributes = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o"}
    try:
        for spend, count in ROUNDS:
            cost.add(spend, attributes)
            tokens.record(count, {**attributes, "gen_ai.token.type": "input"})
            assert provider.force_flush(timeout_millis=10_000)
    finally:
        provider.shutdown()
    # One export per round, and a last one as the provider shuts down: replica 0 gets that one.
    exports = len(ROUNDS) + 1
    assert exporter.sent == [exports - exports // 2, exports // 2], "exports did not alternate"
    return sum(s for s, _ in ROUNDS), sum(t for _, t in ROUNDS)


@pytest.fixture
def stack_of(collector_bin: Path, tmp_path: Path) -> Iterator:
    """Starts (replicas, Prometheus) for a layering; stops everything at the end."""
    started: list = []

    def start(routed: bool) -> tuple[list[Collector], Prometheus]:
        replicas = start_replicas(collector_bin, tmp_path, routed)
        started.extend(replicas)
        prometheus = Prometheus(tmp_path, [r.env["OTELCOL_PROMETHEUS_ENDPOINT"] for r in replicas])
        started.append(prometheus)
        return replicas, prometheus

    yield start
    for item in reversed(started):
        item.stop()


def exposed_by(replicas: list[Collector], metric: str, service: str) -> list[int]:
    """Indexes of the replicas whose prometheus exporter exposes `metric` of `service`."""
    found = []
    for index, replica in enumerate(replicas):
        _, text = http_get(replica.url("OTELCOL_PROMETHEUS_ENDPOINT", "/metrics"))
        if any(s.name == metric and s.labels.get("service_name") == service for s in parse_prometheus(text)):
            found.append(index)
    return found


def test_routed_replicas_count_each_app_once(stack_of):
    """With the gateway overlay, Prometheus' spend and token totals equal what the app sent, and
    one replica alone exposes the app's streams although its exports reached both."""
    replicas, prometheus = stack_of(routed=True)
    service = "replica-check"
    spend, tokens = send_alternating(replicas, service)
    spend_query = f'sum(agentotel_llm_cost_total{{service_name="{service}"}})'
    tokens_query = f'sum(gen_ai_client_token_usage_sum{{service_name="{service}"}})'
    wait_until(lambda: prometheus.value(spend_query) == spend and prometheus.value(tokens_query) == tokens,
               DEADLINE, f"Prometheus totals {spend} USD and {tokens} tokens")
    assert len(exposed_by(replicas, "agentotel_llm_cost_total", service)) == 1
    # Held for a few more scrapes: the other replica never starts a second copy.
    scrapes = f'count_over_time(up{{job="agentotel-collector"}}[1m])'
    before = prometheus.value(f"sum({scrapes})")
    wait_until(lambda: prometheus.value(f"sum({scrapes})") >= before + 4, DEADLINE, "four more scrapes")
    assert prometheus.value(spend_query) == spend
    assert prometheus.value(tokens_query) == tokens
    assert prometheus.value(f'count(agentotel_llm_cost_total{{service_name="{service}"}})') == 1


def test_unrouted_replicas_count_an_app_twice(stack_of):
    """Control: the same alternating exports through replicas without the overlay appear on both
    replicas, and Prometheus' totals exceed what was sent (the double counting the overlay prevents)."""
    replicas, prometheus = stack_of(routed=False)
    service = "replica-check-unrouted"
    spend, tokens = send_alternating(replicas, service)
    count_query = f'count(agentotel_llm_cost_total{{service_name="{service}"}})'
    wait_until(lambda: prometheus.value(count_query) == 2, DEADLINE, "the stream on both replicas")
    assert exposed_by(replicas, "agentotel_llm_cost_total", service) == [0, 1]
    # Both replicas last received the full cumulative values (the final export went to replica 0).
    total = f'sum(agentotel_llm_cost_total{{service_name="{service}"}})'
    token_total = f'sum(gen_ai_client_token_usage_sum{{service_name="{service}"}})'
    wait_until(lambda: prometheus.value(total) == 2 * spend and prometheus.value(token_total) == 2 * tokens,
               DEADLINE, "each replica's copy of the full totals")
