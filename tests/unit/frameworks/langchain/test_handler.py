"""LangGraph runs become one GenAI trace: invoke_agent with its chat and execute_tool spans, one LLM
span per provider call, tokens as the provider sent them, cost rolled up onto the agent."""

from __future__ import annotations

import warnings

import pytest

from demo.fake_provider import OPENAI_USAGE

from tests.unit.frameworks.langchain.agents import QUESTION, make_agent

warnings.filterwarnings("ignore", message=".*create_react_agent.*")
COST = (80 * 0.15 + 20 * 0.075 + 40 * 0.60) / 1e6  # gpt-4o-mini, OPENAI_USAGE per call


def by_operation(spans, operation):
    return [s for s in spans if s.attributes.get("gen_ai.operation.name") == operation]


def assert_agent_trace(telemetry, agent_name="support"):
    spans = telemetry.spans()
    (agent,) = by_operation(spans, "invoke_agent")
    assert agent.name == f"invoke_agent {agent_name}" and agent.parent is None
    assert {s.context.trace_id for s in spans} == {agent.context.trace_id}, [s.name for s in spans]
    chats = by_operation(spans, "chat")
    (tool,) = by_operation(spans, "execute_tool")
    assert len(chats) == 2  # the tool call, then the answer
    for span in chats + [tool]:
        assert span.parent.span_id == agent.context.span_id, span.name
        assert span.attributes["gen_ai.agent.name"] == agent_name
    for chat in chats:
        assert chat.attributes["gen_ai.usage.input_tokens"] == OPENAI_USAGE.input
        assert chat.attributes["gen_ai.usage.output_tokens"] == OPENAI_USAGE.output
        assert chat.attributes["agentotel.cost.total"] == pytest.approx(COST)
    assert agent.attributes["agentotel.usage.llm_calls"] == 2
    assert agent.attributes["agentotel.usage.input_tokens"] == 2 * OPENAI_USAGE.input
    assert agent.attributes["agentotel.cost.total"] == pytest.approx(2 * COST)
    assert tool.attributes["gen_ai.tool.name"] == "lookup_order"
    assert tool.attributes["gen_ai.tool.call.id"] == "call_fake_1"
    return agent, chats, tool


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("responses", [False, True], ids=["chat-completions", "responses"])
def test_sync_run_is_one_trace(instrumented, fake_provider, stream, responses):
    """``invoke``: invoke_agent → two chat spans and the tool's execute_tool span, one trace."""
    answer = make_agent(fake_provider.base_url, stream=stream, responses=responses).invoke(
        {"messages": [("user", QUESTION)]})
    assert "canned answer" in str(answer["messages"][-1].content)
    assert_agent_trace(instrumented)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
async def test_async_run_is_one_trace(instrumented, fake_provider, stream):
    """``ainvoke``: the same tree as a synchronous run."""
    await make_agent(fake_provider.base_url, stream=stream).ainvoke({"messages": [("user", QUESTION)]})
    assert_agent_trace(instrumented)


def test_duration_metrics(instrumented, fake_provider):
    """gen_ai.client.operation.duration has points for chat, invoke_agent and execute_tool."""
    make_agent(fake_provider.base_url).invoke({"messages": [("user", QUESTION)]})
    operations = {attributes["gen_ai.operation.name"]: point.count
                  for attributes, point in instrumented.points("gen_ai.client.operation.duration")}
    assert operations == {"chat": 2, "invoke_agent": 1, "execute_tool": 1}
    tokens = {attributes["gen_ai.token.type"]: point.sum
              for attributes, point in instrumented.points("gen_ai.client.token.usage")}
    assert tokens == {"input": 2 * OPENAI_USAGE.input, "output": 2 * OPENAI_USAGE.output}


def test_thread_id_is_the_conversation(instrumented, fake_provider):
    """LangGraph's configurable.thread_id becomes gen_ai.conversation.id on every span of the run."""
    make_agent(fake_provider.base_url).invoke({"messages": [("user", QUESTION)]},
                                             config={"configurable": {"thread_id": "thread-42"}})
    spans = instrumented.spans()
    assert spans and {s.attributes.get("gen_ai.conversation.id") for s in spans} == {"thread-42"}


def test_app_scope_wins_over_thread_id(instrumented, fake_provider):
    """A conversation scope the app set itself is kept; the thread id does not replace it."""
    import agentotel

    with agentotel.conversation("conv-app"):
        make_agent(fake_provider.base_url).invoke({"messages": [("user", QUESTION)]},
                                                 config={"configurable": {"thread_id": "thread-42"}})
    assert {s.attributes.get("gen_ai.conversation.id") for s in instrumented.spans()} == {"conv-app"}


def test_content_off_by_default(instrumented, fake_provider):
    """No prompt, answer, tool argument or result is recorded unless content capture is on."""
    make_agent(fake_provider.base_url).invoke({"messages": [("user", QUESTION)]})
    for span in instrumented.spans():
        assert not any(key.startswith(("gen_ai.input", "gen_ai.output", "gen_ai.tool.call.arguments",
                                       "gen_ai.tool.call.result")) for key in span.attributes), span.name


def test_uninstrument_stops_recording(telemetry, fake_provider):
    """After ``uninstrument`` a run makes no agent or tool span."""
    from agentotel.frameworks.langchain import LangChainInstrumentor

    instrumentor = LangChainInstrumentor()
    instrumentor.instrument()
    instrumentor.uninstrument()
    make_agent(fake_provider.base_url).invoke({"messages": [("user", QUESTION)]})
    assert not by_operation(telemetry.spans(), "invoke_agent")


def test_call_nobody_captured_is_recorded_from_langchain(telemetry, fake_provider):
    """A provider capture does not route: the chat model run itself becomes the LLM span, with
    LangChain's usage and the cost, under the agent — still one LLM span per call."""
    from agentotel.frameworks.langchain import LangChainInstrumentor

    instrumentor = LangChainInstrumentor()
    instrumentor.instrument()
    try:
        make_agent(fake_provider.base_url).invoke({"messages": [("user", QUESTION)]})
    finally:
        instrumentor.uninstrument()
    spans = telemetry.spans()
    (agent,) = by_operation(spans, "invoke_agent")
    chats = by_operation(spans, "chat")
    assert len(chats) == 2
    for chat in chats:
        assert chat.name == "chat gpt-4o-mini" and chat.parent.span_id == agent.context.span_id
        assert chat.attributes["gen_ai.provider.name"] == "openai"
        assert chat.attributes["gen_ai.usage.input_tokens"] == OPENAI_USAGE.input
        assert chat.attributes["agentotel.cost.total"] == pytest.approx(COST)
    assert agent.attributes["agentotel.usage.llm_calls"] == 2


def test_steps_are_spans_when_asked(make_telemetry, fake_provider):
    """With AGENTOTEL_FRAMEWORK_STEP_SPANS the graph's nodes become invoke_workflow spans under
    the agent; by default they are none."""
    from agentotel.capture import LLMInstrumentor
    from agentotel.config import Settings
    from agentotel.frameworks.langchain import LangChainInstrumentor

    telemetry = make_telemetry(Settings(framework_step_spans=True))
    capture, instrumentor = LLMInstrumentor(), LangChainInstrumentor()
    capture.instrument(base_urls={f"{fake_provider.base_url}/v1": "openai"})
    instrumentor.instrument()
    try:
        make_agent(fake_provider.base_url).invoke({"messages": [("user", QUESTION)]})
    finally:
        instrumentor.uninstrument()
        capture.uninstrument()
    spans = telemetry.spans()
    (agent,) = by_operation(spans, "invoke_agent")
    steps = {s.name for s in by_operation(spans, "invoke_workflow")}
    assert {"invoke_workflow agent", "invoke_workflow tools"} <= steps
    nodes = [s for s in spans if s.name == "invoke_workflow agent"]
    assert all(s.parent.span_id == agent.context.span_id for s in nodes)


def test_retriever_run_is_a_retrieval_span(instrumented):
    """A LangChain retriever run is a retrieval span with its documents' ids and scores."""
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    class Notes(BaseRetriever):
        def _get_relevant_documents(self, query, *, run_manager):
            return [Document(page_content="card 4111 1111 1111 1111", id="note-1", metadata={"score": 0.8})]

    Notes().invoke("refund")
    (span,) = by_operation(instrumented.spans(), "retrieval")
    assert span.name == "retrieval Notes"
    assert span.attributes["agentotel.retrieval.document.ids"] == ("note-1",)
    assert span.attributes["agentotel.retrieval.document.scores"] == (0.8,)
    assert "4111" not in str(dict(span.attributes))


def test_graph_inside_a_node_is_an_agent_under_the_outer_one(instrumented, fake_provider):
    """A graph used as another graph's node becomes an invoke_agent span (named after the node)
    under the outer graph's, with its calls and tools below it."""
    from langgraph.graph import START, MessagesState, StateGraph

    inner = make_agent(fake_provider.base_url)
    outer = StateGraph(MessagesState)
    outer.add_node("support_desk", inner)
    outer.add_edge(START, "support_desk")
    outer.compile(name="front_office").invoke({"messages": [("user", QUESTION)]})
    spans = instrumented.spans()
    agents = {s.name: s for s in by_operation(spans, "invoke_agent")}
    assert set(agents) == {"invoke_agent front_office", "invoke_agent support_desk"}
    assert agents["invoke_agent support_desk"].parent.span_id == agents["invoke_agent front_office"].context.span_id
    for span in by_operation(spans, "chat") + by_operation(spans, "execute_tool"):
        assert span.parent.span_id == agents["invoke_agent support_desk"].context.span_id, span.name
    assert agents["invoke_agent front_office"].attributes["agentotel.usage.llm_calls"] == 2
