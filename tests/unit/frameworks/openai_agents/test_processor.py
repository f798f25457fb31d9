"""The OpenAI Agents SDK's trace processor, driven with the SDK's shapes of traces and spans."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from opentelemetry import trace

import agentotel
from agentotel.config import Settings
from agentotel.frameworks.operations import Operations
from agentotel.frameworks.openai_agents.processor import AgentotelProcessor


def sdk_trace(trace_id="trace_1", name="Agent workflow", group_id=None):
    return SimpleNamespace(trace_id=trace_id, name=name, group_id=group_id)


def sdk_span(span_id, kind, parent_id=None, trace_id="trace_1", error=None, **data):
    return SimpleNamespace(span_id=span_id, trace_id=trace_id, parent_id=parent_id, error=error,
                           span_data=SimpleNamespace(type=kind, **data))


def run(processor, tool_input='{"order_id": "A-1"}', tool_output="shipped, mail jane@example.com", tool_error=None,
        group_id="conv-7"):
    """One SDK run: trace → agent → (response, function, handoff, guardrail)."""
    t = sdk_trace(group_id=group_id)
    agent = sdk_span("span_agent", "agent", name="support")
    response = sdk_span("span_resp", "response", parent_id="span_agent")
    tool = sdk_span("span_tool", "function", parent_id="span_agent", error=tool_error, name="lookup_order",
                    input=tool_input, output=tool_output)
    handoff = sdk_span("span_handoff", "handoff", parent_id="span_agent", from_agent="support", to_agent="billing")
    guardrail = sdk_span("span_guard", "guardrail", parent_id="span_agent", name="no_pii", triggered=True)
    processor.on_trace_start(t)
    processor.on_span_start(agent)
    for span in (response, tool, handoff, guardrail):
        processor.on_span_start(span)
        processor.on_span_end(span)
    processor.on_span_end(agent)
    processor.on_trace_end(t)


@pytest.fixture
def processor(telemetry):
    return AgentotelProcessor(Operations("openai_agents", telemetry.emitter))


class TestTranslation:
    def test_run_tree(self, telemetry, processor):
        """A run is invoke_workflow → invoke_agent → execute_tool; response, handoff and guardrail spans make no span."""
        run(processor)
        spans = {s.name: s for s in telemetry.spans()}
        assert set(spans) == {"invoke_workflow Agent workflow", "invoke_agent support", "execute_tool lookup_order"}
        workflow, agent, tool = (spans[n] for n in ("invoke_workflow Agent workflow", "invoke_agent support",
                                                    "execute_tool lookup_order"))
        assert workflow.parent is None
        assert agent.parent.span_id == workflow.context.span_id
        assert tool.parent.span_id == agent.context.span_id
        assert tool.attributes["gen_ai.tool.type"] == "function"
        assert tool.attributes["gen_ai.agent.name"] == "support"

    def test_handoff_and_guardrail_are_events_on_the_agent(self, telemetry, processor):
        """Handoffs and guardrails become events on the agent's span, with the agents and the verdict."""
        run(processor)
        agent = telemetry.span("invoke_agent support")
        events = {e.name: dict(e.attributes) for e in agent.events}
        assert events["agentotel.agent.handoff"] == {"agentotel.handoff.from_agent": "support",
                                                     "agentotel.handoff.to_agent": "billing"}
        assert events["agentotel.guardrail"] == {"agentotel.guardrail.name": "no_pii", "agentotel.guardrail.triggered": True}

    def test_agent_is_current_while_its_span_is(self, telemetry, processor):
        """While the SDK's agent span is open, its invoke_agent span is current (LLM calls nest under it)."""
        processor.on_trace_start(sdk_trace())
        processor.on_span_start(sdk_span("a", "agent", name="support"))
        current = trace.get_current_span()
        processor.on_span_end(sdk_span("a", "agent", name="support"))
        processor.on_trace_end(sdk_trace())
        assert current.name == "invoke_agent support"
        assert not trace.get_current_span().is_recording()

    def test_tool_error(self, telemetry, processor):
        """The SDK's error on a function span is the tool span's error, its message the error type."""
        run(processor, tool_error={"message": "Error running tool", "data": {"error": "boom"}})
        tool = telemetry.span("execute_tool lookup_order")
        assert tool.status.status_code.name == "ERROR"
        assert tool.attributes["error.type"] == "Error running tool"
        assert "boom" in tool.status.description

    def test_never_raises(self, telemetry, processor):
        """A span the processor cannot read is reported, not raised into the SDK."""
        processor.on_span_start(SimpleNamespace())
        processor.on_span_end(SimpleNamespace())
        processor.on_trace_start(SimpleNamespace())
        processor.on_trace_end(SimpleNamespace())


class TestConversation:
    def test_group_id_is_the_conversation(self, telemetry, processor):
        """The trace's group_id is gen_ai.conversation.id on every span of the run."""
        run(processor, group_id="conv-7")
        assert {s.attributes.get("gen_ai.conversation.id") for s in telemetry.spans()} == {"conv-7"}

    def test_app_scope_wins(self, telemetry, processor):
        """A conversation scope the app set is kept over the group_id."""
        with agentotel.conversation("app-conv"):
            run(processor, group_id="conv-7")
        assert {s.attributes.get("gen_ai.conversation.id") for s in telemetry.spans()} == {"app-conv"}


class TestContent:
    def test_off_by_default(self, telemetry, processor):
        """Without content capture, the tool's input and output are not recorded."""
        run(processor)
        tool = telemetry.span("execute_tool lookup_order")
        assert "gen_ai.tool.call.arguments" not in tool.attributes and "gen_ai.tool.call.result" not in tool.attributes

    def test_on_and_redacted(self, make_telemetry):
        """With content capture on, the tool's input and output are recorded, redacted."""
        telemetry = make_telemetry(Settings(capture_content="span"))
        run(AgentotelProcessor(Operations("openai_agents", telemetry.emitter)))
        tool = telemetry.span("execute_tool lookup_order")
        assert "A-1" in tool.attributes["gen_ai.tool.call.arguments"]
        assert "shipped" in tool.attributes["gen_ai.tool.call.result"]
        assert "jane@example.com" not in tool.attributes["gen_ai.tool.call.result"]
