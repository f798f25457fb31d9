"""The demo support agent under `opentelemetry-instrument`, against the fake LLM provider, exporting
OTLP/HTTP to an in-test receiver: the shape of its traces, the conversation scope on every span,
outcome and feedback metrics, correlated logs, and the traffic generator against the real app."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from agentotel_tools.cli import demo as demo_cli
from demo import traffic
from demo.fake_provider import start_fake_provider
from tests.support.otlp_receiver import OTLPReceiver

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SERVICE = "support-agent-it"
SERVER, CLIENT, INTERNAL = 2, 3, 1  # OTLP span kinds
CONVERSATION_KEYS = ("gen_ai.conversation.id", "user.id", "agentotel.tenant.id")
APP_START_TIMEOUT = 60.0
TELEMETRY_TIMEOUT = 30.0


@pytest.fixture(scope="module")
def fake_provider():
    provider = start_fake_provider()
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def receiver():
    with OTLPReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def app_url(fake_provider, receiver, tmp_path_factory):
    """The demo app under opentelemetry-instrument on a free port, with the environment `agentotel demo` gives it."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTOTEL_", "OPENAI_", "ANTHROPIC_"))}
    # Short export intervals: the test waits for telemetry by polling, never for a fixed time.
    base.update(OTEL_METRIC_EXPORT_INTERVAL="500", OTEL_BSP_SCHEDULE_DELAY="100", OTEL_BLRP_SCHEDULE_DELAY="100")
    env = demo_cli.app_environment(base, repo=REPO, otlp_endpoint=receiver.endpoint, service=SERVICE,
                                   run_id=uuid.uuid4().hex[:8], fake_provider_url=fake_provider.base_url)
    port = demo_cli.free_port()
    log_path = tmp_path_factory.mktemp("demo-app") / "app.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(demo_cli.app_command(port), cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        assert demo_cli.wait_healthy(url, proc, APP_START_TIMEOUT), f"the app did not start:\n{log_path.read_text()}"
        yield url
    finally:
        demo_cli.stop_process(proc)


def headers(conversation: str, tenant: str = "it-tenant", scenario: str | None = None) -> dict[str, str]:
    h = {"x-conversation-id": conversation, "x-user-id": "it-user", "x-tenant-id": tenant}
    if scenario:
        h["x-fake-scenario"] = scenario
    return h


def chat(url: str, conversation: str, message: str, scenario: str | None = None, stream: bool = False,
         tenant: str = "it-tenant") -> tuple[dict, str]:
    response = httpx.post(f"{url}/chat", json={"message": message, "stream": stream},
                          headers=headers(conversation, tenant, scenario), timeout=30)
    assert response.status_code == 200, response.text
    return response.json(), response.headers["x-trace-id"]


def trace_spans(receiver: OTLPReceiver, trace_id: str, *names: str) -> dict[str, list[dict]]:
    """The spans of a trace by name, once the server span and every named span have arrived."""
    def ready(store):
        spans = [s for s in store.spans() if s["trace_id"] == trace_id]
        found = Counter(s["name"] for s in spans)
        has_server = any(s["kind"] == SERVER and not s["parent_span_id"] for s in spans)
        return spans if has_server and all(found[n] for n in names) else None

    spans = receiver.wait_for(ready, TELEMETRY_TIMEOUT, f"trace {trace_id} with {names}")
    by_name: dict[str, list[dict]] = {}
    for span in spans:
        by_name.setdefault(span["name"], []).append(span)
    return by_name


def one(by_name: dict[str, list[dict]], name: str) -> dict:
    assert len(by_name.get(name, [])) == 1, f"expected one {name!r}: {sorted(by_name)}"
    return by_name[name][0]


def test_turn_trace_shape_and_conversation_on_every_span(app_url, receiver):
    """POST /chat -> invoke_agent support -> classify chat, retrieval faq, execute_tool, answer chat; every span in the conversation."""
    reply, trace_id = chat(app_url, "it-shape", "Where is my order #48213?")
    assert reply["tools"] == ["lookup_order"] and reply["intent"] == "order_status"
    spans = trace_spans(receiver, trace_id, "invoke_agent support", "chat gpt-4o-mini", "retrieval faq",
                        "execute_tool lookup_order", "chat gpt-4.1-mini")
    server = one(spans, "POST /chat")
    agent = one(spans, "invoke_agent support")
    assert server["kind"] == SERVER and server["parent_span_id"] == ""
    assert agent["parent_span_id"] == server["span_id"] and agent["kind"] == INTERNAL
    for name, kind in (("chat gpt-4o-mini", CLIENT), ("retrieval faq", CLIENT),
                       ("execute_tool lookup_order", INTERNAL), ("chat gpt-4.1-mini", CLIENT)):
        span = one(spans, name)
        assert span["parent_span_id"] == agent["span_id"], name
        assert span["kind"] == kind, name
    for span in (s for group in spans.values() for s in group):
        assert {k: span["attributes"].get(k) for k in CONVERSATION_KEYS} == {
            "gen_ai.conversation.id": "it-shape", "user.id": "it-user", "agentotel.tenant.id": "it-tenant"}, span["name"]
    classify = one(spans, "chat gpt-4o-mini")["attributes"]
    assert classify["gen_ai.provider.name"] == "openai" and classify["gen_ai.usage.input_tokens"] > 0
    assert classify["agentotel.cost.total"] > 0 and classify["gen_ai.agent.name"] == "support"
    retrieval = one(spans, "retrieval faq")["attributes"]
    assert retrieval["gen_ai.data_source.id"] == "faq" and retrieval["agentotel.retrieval.outcome"] == "hit"
    assert "order-tracking" in retrieval["agentotel.retrieval.document.ids"]
    assert agent["attributes"]["agentotel.conversation.intent"] == "order_status"
    assert agent["attributes"]["agentotel.cost.total"] > classify["agentotel.cost.total"]  # both calls rolled up


def test_model_tool_call_and_streamed_anthropic_answer(app_url, receiver):
    """A tool the model calls runs with its call id; a streamed Anthropic answer is one chat span with usage."""
    reply, trace_id = chat(app_url, "it-tool", "Can I return order #4411?", scenario="classify=tool_call", stream=True)
    assert reply["tools"] == ["lookup_order"] and reply["model"] == "claude-haiku-4-5"
    spans = trace_spans(receiver, trace_id, "invoke_agent support", "execute_tool lookup_order", "chat claude-haiku-4-5")
    assert one(spans, "execute_tool lookup_order")["attributes"]["gen_ai.tool.call.id"] == "call_fake_1"
    answer = one(spans, "chat claude-haiku-4-5")
    assert answer["attributes"]["gen_ai.provider.name"] == "anthropic"
    assert answer["attributes"]["gen_ai.usage.output_tokens"] > 0 and answer["attributes"]["agentotel.cost.total"] > 0
    assert answer["parent_span_id"] == one(spans, "invoke_agent support")["span_id"]


def test_provider_error_is_an_error_span_and_the_other_provider_answers(app_url, receiver):
    """A 429 from the answer model is a failed chat span; the fallback model's span follows and the turn succeeds."""
    reply, trace_id = chat(app_url, "it-error", "Where is my order #48213?", scenario="answer=error_429")
    assert reply["provider_errors"] == ["answer: RateLimitError"] and reply["model"] == "claude-haiku-4-5"
    spans = trace_spans(receiver, trace_id, "chat gpt-4.1-mini", "chat claude-haiku-4-5")
    failed, fallback = one(spans, "chat gpt-4.1-mini"), one(spans, "chat claude-haiku-4-5")
    assert failed["status_code"] == 2 and failed["attributes"]["error.type"]  # STATUS_CODE_ERROR
    assert fallback["status_code"] != 2 and fallback["start"] >= failed["end"]


def test_outcomes_escalations_and_feedback_become_metrics(app_url, receiver):
    """Resolved, escalated (legal) and abandoned conversations and CSAT scores arrive as agentotel metrics."""
    tenant = "it-metrics"
    chat(app_url, "it-m-1", "How long does shipping take?", tenant=tenant)
    assert httpx.post(f"{app_url}/end", json={"outcome": "resolved"}, headers=headers("it-m-1", tenant)).status_code == 200
    reply, _ = chat(app_url, "it-m-2", "I will contact my lawyer about order #3372", tenant=tenant)
    assert reply["escalated"] and reply["escalation_reason"] == "legal"
    chat(app_url, "it-m-3", "What is your return policy?", tenant=tenant)
    assert httpx.post(f"{app_url}/end", json={"outcome": "abandoned"}, headers=headers("it-m-3", tenant)).status_code == 200
    feedback = httpx.post(f"{app_url}/feedback", json={"score": 5, "comment": "great"}, headers=headers("it-m-1", tenant))
    assert feedback.status_code == 200
    httpx.post(f"{app_url}/feedback", json={"score": 2}, headers=headers("it-m-2", tenant))

    def mine(name):
        return [p for p in receiver.points(name) if p["attributes"].get("agentotel.tenant.id") == tenant]

    def settled(store):
        counted = {p["attributes"]["agentotel.conversation.outcome"]: p["value"] for p in mine("agentotel.conversations")}
        scores = mine("agentotel.feedback.score")
        return counted if counted == {"resolved": 1, "escalated": 1, "abandoned": 1} and \
            sum(p["count"] for p in scores) == 2 else None

    receiver.wait_for(settled, TELEMETRY_TIMEOUT, "conversation and feedback metrics")
    (escalation,) = mine("agentotel.conversation.escalations")
    assert escalation["attributes"]["agentotel.escalation.reason"] == "legal" and escalation["value"] == 1
    assert escalation["attributes"]["agentotel.conversation.intent"] == "legal"
    assert sum(p["sum"] for p in mine("agentotel.feedback.score")) == 7
    for point in mine("agentotel.conversations"):
        assert point["attributes"]["gen_ai.agent.name"] == "support"
        assert "gen_ai.conversation.id" not in point["attributes"]
    costs = {p["attributes"]["gen_ai.request.model"] for p in mine("agentotel.llm.cost")}
    assert {"gpt-4o-mini", "claude-haiku-4-5"} <= costs
    feedback_trace = feedback.headers["x-trace-id"]
    server = receiver.wait_for(lambda s: [x for x in s.spans() if x["trace_id"] == feedback_trace and x["kind"] == SERVER],
                               TELEMETRY_TIMEOUT, "the feedback request's span")[0]
    assert "gen_ai.evaluation.result" in server["events"]


def test_logs_carry_the_trace_of_their_turn(app_url, receiver):
    """The agent's log records are exported with the trace and span ids of the turn that wrote them."""
    _, trace_id = chat(app_url, "it-logs", "Please refund $500 for order #2539")
    records = receiver.wait_for(
        lambda s: [r for r in s.logs() if r["trace_id"] == trace_id and "escalated" in str(r["body"])],
        TELEMETRY_TIMEOUT, "the escalation log record")
    assert records[0]["severity_text"].startswith("WARN") and "refund_over_limit" in records[0]["body"]
    agent = one(trace_spans(receiver, trace_id, "invoke_agent support"), "invoke_agent support")
    assert records[0]["span_id"] == agent["span_id"]


def test_traffic_generator_against_the_app(app_url, receiver):
    """The showcase traffic runs without HTTP errors and its outcomes and reasons match the app's metrics."""
    plans = traffic.plan(len(traffic.SHOWCASE), seed=2, prefix=f"it-{uuid.uuid4().hex[:6]}")
    summary = traffic.run(app_url, plans, concurrency=3, deadline_seconds=120)
    assert summary.http_errors == 0 and summary.outcomes.get("skipped", 0) == 0
    assert {"resolved", "escalated", "abandoned"} <= set(summary.outcomes)
    assert len(summary.escalation_reasons) >= 5 and summary.provider_errors >= 2

    def mine(store, name):
        return [p for p in store.points(name) if p["attributes"].get("agentotel.tenant.id") in traffic.TENANTS]

    def settled(store):
        by_outcome = Counter()
        for p in mine(store, "agentotel.conversations"):
            by_outcome[p["attributes"]["agentotel.conversation.outcome"]] += p["value"]
        return by_outcome if dict(by_outcome) == summary.outcomes else None

    receiver.wait_for(settled, TELEMETRY_TIMEOUT, f"conversation metrics matching {summary.outcomes}")
    reasons = Counter()
    for p in mine(receiver, "agentotel.conversation.escalations"):
        reasons[p["attributes"]["agentotel.escalation.reason"]] += p["value"]
    assert dict(reasons) == summary.escalation_reasons


def test_agentotel_demo_end_to_end(whole_stack):
    """`agentotel demo` against the real stack: the trace, per-model cost/latency/tokens and the trace's logs all arrive."""
    service = "support-agent-e2e"  # this run's series are told apart by its service.instance.id
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OPENAI_", "ANTHROPIC_"))}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "agentotel"), "demo", "--stack-dir", str(whole_stack.layout.run_dir),
         "--conversations", str(len(traffic.SHOWCASE)), "--service-name", service, "--wait", "90"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    out = done.stdout
    assert done.returncode == 0, f"{out}\n{done.stderr}"
    assert "Still missing" not in out
    lines = out.splitlines()
    cost = lines.index("  cost per model (USD):")
    models = {line.split()[0] for line in lines[cost + 1:cost + 4]}
    assert models == {"gpt-4o-mini", "gpt-4.1-mini", "claude-haiku-4-5"}
    assert "invoke_agent support" in out and "chat gpt-4o-mini" in out  # the featured trace's tree
    assert "answered turn" in out or "escalated to a human" in out  # its logs, from VictoriaLogs
