"""pydantic-ai's agent runs and tool calls, translated into agentotel's records.

``AgentotelCapability`` is a pydantic-ai capability (the framework's own hook for wrapping a run
and each tool execution): a run → ``invoke_agent {agent name}``, current while the run is, so the
LLM requests the HTTP-layer capture records nest under it; a tool execution → ``execute_tool
{tool}`` with the call's id and the tool's description (arguments and result only with content
capture on). The run's ``conversation_id`` (carried on by a message history) becomes the
conversation unless the app set a scope itself. Never raises into the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opentelemetry import context as otel_context
from pydantic_ai.capabilities import AbstractCapability

from ...core import guard
from ...core.records import AgentInvocation, ToolExecution
from ..operations import Operations, with_conversation

_COMPONENT = "pydantic_ai"


@dataclass(init=False)
class AgentotelCapability(AbstractCapability[Any]):
    """Wraps every run and tool execution of an agent in an agentotel operation."""

    def __init__(self, operations: Operations):
        self._ops = operations

    async def for_run(self, ctx) -> AgentotelCapability:
        return self

    async def wrap_run(self, ctx, *, handler):
        step = object()
        with guard.contained(_COMPONENT):
            agent = getattr(ctx, "agent", None)
            name = (getattr(agent, "name", None) or "agent") if agent is not None else "agent"
            parent = with_conversation(otel_context.get_current(), getattr(ctx, "conversation_id", None), name)
            self._ops.start(step, None, AgentInvocation(name=name), attach=True, context=parent)
        try:
            result = await handler()
        except BaseException as exc:
            self._ops.end(step, exc if isinstance(exc, Exception) else None)
            raise
        self._ops.end(step)
        return result

    async def wrap_tool_execute(self, ctx, *, call, tool_def, args, handler):
        step = object()
        with guard.contained(_COMPONENT):
            record = ToolExecution(name=call.tool_name, call_id=getattr(call, "tool_call_id", None),
                                   description=getattr(tool_def, "description", None) or None)
            if self._ops.emitter.settings.capture_any_content:
                record.arguments = args
            self._ops.start(step, None, record, attach=True)
        try:
            result = await handler(args)
        except BaseException as exc:
            self._ops.end(step, exc if isinstance(exc, Exception) else None)
            raise
        with guard.contained(_COMPONENT):
            if self._ops.emitter.settings.capture_any_content:
                record.result = result
        self._ops.end(step)
        return result
