"""Run a framework app, with no telemetry code, under ``opentelemetry-instrument`` in its own
framework environment (``.venv-frameworks/<env>``, made by scripts/framework-envs.sh) against the
fake provider, exporting to an in-test OTLP receiver; and the checks every framework's run shares.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from demo.fake_provider import OPENAI_USAGE, start_fake_provider
from tests.support.instrumented_app import clean_env
from tests.support.otlp_receiver import OTLPReceiver

ROOT = Path(__file__).resolve().parents[3]
APPS = Path(__file__).resolve().parent / "apps"
ENVS = ROOT / ".venv-frameworks"
LLM_OPERATIONS = {"chat", "text_completion", "generate_content", "embeddings"}
# gpt-4o-mini: 80 fresh input x 0.15 + 20 cached x 0.075 + 40 output x 0.60, per million tokens.
OPENAI_COST = (80 * 0.15 + 20 * 0.075 + 40 * 0.60) / 1e6
assert (OPENAI_USAGE.input, OPENAI_USAGE.cached, OPENAI_USAGE.output) == (100, 20, 40)


@dataclass
class AppRun:
    """What one run of an app left: its output and what the provider and the receiver got."""

    stdout: str
    stderr: str
    spans: list[dict]
    receiver: OTLPReceiver
    provider_requests: list[dict] = field(default_factory=list)

    def traces(self) -> dict[str, list[dict]]:
        by_trace: dict[str, list[dict]] = {}
        for span in self.spans:
            by_trace.setdefault(span["trace_id"], []).append(span)
        return by_trace

    def roots(self) -> list[dict]:
        return [s for s in self.spans if not s["parent_span_id"]]

    def llm_requests(self, suffixes=("/chat/completions", "/responses", "/embeddings")) -> list[dict]:
        return [r for r in self.provider_requests if r["path"].endswith(suffixes)]


def environment_python(env: str) -> Path:
    python = ENVS / env / "bin" / "python"
    assert python.exists(), f"{python} is missing: run `bash scripts/framework-envs.sh {env}` (scripts/setup.sh does)"
    return python


def run_app(env: str, app: str, expected_llm_spans: int, timeout: float = 180, **extra: str) -> AppRun:
    """Run ``apps/<app>`` to its end under opentelemetry-instrument; wait until its LLM spans arrived.
    ``extra``: environment variables, where ``{llm_base_url}`` is the fake provider's base URL."""
    python = environment_python(env)
    receiver = OTLPReceiver().start()
    provider = start_fake_provider()
    try:
        environ = clean_env(
            OTEL_SERVICE_NAME=f"framework-{app.removesuffix('.py')}",
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
            OTEL_METRIC_EXPORT_INTERVAL="1000",
            OTEL_BSP_SCHEDULE_DELAY="200",
            AGENTOTEL_LLM_BASE_URLS=f"{provider.base_url}/v1=openai",
            LLM_BASE_URL=provider.base_url,
            OPENAI_API_KEY="sk-fake-key",
            **{key: value.replace("{llm_base_url}", provider.base_url) for key, value in extra.items()},
        )
        proc = subprocess.run([str(python.parent / "opentelemetry-instrument"), str(python), app], cwd=APPS,
                              env=environ, capture_output=True, text=True, timeout=timeout)
        assert proc.returncode == 0, proc.stderr[-4000:]

        def arrived(store):
            spans = store.spans()
            count = sum(1 for s in spans if s["attributes"].get("gen_ai.operation.name") in LLM_OPERATIONS)
            return spans if count >= expected_llm_spans else None

        spans = receiver.wait_for(arrived, timeout=30, what=f"{expected_llm_spans} LLM spans")
        return AppRun(proc.stdout, proc.stderr, spans, receiver, provider.requests)
    finally:
        provider.stop()
        receiver.stop()


# ------------------------------------------------------------------ shared checks
def operation(span: dict) -> str | None:
    return span["attributes"].get("gen_ai.operation.name")


def children(spans: list[dict], parent: dict) -> list[dict]:
    return [s for s in spans if s["parent_span_id"] == parent["span_id"]]


def ancestor_with(spans: list[dict], span: dict, op: str) -> dict | None:
    """The nearest ancestor of ``span`` whose operation is ``op``."""
    by_id = {s["span_id"]: s for s in spans}
    node = by_id.get(span["parent_span_id"])
    while node is not None:
        if operation(node) == op:
            return node
        node = by_id.get(node["parent_span_id"])
    return None


def llm_spans(spans: list[dict]) -> list[dict]:
    return [s for s in spans if operation(s) in LLM_OPERATIONS]


def duration_operations(receiver: OTLPReceiver) -> set[str]:
    """The operations gen_ai.client.operation.duration has points for."""
    return {p["attributes"].get("gen_ai.operation.name") for p in receiver.points("gen_ai.client.operation.duration")
            if p.get("count")}
