"""The OpenAI Agents SDK under ``opentelemetry-instrument``, with no telemetry code in the app
(``apps/openai_agents_app.py``): two conversations, each a run of one agent that calls one tool
and then answers, over the Responses and the Chat Completions APIs, plain and streamed.
"""

from __future__ import annotations

import pytest

from .framework_apps import OPENAI_COST, ancestor_with, duration_operations, llm_spans, operation, run_app

pytestmark = pytest.mark.integration

RUNS = 2
VARIANTS = {
    "responses": {"OPENAI_API": "responses"},
    "chat_completions": {"OPENAI_API": "chat_completions"},
    "chat_completions-stream": {"OPENAI_API": "chat_completions", "STREAM": "1"},
    "responses-stream-content": {"OPENAI_API": "responses", "STREAM": "1",
                                 "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only"},
}


@pytest.fixture(scope="module", params=list(VARIANTS))
def agents_run(request):
    """The app's two runs in one variant; what the provider and the receiver got."""
    run = run_app("openai3", "openai_agents_app.py", expected_llm_spans=2 * RUNS, RUNS=str(RUNS),
                  TRACE_INGEST_URL="{llm_base_url}/v1/traces/ingest", **VARIANTS[request.param])
    run.variant = request.param
    return run




def run_traces(run) -> list[list[dict]]:
    """The spans of each run, by its conversation."""
    by_conversation = {f"conv-{i}": [s for s in run.spans if s["attributes"].get("gen_ai.conversation.id") == f"conv-{i}"]
                       for i in range(1, RUNS + 1)}
    return list(by_conversation.values())


def test_app_answers(agents_run):
    """The instrumented app works: every run ends with the fake provider's answer."""
    assert agents_run.stdout.count("answer: You asked: Where is my order") == RUNS


def test_one_trace_per_run_and_no_stray_roots(agents_run):
    """Each run is one trace whose root is the run's workflow; nothing else starts a trace — not
    even the SDK's export of its traces to OpenAI, which did post."""
    roots = agents_run.roots()
    assert [operation(r) for r in roots] == ["invoke_workflow"] * RUNS, [r["name"] for r in roots]
    assert all(r["name"] == "invoke_workflow Agent workflow" for r in roots)
    assert len(agents_run.traces()) == RUNS
    for spans in run_traces(agents_run):
        assert len({s["trace_id"] for s in spans}) == 1
    assert any(r["path"].endswith("/traces/ingest") for r in agents_run.provider_requests)
    assert not [s for s in agents_run.spans if "traces/ingest" in str(s["attributes"])]


def test_span_tree(agents_run):
    """invoke_agent under the workflow; both chat calls and the tool call directly under the agent."""
    for spans in run_traces(agents_run):
        by_id = {s["span_id"]: s for s in spans}
        (agent,) = [s for s in spans if operation(s) == "invoke_agent"]
        assert agent["name"] == "invoke_agent support"
        assert operation(by_id[agent["parent_span_id"]]) == "invoke_workflow"
        (tool,) = [s for s in spans if operation(s) == "execute_tool"]
        assert tool["name"] == "execute_tool lookup_order" and tool["parent_span_id"] == agent["span_id"]
        assert tool["attributes"]["gen_ai.tool.type"] == "function"
        chats = llm_spans(spans)
        assert len(chats) == 2 and all(c["parent_span_id"] == agent["span_id"] for c in chats)
        assert all(c["attributes"]["gen_ai.agent.name"] == "support" for c in chats)
        first, second = sorted(chats, key=lambda s: s["start"])
        assert first["end"] <= tool["start"] and tool["end"] <= second["start"]


def test_one_llm_span_per_provider_call_with_its_tokens_and_cost(agents_run):
    """Exactly one LLM span per call the provider received, with the tokens it sent and the
    catalog's cost; the agent and the workflow carry the run's roll-up."""
    spans = llm_spans(agents_run.spans)
    assert len(spans) == len(agents_run.llm_requests()) == 2 * RUNS
    for span in spans:
        assert span["attributes"]["gen_ai.usage.input_tokens"] == 100
        assert span["attributes"]["gen_ai.usage.output_tokens"] == 40
        assert span["attributes"]["agentotel.cost.total"] == pytest.approx(OPENAI_COST)
    for spans in run_traces(agents_run):
        for op in ("invoke_agent", "invoke_workflow"):
            (span,) = [s for s in spans if operation(s) == op]
            assert span["attributes"]["agentotel.cost.total"] == pytest.approx(2 * OPENAI_COST)
            assert span["attributes"]["agentotel.usage.input_tokens"] == 200
            assert span["attributes"]["agentotel.usage.llm_calls"] == 2


def test_conversation_from_group_id(agents_run):
    """The run's group_id is the conversation of every span of its trace."""
    for index, spans in enumerate(run_traces(agents_run), start=1):
        trace = agents_run.traces()[spans[0]["trace_id"]]
        assert {s["attributes"].get("gen_ai.conversation.id") for s in trace} == {f"conv-{index}"}


def test_duration_metrics(agents_run):
    """gen_ai.client.operation.duration has points for the chat calls, the agent and the tool."""
    receiver = agents_run.receiver
    assert {"chat", "invoke_agent", "execute_tool"} <= duration_operations(receiver)
    tokens = receiver.points("gen_ai.client.token.usage")
    inputs = sum(p["sum"] for p in tokens if p["attributes"]["gen_ai.token.type"] == "input")
    assert inputs == 100 * 2 * RUNS


def test_content_only_when_opted_in(agents_run):
    """Tool arguments and results, and messages, are absent by default; opted in they are
    recorded, with the e-mail address in the tool's result redacted."""
    (tool, *_) = [s for s in agents_run.spans if operation(s) == "execute_tool"]
    content_keys = {"gen_ai.tool.call.arguments", "gen_ai.tool.call.result", "gen_ai.input.messages",
                    "gen_ai.output.messages"}
    if "content" not in agents_run.variant:
        assert not [k for s in agents_run.spans for k in s["attributes"] if k in content_keys]
        return
    assert "A-100" in tool["attributes"]["gen_ai.tool.call.arguments"]
    result = tool["attributes"]["gen_ai.tool.call.result"]
    assert "shipped" in result and "jane.doe@example.com" not in result


def test_export_to_openai_can_be_turned_off():
    """AGENTOTEL_OPENAI_AGENTS_EXPORT=false: the SDK sends nothing to its trace ingest endpoint,
    and the run is still traced."""
    run = run_app("openai3", "openai_agents_app.py", expected_llm_spans=2, RUNS="1",
                  TRACE_INGEST_URL="{llm_base_url}/v1/traces/ingest", AGENTOTEL_OPENAI_AGENTS_EXPORT="false")
    assert not [r for r in run.provider_requests if r["path"].endswith("/traces/ingest")]
    assert [r["name"] for r in run.roots()] == ["invoke_workflow Agent workflow"]
    assert len([s for s in run.spans if operation(s) == "execute_tool"]) == 1
