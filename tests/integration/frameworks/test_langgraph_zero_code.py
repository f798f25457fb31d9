"""Zero-code LangGraph: a ``create_react_agent`` app with no telemetry code, run under
``opentelemetry-instrument``, exports one GenAI trace per run — invoke_agent with its chat,
execute_tool and retrieval spans — with the provider's tokens and the cost rolled up onto the agent."""

from __future__ import annotations

import pytest

from demo.fake_provider import OPENAI_USAGE, start_fake_provider

from tests.integration.frameworks.langgraph_runs import CLIENT, agent_traces, histogram_counts, histogram_sums, run_app

pytestmark = pytest.mark.integration

RUNS = 2
CALLS = RUNS * 2  # a tool call, then the answer
COST = (80 * 0.15 + 20 * 0.075 + 40 * 0.60) / 1e6  # gpt-4o-mini, OPENAI_USAGE per call
EMAIL = "jane.doe@example.com"
VARIANTS = {
    "chat-completions": {}, "chat-completions-streamed": {"STREAM": "1"},
    "responses": {"RESPONSES": "1"}, "responses-streamed": {"RESPONSES": "1", "STREAM": "1"},
    "async-streamed": {"MODE": "async", "STREAM": "1"},
}


@pytest.fixture(scope="module")
def provider():
    running = start_fake_provider()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def exported(provider):
    """What each variant of the app exported, run once per module."""
    cache = {}

    def get(variant: str, **env: str):
        key = (variant, tuple(sorted(env.items())))
        if key not in cache:
            cache[key] = run_app(provider.base_url, RUNS=str(RUNS), **VARIANTS[variant], **env)
        return cache[key]

    return get


def ops(spans, operation):
    return [s for s in spans if s["attributes"].get("gen_ai.operation.name") == operation]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_one_trace_per_run(exported, variant):
    """Each run is one trace: invoke_agent → two chat spans, execute_tool → retrieval; nothing else
    is exported as a root of its own."""
    receiver = exported(variant)
    traces = agent_traces(receiver)
    assert len(traces) == RUNS
    assert {s["trace_id"] for s in receiver.spans()} == set(traces), "stray root traces"
    for spans in traces.values():
        by_id = {s["span_id"]: s for s in spans}
        (agent,) = ops(spans, "invoke_agent")
        assert agent["name"] == "invoke_agent support" and agent["parent_span_id"] == ""
        chats, (tool,), (retrieval,) = ops(spans, "chat"), ops(spans, "execute_tool"), ops(spans, "retrieval")
        assert len(chats) == 2 and all(c["kind"] == CLIENT for c in chats)
        for child in chats + [tool]:
            assert child["parent_span_id"] == agent["span_id"], child["name"]
        assert by_id[retrieval["parent_span_id"]] is tool
        assert tool["attributes"]["gen_ai.tool.name"] == "lookup_order"
        assert tool["attributes"]["gen_ai.tool.call.id"] == "call_fake_1"
        assert retrieval["attributes"]["agentotel.retrieval.document.ids"] == ["order-A-1001"]
        assert retrieval["attributes"]["agentotel.retrieval.document.scores"] == [0.9]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_tokens_and_cost(exported, variant):
    """One LLM span per provider call, with the tokens the provider sent and its cost; the agent
    span carries the run's totals."""
    traces = agent_traces(exported(variant))
    for spans in traces.values():
        chats = ops(spans, "chat")
        for chat in chats:
            a = chat["attributes"]
            assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (OPENAI_USAGE.input,
                                                                                        OPENAI_USAGE.output)
            assert a["agentotel.cost.total"] == pytest.approx(COST)
        (agent,) = ops(spans, "invoke_agent")
        assert agent["attributes"]["agentotel.usage.llm_calls"] == 2
        assert agent["attributes"]["agentotel.usage.input_tokens"] == 2 * OPENAI_USAGE.input
        assert agent["attributes"]["agentotel.cost.total"] == pytest.approx(2 * COST)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_metrics(exported, variant):
    """gen_ai.client.operation.duration has a point per chat call, agent run and tool call; the
    token histogram sums to what the provider sent."""
    receiver = exported(variant)
    counts = histogram_counts(receiver, "gen_ai.client.operation.duration", "gen_ai.operation.name")
    assert (counts.get("chat"), counts.get("invoke_agent"), counts.get("execute_tool")) == (CALLS, RUNS, RUNS)
    tokens = histogram_sums(receiver, "gen_ai.client.token.usage", "gen_ai.token.type")
    assert tokens == {"input": CALLS * OPENAI_USAGE.input, "output": CALLS * OPENAI_USAGE.output}


def test_thread_id_is_the_conversation(exported):
    """LangGraph's thread_id is gen_ai.conversation.id on every span of its run, and each thread
    is a conversation in progress (agentotel.conversation.active)."""
    receiver = exported("chat-completions")
    conversations = set()
    for spans in agent_traces(receiver).values():
        ids = {s["attributes"].get("gen_ai.conversation.id") for s in spans}
        assert len(ids) == 1 and next(iter(ids)).startswith("thread-")
        conversations |= ids
    assert len(conversations) == RUNS
    assert sum(p["value"] for p in receiver.points("agentotel.conversation.active")) == RUNS


def test_content_absent_by_default(exported):
    """By default no prompt, answer, tool argument or result leaves the app."""
    receiver = exported("chat-completions", QUESTION=f"Mail {EMAIL} about A-1001 [scenario:tool_call]")
    for span in receiver.spans():
        text = str(span["attributes"])
        assert "A-1001" not in text.replace("order-A-1001", "") and EMAIL not in text, span["name"]


def test_content_redacted_when_opted_in(exported):
    """With content capture on, messages and tool arguments are recorded, the e-mail redacted."""
    receiver = exported("chat-completions", QUESTION=f"Mail {EMAIL} about A-1001 [scenario:tool_call]",
                        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT="true")
    spans = receiver.spans()
    chat = next(s for s in ops(spans, "chat") if "gen_ai.input.messages" in s["attributes"])
    assert "A-1001" in chat["attributes"]["gen_ai.input.messages"]
    assert EMAIL not in str([s["attributes"] for s in spans])
    (tool, *_) = ops(spans, "execute_tool")
    assert "A-1001" in tool["attributes"]["gen_ai.tool.call.arguments"]
    assert "shipped" in tool["attributes"]["gen_ai.tool.call.result"]
