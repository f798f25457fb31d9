"""Zero-code: an agent app with no telemetry code, run under ``opentelemetry-instrument uvicorn``,
exports the GenAI span tree, metrics, cost and correlated logs, with the conversation on every span.

The app (``apps/agent_app.py``) uses the real OpenAI and Anthropic SDKs against the fake provider
and notifies a downstream service; the test sends requests carrying the conversation as headers
and as W3C baggage, receives the app's OTLP/HTTP export itself, and stops the app with SIGTERM.
"""

from __future__ import annotations

import signal

import pytest

from demo.fake_provider import ANTHROPIC_USAGE, OPENAI_USAGE, start_fake_provider
from tests.support.instrumented_app import Downstream, InstrumentedServer, agent_app_env, post_json
from tests.support.otlp_receiver import OTLPReceiver

pytestmark = pytest.mark.integration

SERVICE = "zero-code-agent"
CONVERSATION_HEADERS = {"x-conversation-id": "conv-headers-1", "x-user-id": "user-1", "x-tenant-id": "acme"}
SCOPE_FROM_HEADERS = {"gen_ai.conversation.id": "conv-headers-1", "user.id": "user-1", "agentotel.tenant.id": "acme"}
SCOPE_FROM_BAGGAGE = {"gen_ai.conversation.id": "conv-baggage-2", "user.id": "user-2", "agentotel.tenant.id": "globex"}
UPSTREAM_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
SERVER, CLIENT = 2, 3  # OTLP span kinds
# An instrumentation that already records a call keeps its span and agentotel completes it: the
# anthropic SDK records its own, named after the method (see agentotel/capture/dedup.py).
ADOPTED_NAMES = {"anthropic": "anthropic.messages.create"}

# gpt-4o-mini: 80 fresh input x 0.15 + 20 cached x 0.075 + 40 output x 0.60, per million tokens.
OPENAI_COST = (80 * 0.15 + 20 * 0.075 + 40 * 0.60) / 1e6
assert (OPENAI_USAGE.input, OPENAI_USAGE.cached, OPENAI_USAGE.output) == (100, 20, 40)
# claude-haiku-4-5: 100 input x 1.00 + 30 cache read x 0.10 + 10 cache write x 1.25 + 40 output x 5.00.
ANTHROPIC_COST = (100 * 1.00 + 30 * 0.10 + 10 * 1.25 + 40 * 5.00) / 1e6
assert (ANTHROPIC_USAGE.input, ANTHROPIC_USAGE.cached, ANTHROPIC_USAGE.cache_write,
        ANTHROPIC_USAGE.output) == (100, 30, 10, 40)


@pytest.fixture(scope="module")
def app_run():
    """The app under opentelemetry-instrument; yields after two chat requests, then stops it."""
    receiver = OTLPReceiver().start()
    provider = start_fake_provider()
    downstream = Downstream()
    env = agent_app_env(SERVICE, receiver.endpoint, provider.base_url, downstream.url,
                        OTEL_METRIC_EXPORT_INTERVAL="1000",
                        # Spans wait in the queue for 3 s, so the last request's spans leave only
                        # with the flush at exit.
                        OTEL_BSP_SCHEDULE_DELAY="3000",
                        OTEL_BLRP_SCHEDULE_DELAY="200")
    server = InstrumentedServer("agent_app:app", env)
    try:
        server.wait_ready()
        answers = [
            post_json(f"{server.base}/chat", {"message": "Where is my order A-1001?"}, CONVERSATION_HEADERS),
            post_json(f"{server.base}/chat", {"message": "I want a refund."}, {
                "baggage": ",".join(f"{k}={v}" for k, v in SCOPE_FROM_BAGGAGE.items()),
                "traceparent": f"00-{UPSTREAM_TRACE_ID}-00f067aa0ba902b7-01",
            }),
        ]
        yield {"receiver": receiver, "provider": provider, "downstream": downstream, "server": server,
               "answers": answers}
    finally:
        server.kill()
        downstream.stop()
        provider.stop()
        receiver.stop()


def chat_traces(receiver: OTLPReceiver) -> dict[str, list[dict]]:
    """Spans of the /chat requests, by trace id, once both requests' LLM spans have arrived."""
    def ready(store):
        server_spans = [s for s in store.spans() if s["kind"] == SERVER and s["name"] == "POST /chat"]
        traces = {s["trace_id"] for s in server_spans}
        by_trace = {t: [s for s in store.spans() if s["trace_id"] == t] for t in traces}
        complete = {t: spans for t, spans in by_trace.items()
                    if sum(1 for s in spans if "gen_ai.operation.name" in s["attributes"]) >= 2}
        return complete if len(complete) == 2 else None

    return receiver.wait_for(ready, timeout=30, what="two /chat traces with their LLM spans")


def trace_of(traces, scope) -> list[dict]:
    conversation = scope["gen_ai.conversation.id"]
    (spans,) = [spans for spans in traces.values()
                if any(s["kind"] == SERVER and s["attributes"].get("gen_ai.conversation.id") == conversation
                       for s in spans)]
    return spans


def llm_span(spans, provider):
    (span,) = [s for s in spans if s["attributes"].get("gen_ai.provider.name") == provider
               and s["attributes"].get("gen_ai.operation.name") == "chat"]
    return span


def test_app_answers(app_run):
    """The instrumented app works: both requests get answers from both SDKs."""
    assert all(answer["intent"] and answer["answer"] for answer in app_run["answers"])


def test_span_tree_server_to_llm(app_run):
    """Each request is one trace: the FastAPI server span, with the two LLM calls below it."""
    traces = chat_traces(app_run["receiver"])
    for spans in traces.values():
        by_id = {s["span_id"]: s for s in spans}
        (server,) = [s for s in spans if s["kind"] == SERVER and s["name"] == "POST /chat"]
        for provider, model in (("openai", "gpt-4o-mini"), ("anthropic", "claude-haiku-4-5")):
            span = llm_span(spans, provider)
            assert span["name"] in (f"chat {model}", ADOPTED_NAMES.get(provider)) and span["kind"] == CLIENT
            assert span["attributes"]["gen_ai.request.model"] == model
            ancestors, node = [], span
            while node["parent_span_id"] in by_id:
                node = by_id[node["parent_span_id"]]
                ancestors.append(node["span_id"])
            assert server["span_id"] in ancestors


def test_trace_continues_the_callers_trace(app_run):
    """A request with a traceparent joins the caller's trace."""
    traces = chat_traces(app_run["receiver"])
    assert UPSTREAM_TRACE_ID in traces
    assert trace_of(traces, SCOPE_FROM_BAGGAGE)[0]["trace_id"] == UPSTREAM_TRACE_ID


@pytest.mark.parametrize("scope", [SCOPE_FROM_HEADERS, SCOPE_FROM_BAGGAGE], ids=["headers", "baggage"])
def test_conversation_on_every_span(app_run, scope):
    """The conversation id, user and tenant, from headers or from baggage, are on every span of the request."""
    spans = trace_of(chat_traces(app_run["receiver"]), scope)
    assert len(spans) >= 4
    for span in spans:
        assert {k: span["attributes"].get(k) for k in scope} == scope, span["name"]


def test_llm_span_attributes_and_cost(app_run):
    """LLM spans carry provider, models, token usage and the catalog's cost; the request's root
    span carries the roll-up of both calls."""
    spans = trace_of(chat_traces(app_run["receiver"]), SCOPE_FROM_HEADERS)
    openai, anthropic = llm_span(spans, "openai"), llm_span(spans, "anthropic")
    assert openai["attributes"]["gen_ai.request.model"] == "gpt-4o-mini"
    assert openai["attributes"]["gen_ai.response.model"] == "gpt-4o-mini"
    assert openai["attributes"]["gen_ai.usage.input_tokens"] == 100
    assert openai["attributes"]["gen_ai.usage.output_tokens"] == 40
    assert openai["attributes"]["agentotel.cost.total"] == pytest.approx(OPENAI_COST)
    assert anthropic["attributes"]["agentotel.cost.total"] == pytest.approx(ANTHROPIC_COST)
    assert openai["attributes"]["agentotel.cost.currency"] == "USD"
    (server,) = [s for s in spans if s["kind"] == SERVER and s["name"] == "POST /chat"]
    assert server["attributes"]["agentotel.cost.total"] == pytest.approx(OPENAI_COST + ANTHROPIC_COST)
    assert server["attributes"]["agentotel.usage.llm_calls"] == 2


def test_scope_and_trace_reach_outgoing_calls(app_run):
    """Outgoing HTTP calls carry the trace context and the conversation in W3C baggage, and never
    the app's own conversation headers; calls to LLM APIs carry the trace context only (the user
    and conversation ids stay out of the provider's hands), with the LLM span as their parent: one
    span per LLM call (no HTTP client span under it), stamped with the conversation."""
    traces = chat_traces(app_run["receiver"])
    trace_id = trace_of(traces, SCOPE_FROM_HEADERS)[0]["trace_id"]
    (notify,) = [h for h in app_run["downstream"].headers if trace_id in h.get("traceparent", "")]
    baggage = dict(item.strip().split("=", 1) for item in notify["baggage"].split(","))
    assert {k: baggage.get(k) for k in SCOPE_FROM_HEADERS} == SCOPE_FROM_HEADERS
    assert "x-conversation-id" not in notify
    llm_requests = [r for r in app_run["provider"].requests if trace_id in r["headers"].get("traceparent", "")]
    assert len(llm_requests) == 2
    for request in llm_requests:
        assert "baggage" not in request["headers"]
    llm_spans = app_run["receiver"].wait_for(
        lambda store: (lambda found: found if len(found) == 2 else None)(
            [s for s in store.spans() if s["trace_id"] == trace_id and s["kind"] == CLIENT
             and "gen_ai.provider.name" in s["attributes"]]),
        timeout=30, what="the two LLM spans")
    assert {r["headers"]["traceparent"].split("-")[2] for r in llm_requests} == {s["span_id"] for s in llm_spans}
    for span in llm_spans:
        assert span["attributes"]["gen_ai.conversation.id"] == "conv-headers-1"
        assert span["attributes"]["http.response.status_code"] == 200
    assert not [s for s in app_run["receiver"].spans() if s["trace_id"] == trace_id and s["name"] == "POST"
                and "/v1/" in str(s["attributes"].get("url.full", s["attributes"].get("http.url", "")))]


def test_logs_are_correlated(app_run):
    """The app's log record inside a request is exported with that request's trace and span ids."""
    traces = chat_traces(app_run["receiver"])
    trace_id = trace_of(traces, SCOPE_FROM_HEADERS)[0]["trace_id"]
    records = app_run["receiver"].wait_for(
        lambda store: [r for r in store.logs() if "classified request" in str(r["body"]) and r["trace_id"] == trace_id],
        timeout=30, what="the app's log record")
    assert records[0]["span_id"] and records[0]["resource"]["service.name"] == SERVICE


def test_resource(app_run):
    """Every span carries service.name and deployment.environment.name from the standard variables."""
    for span in app_run["receiver"].spans():
        assert span["resource"]["service.name"] == SERVICE
        assert span["resource"]["deployment.environment.name"] == "test"
        assert span["resource"]["telemetry.distro.name"] == "agentotel"


def test_genai_metrics(app_run):
    """Duration, token usage and cost metrics arrive with provider, model and tenant labels, and the
    cost counter matches the spans' cost."""
    receiver = app_run["receiver"]

    def cost_points(store):
        points = store.points("agentotel.llm.cost")
        total = sum(p["value"] for p in points)
        return points if total == pytest.approx(2 * (OPENAI_COST + ANTHROPIC_COST)) else None

    cost = receiver.wait_for(cost_points, timeout=30, what="agentotel.llm.cost for both requests")
    assert {p["attributes"].get("agentotel.tenant.id") for p in cost} == {"acme", "globex"}
    durations = receiver.points("gen_ai.client.operation.duration")
    providers = {(p["attributes"]["gen_ai.provider.name"], p["attributes"]["gen_ai.request.model"]) for p in durations}
    assert {("openai", "gpt-4o-mini"), ("anthropic", "claude-haiku-4-5")} <= providers
    assert all("gen_ai.conversation.id" not in p["attributes"] and "user.id" not in p["attributes"] for p in durations)
    tokens = receiver.points("gen_ai.client.token.usage")
    assert {p["attributes"]["gen_ai.token.type"] for p in tokens} == {"input", "output"}
    dropped = receiver.points("agentotel.telemetry.dropped")
    assert dropped and all(p["value"] == 0 for p in dropped)


def test_sigterm_flushes_and_exits_promptly(app_run):
    """SIGTERM right after a request: uvicorn shuts down gracefully and re-raises SIGTERM, and the
    request's spans, still queued at that moment, are flushed before the process dies."""
    server, receiver = app_run["server"], app_run["receiver"]
    chat_traces(receiver)
    post_json(f"{server.base}/chat", {"message": "Thanks, bye."},
              {**CONVERSATION_HEADERS, "x-conversation-id": "conv-last"})
    returncode, stderr, elapsed = server.terminate()
    assert returncode == -signal.SIGTERM, stderr[-3000:]  # uvicorn re-raises the signal it handled
    assert elapsed < 5.0
    last = [s for s in receiver.spans() if s["attributes"].get("gen_ai.conversation.id") == "conv-last"]
    assert any(s["kind"] == SERVER and s["name"] == "POST /chat" for s in last)
    assert sum(1 for s in last if s["attributes"].get("gen_ai.operation.name") == "chat") == 2
    assert "were not exported" not in stderr
    assert "Traceback" not in stderr
