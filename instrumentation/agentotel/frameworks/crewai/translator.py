"""CrewAI's crews, agents and tools, translated into agentotel's records.

CrewAI reports its steps on an event bus whose handlers run later, on a thread pool: too late and
in the wrong place to make a step's span current for the LLM requests it sends. So the steps
themselves are wrapped (``WRAPS``), on CrewAI's own classes, never the app's:

- ``Crew.kickoff`` / ``akickoff`` → ``invoke_workflow {crew name}``;
- ``Agent.execute_task`` / ``aexecute_task`` → ``invoke_agent {role}`` (the goal as its
  description, the LLM's model): one invocation per task the agent works on, so a task is the
  agent's span, not one of its own;
- ``BaseTool.run`` / ``arun`` (and ``Tool``'s, which the ``@tool`` decorator makes) →
  ``execute_tool {tool name}``, arguments and result only with content capture on; a tool whose
  run calls another wrapped run of itself is one span.

Each is current while it runs, so the LLM calls the HTTP-layer capture records nest under it.
Never raises into CrewAI; what the wrapped call returns or raises is unchanged.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import trace

from ...core import guard
from ...core.records import AgentInvocation, ToolExecution, Workflow
from ..operations import Operations

_COMPONENT = "crewai"


def crew_record(instance: Any, args, kwargs) -> Workflow:
    name = getattr(instance, "name", None)
    return Workflow(name=name if isinstance(name, str) and name else "crew")


def agent_record(instance: Any, args, kwargs) -> AgentInvocation:
    role = getattr(instance, "role", None)
    goal = getattr(instance, "goal", None)
    model = getattr(getattr(instance, "llm", None), "model", None)
    return AgentInvocation(name=role if isinstance(role, str) and role else "agent",
                           description=goal if isinstance(goal, str) else None,
                           request_model=model if isinstance(model, str) else None)


def tool_record(instance: Any, args, kwargs) -> ToolExecution | None:
    name = getattr(instance, "name", None)
    name = name if isinstance(name, str) and name else "tool"
    if getattr(trace.get_current_span(), "name", None) == f"execute_tool {name}":
        return None  # the same tool's run, wrapped twice (Tool.run inside BaseTool's)
    description = getattr(instance, "description", None)
    return ToolExecution(name=name, description=description if isinstance(description, str) else None)


#: (module, class, method, async?, record maker) for every step that becomes an operation.
WRAPS: tuple[tuple[str, str, str, bool, Any], ...] = (
    ("crewai.crew", "Crew", "kickoff", False, crew_record),
    ("crewai.crew", "Crew", "akickoff", True, crew_record),
    ("crewai.agent.core", "Agent", "execute_task", False, agent_record),
    ("crewai.agent.core", "Agent", "aexecute_task", True, agent_record),
    ("crewai.tools.base_tool", "BaseTool", "run", False, tool_record),
    ("crewai.tools.base_tool", "BaseTool", "arun", True, tool_record),
    ("crewai.tools.base_tool", "Tool", "run", False, tool_record),
    ("crewai.tools.base_tool", "Tool", "arun", True, tool_record),
)


class Translator:
    """Makes the wrapt wrappers of ``WRAPS``: each step an operation, current while it runs."""

    def __init__(self, operations: Operations | None = None):
        self.ops = operations or Operations(_COMPONENT)

    def _begin(self, make, instance, args, kwargs):
        with guard.contained(_COMPONENT):
            record = make(instance, args, kwargs)
            if record is None:
                return None, None
            if isinstance(record, ToolExecution) and self.ops.emitter.settings.capture_any_content:
                record.arguments = dict(kwargs) if kwargs else list(args)
            step = object()
            self.ops.start(step, None, record, attach=True)
            return step, record
        return None, None

    def _conclude(self, step, record, result) -> None:
        with guard.contained(_COMPONENT):
            if isinstance(record, ToolExecution) and self.ops.emitter.settings.capture_any_content:
                record.result = result
        self.ops.end(step)

    def wrapper(self, make, is_async: bool):
        if is_async:
            async def async_wrapper(wrapped, instance, args, kwargs):
                step, record = self._begin(make, instance, args, kwargs)
                if step is None:
                    return await wrapped(*args, **kwargs)
                try:
                    result = await wrapped(*args, **kwargs)
                except BaseException as exc:
                    self.ops.end(step, exc if isinstance(exc, Exception) else None)
                    raise
                self._conclude(step, record, result)
                return result
            return async_wrapper

        def sync_wrapper(wrapped, instance, args, kwargs):
            step, record = self._begin(make, instance, args, kwargs)
            if step is None:
                return wrapped(*args, **kwargs)
            try:
                result = wrapped(*args, **kwargs)
            except BaseException as exc:
                self.ops.end(step, exc if isinstance(exc, Exception) else None)
                raise
            self._conclude(step, record, result)
            return result
        return sync_wrapper
