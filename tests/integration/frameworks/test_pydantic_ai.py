"""pydantic-ai under ``opentelemetry-instrument``, with no telemetry code in the app
(``apps/pydantic_ai_app.py``): two runs of one agent that calls one tool and then answers, over
Chat Completions and the Responses API, plain and streamed — and once with pydantic-ai's own
instrumentation on (``Agent.instrument_all()``), whose spans agentotel completes.
"""

from __future__ import annotations

import pytest

from .framework_apps import OPENAI_COST, llm_spans, operation, run_app

pytestmark = pytest.mark.integration

RUNS = 2
VARIANTS = {
    "chat_completions": {"OPENAI_API": "chat_completions"},
    "responses-stream": {"OPENAI_API": "responses", "STREAM": "1"},
    "chat_completions-content": {"OPENAI_API": "chat_completions",
                                 "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only"},
    "instrument_all": {"OPENAI_API": "chat_completions", "PYDANTIC_AI_INSTRUMENT": "1"},
}


@pytest.fixture(scope="module", params=list(VARIANTS))
def pydantic_run(request):
    """The app's two runs in one variant; what the provider and the receiver got."""
    run = run_app("openai3", "pydantic_ai_app.py", expected_llm_spans=2 * RUNS, RUNS=str(RUNS), **VARIANTS[request.param])
    run.variant = request.param
    return run


def test_app_answers(pydantic_run):
    """The instrumented app works: every run ends with the fake provider's answer."""
    assert pydantic_run.stdout.count("answer: You asked: Where is my order") == RUNS


def test_one_trace_per_run_rooted_at_the_agent(pydantic_run):
    """Each run is one trace whose root is ``invoke_agent support``; nothing else starts a trace."""
    roots = pydantic_run.roots()
    assert [r["name"] for r in roots] == ["invoke_agent support"] * RUNS
    assert len(pydantic_run.traces()) == RUNS


def test_span_tree(pydantic_run):
    """Both chat calls and the tool call (with its call id) directly under the agent."""
    for spans in pydantic_run.traces().values():
        (agent,) = [s for s in spans if operation(s) == "invoke_agent"]
        (tool,) = [s for s in spans if operation(s) == "execute_tool"]
        assert tool["name"] == "execute_tool lookup_order" and tool["parent_span_id"] == agent["span_id"]
        assert tool["attributes"]["gen_ai.tool.call.id"] == "call_fake_1"
        chats = llm_spans(spans)
        assert len(chats) == 2 and all(c["parent_span_id"] == agent["span_id"] for c in chats)


def test_one_llm_span_per_provider_call_with_its_tokens_and_cost(pydantic_run):
    """Exactly one LLM span per call the provider received, with the tokens it sent and the
    catalog's cost, rolled up onto the agent."""
    spans = llm_spans(pydantic_run.spans)
    assert len(spans) == len(pydantic_run.llm_requests()) == 2 * RUNS
    for span in spans:
        assert span["attributes"]["gen_ai.usage.input_tokens"] == 100
        assert span["attributes"]["gen_ai.usage.output_tokens"] == 40
        assert span["attributes"]["agentotel.cost.total"] == pytest.approx(OPENAI_COST)
    for spans in pydantic_run.traces().values():
        (agent,) = [s for s in spans if operation(s) == "invoke_agent"]
        assert agent["attributes"]["agentotel.cost.total"] == pytest.approx(2 * OPENAI_COST)


def test_conversation_from_the_run(pydantic_run):
    """The run's conversation id is on every span of its trace, one per run."""
    ids = set()
    for spans in pydantic_run.traces().values():
        found = {s["attributes"].get("gen_ai.conversation.id") for s in spans}
        assert len(found) == 1 and None not in found
        ids |= found
    assert len(ids) == RUNS


def test_duration_metrics(pydantic_run):
    """gen_ai.client.operation.duration has a point per chat call — with pydantic-ai's own
    instrumentation too, which records none — and, without it, per agent run and tool call;
    token usage is counted once."""
    receiver = pydantic_run.receiver
    points = receiver.points("gen_ai.client.operation.duration")
    counts = {}
    for point in points:
        op = point["attributes"].get("gen_ai.operation.name")
        counts[op] = counts.get(op, 0) + point["count"]
    assert counts.get("chat") == 2 * RUNS
    if pydantic_run.variant != "instrument_all":
        assert counts.get("invoke_agent") == RUNS and counts.get("execute_tool") == RUNS
    tokens = receiver.points("gen_ai.client.token.usage")
    inputs = sum(p["sum"] for p in tokens if p["attributes"]["gen_ai.token.type"] == "input")
    assert inputs == 100 * 2 * RUNS


def test_content_only_when_opted_in(pydantic_run):
    """agentotel records tool arguments and results only when content capture is on, redacted;
    with pydantic-ai's own instrumentation on, the tool spans are pydantic-ai's alone."""
    (tool, *_) = [s for s in pydantic_run.spans if operation(s) == "execute_tool"]
    if pydantic_run.variant == "instrument_all":
        assert {s["scope"] for s in pydantic_run.spans if operation(s) == "execute_tool"} == {"pydantic-ai"}
        return
    if "content" not in pydantic_run.variant:
        assert "gen_ai.tool.call.arguments" not in tool["attributes"]
        assert "gen_ai.tool.call.result" not in tool["attributes"]
        return
    assert "A-100" in tool["attributes"]["gen_ai.tool.call.arguments"]
    result = tool["attributes"]["gen_ai.tool.call.result"]
    assert "shipped" in result and "jane.doe@example.com" not in result
