"""Framework steps by id: translated steps become operations, the others pass their parent's context on."""

from __future__ import annotations

from opentelemetry import trace

import agentotel
from agentotel.core.records import AgentInvocation, ToolExecution
from agentotel.frameworks.operations import Operations, with_conversation


def test_children_of_untranslated_steps_find_the_nearest_operation(telemetry):
    """A tool under a step that is not translated (a turn) is a child of the agent above it."""
    ops = Operations("test", telemetry.emitter)
    ops.start("agent", None, AgentInvocation(name="support"))
    ops.pass_through("turn", "agent")
    ops.start("tool", "turn", ToolExecution(name="lookup"))
    assert ops.owner_of("turn") is ops.owner_of("agent")
    for step in ("tool", "turn", "agent"):
        ops.end(step)
    agent, tool = telemetry.span("invoke_agent support"), telemetry.span("execute_tool lookup")
    assert tool.parent.span_id == agent.context.span_id
    assert tool.attributes["gen_ai.agent.name"] == "support"
    assert len(ops) == 0


def test_attached_step_is_current_until_it_ends(telemetry):
    """An attached step's span is current until the step ends; then the previous context is back."""
    ops = Operations("test", telemetry.emitter)
    ops.start("agent", None, AgentInvocation(name="support"), attach=True)
    assert trace.get_current_span().name == "invoke_agent support"
    ops.end("agent")
    assert not trace.get_current_span().is_recording()


def test_unknown_steps_are_ignored(telemetry):
    """Ending or holding a step never started does nothing."""
    ops = Operations("test", telemetry.emitter)
    assert ops.end("nope") is None and ops.hold("nope") is None


def test_conversation_only_when_the_app_set_none(telemetry):
    """A framework's conversation key becomes the scope, unless the app set one."""
    from opentelemetry import baggage, context

    assert baggage.get_baggage("gen_ai.conversation.id", with_conversation(context.get_current(), "c-1")) == "c-1"
    with agentotel.conversation("app"):
        ctx = with_conversation(context.get_current(), "c-1")
    assert baggage.get_baggage("gen_ai.conversation.id", ctx) == "app"
    assert with_conversation(context.get_current(), None) is context.get_current()
