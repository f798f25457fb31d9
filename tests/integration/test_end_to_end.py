"""The demo agent's telemetry, end to end: after 30 conversations (``demo_traffic``), Jaeger, Prometheus
and VictoriaLogs hold exactly what the app sent, read back through each backend's own query API.

The reference is the app itself: every span its SDK exported (a console copy of the OTLP export),
its log lines, and the traffic generator's view of the conversations (outcomes, trace ids from the
``x-trace-id`` response headers).
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from agentotel.cost import CostEngine, TokenCounts, load_catalog
from agentotel.semconv import agentotel_names as A
from agentotel.semconv import genai as G
from tests.integration import backend_queries as bq

pytestmark = pytest.mark.integration

AGENT_SPAN = "invoke_agent support"
#: Operations the agent runs inside its invoke_agent span, and their span kinds.
AGENT_CHILD_KINDS = {G.OP_CHAT: "client", G.OP_RETRIEVAL: "client", G.OP_EXECUTE_TOOL: "internal"}
PROVIDERS = {G.PROVIDER_OPENAI, G.PROVIDER_ANTHROPIC}


@pytest.fixture(scope="module")
def stored(stack, demo_traffic) -> list[bq.StoredSpan]:
    """Every span Jaeger holds for the demo's service."""
    return bq.jaeger_service_spans(stack.jaeger_query_url, demo_traffic.service_name)


@pytest.fixture(scope="module")
def by_trace(stored) -> dict[str, list[bq.StoredSpan]]:
    traces = defaultdict(list)
    for span in stored:
        traces[span.trace_id].append(span)
    return dict(traces)


def llm_spans(spans):
    return [s for s in spans if s.tags.get(G.GEN_AI_OPERATION_NAME) in G.LLM_OPERATIONS]


def prom(stack, demo_traffic, expr: str, *labels: str) -> dict:
    return bq.prom_by(stack.prometheus_url, expr.replace("SERVICE", f'service_name="{demo_traffic.service_name}"'),
                      *labels)


def test_the_demo_telemetry_settled(demo_traffic):
    """Within the deadline after the app exited, every backend held all of the app's telemetry."""
    assert not demo_traffic.pending, demo_traffic.pending
    assert demo_traffic.conversations == 30 and demo_traffic.ended == 30


def test_jaeger_holds_every_exported_span_once(demo_traffic, stored):
    """The span ids in Jaeger are exactly those the app's SDK exported, none lost, none stored twice,
    and every trace id a response carried is there."""
    exported = Counter((s.trace_id, s.span_id) for s in demo_traffic.spans)
    held = bq.span_id_counts(stored)
    assert held == exported
    assert set(demo_traffic.conversation_of()) == {trace_id for trace_id, _ in held}


def _check_trace_shape(spans: list[bq.StoredSpan], conversation: str) -> None:
    ids = {s.span_id: s for s in spans}
    roots = [s for s in spans if s.parent_id is None]
    assert len(roots) == 1, [s.name for s in roots]
    root = roots[0]
    assert root.kind == "server" and root.name in ("POST /chat", "POST /end", "POST /feedback"), root.name
    assert all(s.parent_id in ids for s in spans if s is not root), "a span's parent is not in its trace"
    for span in spans:
        assert span.tags.get(G.GEN_AI_CONVERSATION_ID) == conversation, (span.name, span.tags)
    agents = [s for s in spans if s.name == AGENT_SPAN]
    if root.name != "POST /chat":
        assert not agents
        return
    assert len(agents) == 1, "one invoke_agent span per turn"
    agent = agents[0]
    assert agent.parent_id == root.span_id and agent.kind == "internal"
    assert agent.tags[G.GEN_AI_OPERATION_NAME] == G.OP_INVOKE_AGENT and agent.tags[G.GEN_AI_AGENT_NAME] == "support"
    operations = [s for s in spans if s.tags.get(G.GEN_AI_OPERATION_NAME) in AGENT_CHILD_KINDS]
    assert any(s.tags[G.GEN_AI_OPERATION_NAME] == G.OP_CHAT for s in operations), "a turn calls a model"
    for span in operations:
        operation = span.tags[G.GEN_AI_OPERATION_NAME]
        assert span.parent_id == agent.span_id, span.name
        assert span.kind == AGENT_CHILD_KINDS[operation], span.name
        assert span.tags[G.GEN_AI_AGENT_NAME] == "support"
        if operation == G.OP_CHAT:
            assert span.name == f"chat {span.tags[G.GEN_AI_REQUEST_MODEL]}"
        elif operation == G.OP_RETRIEVAL:
            assert span.name == f"retrieval {span.tags[G.GEN_AI_DATA_SOURCE_ID]}"
        else:
            assert span.name == f"execute_tool {span.tags[G.GEN_AI_TOOL_NAME]}"


def test_example_traces_are_complete_agent_trees(stack, demo_traffic):
    """Each example trace, fetched by id: server span -> invoke_agent support -> chat / retrieval /
    execute_tool with correct parents and kinds, the conversation id on every span."""
    examples = demo_traffic.example_traces
    assert {"tools", "resolved", "abandoned", "provider error"} <= set(examples)
    assert sum(label.startswith("escalated") for label in examples) >= 4
    conversation_of = demo_traffic.conversation_of()
    for label, trace_id in examples.items():
        spans = bq.jaeger_trace(stack.jaeger_query_url, trace_id)
        assert spans, f"{label}: trace {trace_id} is not in Jaeger"
        _check_trace_shape(spans, conversation_of[trace_id])
    tools = bq.jaeger_trace(stack.jaeger_query_url, examples["tools"])
    assert any(s.tags.get(G.GEN_AI_OPERATION_NAME) == G.OP_EXECUTE_TOOL for s in tools)
    failed = [s for s in llm_spans(bq.jaeger_trace(stack.jaeger_query_url, examples["provider error"]))
              if s.tags.get("otel.status_code") == "ERROR"]
    assert failed and all(s.tags.get(G.ERROR_TYPE) for s in failed)


def test_every_trace_of_the_service_has_the_shape(demo_traffic, by_trace):
    """Every trace the service produced (found by service search) has the same tree and carries its
    conversation id on every span, including HTTP client and ASGI spans."""
    conversation_of = demo_traffic.conversation_of()
    for trace_id, spans in by_trace.items():
        _check_trace_shape(spans, conversation_of[trace_id])
    turns = sum(1 for spans in by_trace.values() if any(s.name == AGENT_SPAN for s in spans))
    assert turns == demo_traffic.turns


def test_llm_spans_carry_the_conventions_and_the_catalog_cost(stored):
    """Every LLM span has the GenAI operation, provider, model and usage attributes, and the cost the
    pricing catalog gives for its provider, model and tokens, to the last digit."""
    engine = CostEngine(load_catalog())
    spans = llm_spans(stored)
    priced = 0
    assert spans
    for span in spans:
        t = span.tags
        assert t[G.GEN_AI_OPERATION_NAME] == G.OP_CHAT and t[G.GEN_AI_PROVIDER_NAME] in PROVIDERS, t
        assert span.name == f"chat {t[G.GEN_AI_REQUEST_MODEL]}" and span.kind == "client"
        if t.get("otel.status_code") == "ERROR":
            assert t.get(G.ERROR_TYPE) and A.COST_TOTAL not in t, t
            continue
        if G.GEN_AI_USAGE_INPUT_TOKENS not in t:  # a body the SDK could not parse: no usage, no cost
            assert A.COST_TOTAL not in t and G.GEN_AI_USAGE_OUTPUT_TOKENS not in t, t
            continue
        assert t[G.GEN_AI_USAGE_INPUT_TOKENS] > 0 and t[G.GEN_AI_USAGE_OUTPUT_TOKENS] > 0, t
        counts = TokenCounts(t[G.GEN_AI_USAGE_INPUT_TOKENS], t[G.GEN_AI_USAGE_OUTPUT_TOKENS],
                             t.get(G.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, 0),
                             t.get(G.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, 0),
                             t.get(G.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, 0))
        cost = engine.price(t[G.GEN_AI_PROVIDER_NAME], t.get(G.GEN_AI_RESPONSE_MODEL) or t[G.GEN_AI_REQUEST_MODEL],
                            counts)
        assert cost is not None, t
        assert t[A.COST_TOTAL] == cost.total and t[A.COST_INPUT] == cost.input and t[A.COST_OUTPUT] == cost.output
        assert t[A.COST_CURRENCY] == cost.currency and t[A.COST_CATALOG_VERSION] == cost.catalog_version
        priced += 1
    assert priced > len(spans) / 2


def test_agent_spans_roll_up_their_calls(by_trace):
    """An invoke_agent span's cost is the sum of the costs of the LLM calls below it."""
    for spans in by_trace.values():
        for agent in (s for s in spans if s.name == AGENT_SPAN):
            calls = [s for s in llm_spans(spans) if s.parent_id == agent.span_id]
            total = sum(s.tags.get(A.COST_TOTAL, 0.0) for s in calls)
            assert agent.tags.get(A.COST_TOTAL, 0.0) == pytest.approx(total, rel=1e-12, abs=1e-15)


def test_prometheus_token_totals_equal_the_spans(stack, demo_traffic, stored):
    """gen_ai_client_token_usage_{sum,count} per model and token type equal the LLM spans' usage."""
    sums, counts = Counter(), Counter()
    for span in llm_spans(stored):
        model = span.tags[G.GEN_AI_REQUEST_MODEL]
        for kind, key in (("input", G.GEN_AI_USAGE_INPUT_TOKENS), ("output", G.GEN_AI_USAGE_OUTPUT_TOKENS)):
            if key in span.tags:
                sums[model, kind] += span.tags[key]
                counts[model, kind] += 1
    labels = ("gen_ai_request_model", "gen_ai_token_type")
    assert prom(stack, demo_traffic, "sum by (gen_ai_request_model, gen_ai_token_type) "
                                     "(gen_ai_client_token_usage_sum{SERVICE})", *labels) == dict(sums)
    assert prom(stack, demo_traffic, "sum by (gen_ai_request_model, gen_ai_token_type) "
                                     "(gen_ai_client_token_usage_count{SERVICE})", *labels) == dict(counts)


def test_prometheus_cost_equals_the_spans(stack, demo_traffic, stored):
    """agentotel_llm_cost_total per model equals the sum of the LLM spans' agentotel.cost.total."""
    costs = defaultdict(float)
    for span in llm_spans(stored):
        if A.COST_TOTAL in span.tags:
            costs[span.tags[G.GEN_AI_REQUEST_MODEL]] += span.tags[A.COST_TOTAL]
    held = prom(stack, demo_traffic, "sum by (gen_ai_request_model) (agentotel_llm_cost_total{SERVICE})",
                "gen_ai_request_model")
    assert held.keys() == costs.keys()
    for model, total in costs.items():
        assert held[model] == pytest.approx(total, rel=1e-12), model  # float sums in another order


def test_prometheus_operation_counts_equal_the_spans(stack, demo_traffic, stored):
    """gen_ai_client_operation_duration_seconds_count per operation and error type equals the spans."""
    spans = Counter((s.tags[G.GEN_AI_OPERATION_NAME], str(s.tags.get(G.ERROR_TYPE, ""))) for s in stored
                    if G.GEN_AI_OPERATION_NAME in s.tags)
    held = prom(stack, demo_traffic, "sum by (gen_ai_operation_name, error_type) "
                                     "(gen_ai_client_operation_duration_seconds_count{SERVICE})",
                "gen_ai_operation_name", "error_type")
    assert held == dict(spans)
    assert {G.OP_CHAT, G.OP_INVOKE_AGENT, G.OP_RETRIEVAL, G.OP_EXECUTE_TOOL} <= {op for op, _ in held}


def test_span_metrics_equal_the_spans(stack, demo_traffic, stored):
    """traces_span_metrics_calls_total per span name equals the spans Jaeger holds (the collector's
    span_metrics saw every span once), and its GenAI dimensions are set."""
    held = prom(stack, demo_traffic, "sum by (span_name) (traces_span_metrics_calls_total{SERVICE})", "span_name")
    assert held == dict(Counter(s.name for s in stored))
    chat = prom(stack, demo_traffic, 'sum by (gen_ai_provider_name, gen_ai_request_model) '
                                     '(traces_span_metrics_calls_total{SERVICE, gen_ai_operation_name="chat"})',
                "gen_ai_provider_name", "gen_ai_request_model")
    assert chat == dict(Counter((s.tags[G.GEN_AI_PROVIDER_NAME], s.tags[G.GEN_AI_REQUEST_MODEL])
                                for s in llm_spans(stored)))


def test_conversation_metrics_equal_the_traffic(stack, demo_traffic):
    """Conversations by outcome, escalations by reason and the CSAT scores in Prometheus are what the
    traffic generator played."""
    outcomes = prom(stack, demo_traffic, "sum by (agentotel_conversation_outcome) "
                                         "(agentotel_conversations_total{SERVICE})", "agentotel_conversation_outcome")
    assert outcomes == {k: float(v) for k, v in demo_traffic.outcomes.items()}
    reasons = prom(stack, demo_traffic, "sum by (agentotel_escalation_reason) "
                                        "(agentotel_conversation_escalations_total{SERVICE})",
                   "agentotel_escalation_reason")
    assert reasons == {k: float(v) for k, v in demo_traffic.escalation_reasons.items()}
    scores = [r.feedback for r in demo_traffic.results if r.feedback is not None]
    assert prom(stack, demo_traffic, "sum(agentotel_feedback_score_count{SERVICE})") == {(): len(scores)}
    assert prom(stack, demo_traffic, "sum(agentotel_feedback_score_sum{SERVICE})") == {(): sum(scores)}


def test_feedback_is_an_event_on_its_trace(demo_traffic, by_trace):
    """Each CSAT score is a gen_ai.evaluation.result event on the server span of its /feedback request."""
    events = [e for spans in by_trace.values() for s in spans if s.name == "POST /feedback"
              for e in s.events if e.get("event") == "gen_ai.evaluation.result"]
    assert sorted(e["gen_ai.evaluation.score.value"] for e in events) == sorted(
        r.feedback for r in demo_traffic.results if r.feedback is not None)


def test_logs_in_victorialogs_carry_the_trace_ids(stack, demo_traffic, by_trace):
    """Every log line the app wrote inside a request is in VictoriaLogs with its trace and span ids;
    every stored record's trace is one of the service's traces in Jaeger, and the example traces have logs."""
    records = bq.service_logs(stack.victorialogs_url, demo_traffic.service_name)
    held = {(r.get("trace_id"), r.get("span_id"), r["_msg"]) for r in records}
    written = [r for r in demo_traffic.app_logs if r.get("trace_id")]
    assert written
    missing = [r for r in written if (r["trace_id"], r["span_id"], r["message"]) not in held]
    assert not missing, missing[:3]
    traced = {r["trace_id"] for r in records if r.get("trace_id")}
    assert traced <= set(by_trace)
    for label, trace_id in demo_traffic.example_traces.items():
        assert bq.logsql(stack.victorialogs_url, f"trace_id:{trace_id}"), f"no log records for the {label} trace"


def test_the_collector_refused_and_failed_nothing(demo_traffic):
    """While the demo's telemetry went through, the collector's own metrics count every span accepted
    and sent, and nothing refused by its receiver, dropped by a processor, or failed by an exporter."""
    before, after = demo_traffic.collector_before, demo_traffic.collector_after

    def delta(name: str) -> float:
        return after.get(name, 0.0) - before.get(name, 0.0)

    assert "otelcol_receiver_refused_spans" in after  # the checks below are not vacuous
    for signal in ("spans", "log_records", "metric_points"):
        for counter in ("receiver_refused", "receiver_failed", "exporter_send_failed", "exporter_enqueue_failed"):
            assert delta(f"otelcol_{counter}_{signal}") == 0, f"otelcol_{counter}_{signal}"
    assert delta("otelcol_receiver_accepted_spans") >= len(demo_traffic.spans)
    assert delta("otelcol_exporter_sent_spans") >= len(demo_traffic.spans)
    assert delta("otelcol_exporter_sent_log_records") >= len([r for r in demo_traffic.app_logs if r.get("trace_id")])
    assert after.get("otelcol_exporter_queue_size", 0.0) == 0
