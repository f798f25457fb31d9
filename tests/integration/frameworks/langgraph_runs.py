"""Run ``apps/langgraph_app.py`` under ``opentelemetry-instrument`` and read what it exported: the
spans of each run (one trace per agent run), its metrics."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.instrumented_app import INSTRUMENT, clean_env
from tests.support.otlp_receiver import OTLPReceiver

APP = Path(__file__).with_name("apps") / "langgraph_app.py"
#: The dev environment holds OpenTelemetry's openai-v2 instrumentation for other tests; an app with
#: agentotel (and a peer) has none.
NOT_INSTALLED = "openai"
CLIENT = 3  # OTLP span kind


def run_app(provider_url: str, command: list[str] | None = None, timeout: float = 180, **env: str) -> OTLPReceiver:
    """Run the app to its end under ``opentelemetry-instrument`` (``command``: another environment's,
    from ``peer_envs.instrumented``); the receiver that holds everything it exported (stopped)."""
    receiver = OTLPReceiver().start()
    try:
        environment = clean_env(
            OTEL_SERVICE_NAME="langgraph-agent", OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_METRIC_EXPORT_INTERVAL="60000", OTEL_BSP_SCHEDULE_DELAY="200",
            AGENTOTEL_LLM_BASE_URLS=f"{provider_url}/v1=openai", LLM_BASE_URL=provider_url,
            OTEL_PYTHON_DISABLED_INSTRUMENTATIONS=NOT_INSTALLED, **env)
        prefix = command or [str(INSTRUMENT)]
        python = sys.executable if command is None else prefix[0]
        done = subprocess.run([*prefix, python, str(APP)],
                              env=environment, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, done.stderr[-4000:]
        receiver.answers = done.stdout.splitlines()
        receiver.stderr = done.stderr
        receiver.wait_for(lambda store: store.metrics(), timeout=30, what="the app's metrics")
    finally:
        receiver.stop()
    return receiver


def agent_traces(receiver) -> dict[str, list[dict]]:
    """Spans by trace, for the traces that hold an agentotel invoke_agent span."""
    spans = receiver.spans()
    agents = {s["trace_id"] for s in spans if s["scope"] == "agentotel"
              and s["attributes"].get("gen_ai.operation.name") == "invoke_agent"}
    return {t: [s for s in spans if s["trace_id"] == t] for t in agents}


def histogram_counts(receiver, name: str, key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for point in receiver.points(name):
        value = point["attributes"].get(key)
        counts[value] = counts.get(value, 0) + point["count"]
    return counts


def histogram_sums(receiver, name: str, key: str) -> dict[str, float]:
    sums: dict[str, float] = {}
    for point in receiver.points(name):
        value = point["attributes"].get(key)
        sums[value] = sums.get(value, 0) + point["sum"]
    return sums
