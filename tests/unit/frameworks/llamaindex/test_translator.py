"""LlamaIndex's dispatcher spans and events, translated: driven with LlamaIndex's shapes."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from opentelemetry import trace

from agentotel.config import Settings
from agentotel.frameworks.llamaindex.translator import Translator
from agentotel.frameworks.operations import Operations


class BaseQueryEngine:
    pass


class RetrieverQueryEngine(BaseQueryEngine):
    pass


class BaseRetriever:
    pass


class VectorIndexRetriever(BaseRetriever):
    pass


class Workflow:
    pass


class BaseWorkflowAgent(Workflow):
    pass


class FunctionAgent(BaseWorkflowAgent):
    name = "support"


class RetrievalStartEvent(SimpleNamespace):
    pass


class RetrievalEndEvent(SimpleNamespace):
    pass


def span_id(qualname: str) -> str:
    return f"{qualname}-{uuid.uuid4()}"


def nodes(*pairs):
    return [SimpleNamespace(node=SimpleNamespace(node_id=node_id, get_content=lambda n=node_id: f"text of {n}"), score=score)
            for node_id, score in pairs]


def query(translator, stream=None):
    """A query: engine → retriever (start and end events) → synthesis (not translated)."""
    engine, retriever, synth = (span_id("RetrieverQueryEngine.query"), span_id("VectorIndexRetriever.retrieve"),
                                span_id("CompactAndRefine.synthesize"))
    translator.span_enter(engine, RetrieverQueryEngine())
    translator.span_enter(retriever, VectorIndexRetriever(), parent_id=engine)
    translator.event(RetrievalStartEvent(span_id=retriever, str_or_query_bundle="refunds? mail me at a@b.example"))
    translator.event(RetrievalEndEvent(span_id=retriever, nodes=nodes(("n-1", 0.91), ("n-2", 0.42))))
    translator.span_exit(retriever)
    translator.span_enter(synth, object(), parent_id=engine)
    inner = trace.get_current_span()
    translator.span_exit(synth)
    translator.span_exit(engine, stream)
    return inner


@pytest.fixture
def translator(telemetry):
    return Translator(Operations("llamaindex", telemetry.emitter))


class TestQueryEngine:
    def test_engine_and_retrieval(self, telemetry, translator):
        """A query engine run is invoke_agent; its retriever a retrieval child with the nodes' ids and scores."""
        query(translator)
        agent, retrieval = telemetry.span("invoke_agent RetrieverQueryEngine"), telemetry.span("retrieval VectorIndexRetriever")
        assert retrieval.parent.span_id == agent.context.span_id
        assert list(retrieval.attributes["agentotel.retrieval.document.ids"]) == ["n-1", "n-2"]
        assert list(retrieval.attributes["agentotel.retrieval.document.scores"]) == [0.91, 0.42]
        assert retrieval.attributes["agentotel.retrieval.outcome"] == "hit"
        assert "gen_ai.retrieval.query.text" not in retrieval.attributes
        assert "gen_ai.retrieval.documents" not in retrieval.attributes

    def test_untranslated_steps_run_in_the_engine(self, telemetry, translator):
        """A span that is not translated (synthesis) makes no span; what runs in it is under the engine."""
        inner = query(translator)
        assert inner.name == "invoke_agent RetrieverQueryEngine"
        assert len(telemetry.spans()) == 2

    def test_content_when_opted_in(self, make_telemetry):
        """With content capture on, the query and the nodes' text are recorded, redacted."""
        telemetry = make_telemetry(Settings(capture_content="span"))
        query(Translator(Operations("llamaindex", telemetry.emitter)))
        a = telemetry.span("retrieval VectorIndexRetriever").attributes
        assert "refunds?" in a["gen_ai.retrieval.query.text"] and "a@b.example" not in a["gen_ai.retrieval.query.text"]
        assert "text of n-1" in a["gen_ai.retrieval.documents"]

    def test_streamed_answer_ends_the_run_when_read(self, telemetry, translator):
        """A streamed answer keeps the engine's run open, is read in its context, and ends it when exhausted."""
        seen = []

        def answer():
            seen.append(trace.get_current_span().name)
            yield "a"
            yield "b"

        result = SimpleNamespace(response_gen=answer())
        query(translator, result)
        assert [s.name for s in telemetry.spans()] == ["retrieval VectorIndexRetriever"]
        assert list(result.response_gen) == ["a", "b"]
        assert seen == ["invoke_agent RetrieverQueryEngine"]
        assert {s.name for s in telemetry.spans()} == {"retrieval VectorIndexRetriever", "invoke_agent RetrieverQueryEngine"}


class TestAgents:
    def test_agent_run_and_tool_call(self, telemetry, translator):
        """A workflow agent's run is invoke_agent {name}; its call_tool step execute_tool with the call id."""
        run, step = span_id("FunctionAgent.run"), span_id("BaseWorkflowAgent.call_tool")
        translator.span_enter(run, FunctionAgent())
        event = SimpleNamespace(tool_name="lookup_order", tool_id="call_1", tool_kwargs={"order_id": "A-1"})
        translator.span_enter(step, None, SimpleNamespace(arguments={"ev": event}), parent_id=run)
        translator.span_exit(step, SimpleNamespace(tool_output=SimpleNamespace(content="shipped", is_error=False)))
        translator.span_exit(run)
        agent, tool = telemetry.span("invoke_agent support"), telemetry.span("execute_tool lookup_order")
        assert tool.parent.span_id == agent.context.span_id
        assert tool.attributes["gen_ai.tool.call.id"] == "call_1"
        assert "gen_ai.tool.call.arguments" not in tool.attributes

    def test_tool_error(self, telemetry, translator):
        """A tool output marked as an error makes the tool span an error."""
        step = span_id("BaseWorkflowAgent.call_tool")
        event = SimpleNamespace(tool_name="lookup_order", tool_id="call_1", tool_kwargs={})
        translator.span_enter(step, None, SimpleNamespace(arguments={"ev": event}))
        translator.span_exit(step, SimpleNamespace(tool_output=SimpleNamespace(content="no such order", is_error=True)))
        tool = telemetry.span("execute_tool lookup_order")
        assert tool.status.status_code.name == "ERROR" and tool.attributes["error.type"] == "tool_error"

    def test_other_workflows(self, telemetry, translator):
        """A workflow that is not an agent is invoke_workflow {class}."""
        run = span_id("MyFlow.run")
        translator.span_enter(run, type("MyFlow", (Workflow,), {})())
        translator.span_exit(run)
        assert telemetry.span("invoke_workflow MyFlow").attributes["gen_ai.workflow.name"] == "MyFlow"

    def test_dropped_span_is_an_error(self, telemetry, translator):
        """A span LlamaIndex drops with an exception ends with that error."""
        run = span_id("FunctionAgent.run")
        translator.span_enter(run, FunctionAgent())
        translator.span_drop(run, ValueError("boom"))
        assert telemetry.span("invoke_agent support").attributes["error.type"] == "ValueError"

    def test_never_raises(self, telemetry, translator):
        """Shapes the translator cannot read are reported, not raised into LlamaIndex."""
        translator.span_enter(None, object())
        translator.span_exit("unknown-span")
        translator.event(RetrievalEndEvent(span_id=None, nodes=None))
