"""CrewAI's crew kickoff, agent task execution and tool runs, wrapped: driven with CrewAI's shapes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from opentelemetry import trace

from agentotel.config import Settings
from agentotel.frameworks.crewai.translator import Translator, agent_record, crew_record, tool_record
from agentotel.frameworks.operations import Operations

CREW = SimpleNamespace(name="support-crew")
AGENT = SimpleNamespace(role="support", goal="Answer questions.", llm=SimpleNamespace(model="gpt-4o-mini"))
TOOL = SimpleNamespace(name="lookup_order", description="Look up an order.")


def kickoff(translator, tool_result="shipped; mail jane@example.com", tool_error=None):
    """crew.kickoff → agent.execute_task → tool.run (wrapped twice, as Tool.run inside BaseTool.run)."""
    seen = {}

    def tool_run(**kwargs):
        seen["tool"] = trace.get_current_span().name
        if tool_error:
            raise tool_error
        return tool_result

    run_tool = translator.wrapper(tool_record, False)

    def execute_task(task):
        seen["agent"] = trace.get_current_span().name
        return run_tool(lambda **kw: run_tool(tool_run, TOOL, (), kw), TOOL, (), {"order_id": "A-1"})

    agent = translator.wrapper(agent_record, False)
    crew = translator.wrapper(crew_record, False)
    result = crew(lambda: agent(execute_task, AGENT, ("task",), {}), CREW, (), {})
    return result, seen


@pytest.fixture
def translator(telemetry):
    return Translator(Operations("crewai", telemetry.emitter))


def test_crew_agent_tool_tree(telemetry, translator):
    """A kickoff is invoke_workflow → invoke_agent → one execute_tool, each current while it runs."""
    result, seen = kickoff(translator)
    assert result == "shipped; mail jane@example.com"
    assert seen == {"agent": "invoke_agent support", "tool": "execute_tool lookup_order"}
    crew, agent = telemetry.span("invoke_workflow support-crew"), telemetry.span("invoke_agent support")
    tool = telemetry.span("execute_tool lookup_order")
    assert agent.parent.span_id == crew.context.span_id and tool.parent.span_id == agent.context.span_id
    assert agent.attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert agent.attributes["gen_ai.agent.description"] == "Answer questions."
    assert tool.attributes["gen_ai.tool.description"] == "Look up an order."
    assert "gen_ai.tool.call.arguments" not in tool.attributes


def test_tool_error_is_raised_unchanged(telemetry, translator):
    """A tool's exception reaches CrewAI unchanged and makes the tool span an error."""
    with pytest.raises(KeyError):
        kickoff(translator, tool_error=KeyError("A-1"))
    assert telemetry.span("execute_tool lookup_order").attributes["error.type"] == "KeyError"


def test_content_when_opted_in(make_telemetry):
    """With content capture on, the tool's arguments and result are recorded, redacted."""
    telemetry = make_telemetry(Settings(capture_content="span"))
    kickoff(Translator(Operations("crewai", telemetry.emitter)))
    tool = telemetry.span("execute_tool lookup_order")
    assert "A-1" in tool.attributes["gen_ai.tool.call.arguments"]
    assert "shipped" in tool.attributes["gen_ai.tool.call.result"]
    assert "jane@example.com" not in tool.attributes["gen_ai.tool.call.result"]


async def test_async_steps(telemetry, translator):
    """Async kickoffs and tool runs are wrapped alike."""
    async def arun(**kwargs):
        return trace.get_current_span().name

    crew = translator.wrapper(crew_record, True)
    tool = translator.wrapper(tool_record, True)
    assert await crew(lambda: tool(arun, TOOL, (), {}), CREW, (), {}) == "execute_tool lookup_order"
    assert {s.name for s in telemetry.spans()} == {"invoke_workflow support-crew", "execute_tool lookup_order"}


def test_unreadable_step_runs_untraced(telemetry, translator):
    """A step whose record cannot be made still runs and returns as without agentotel."""
    def broken(instance, args, kwargs):
        raise RuntimeError("unreadable")

    assert translator.wrapper(broken, False)(lambda: 42, object(), (), {}) == 42
    assert telemetry.spans() == []
