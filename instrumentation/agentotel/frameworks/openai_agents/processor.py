"""The OpenAI Agents SDK's traces, translated into agentotel's records.

``AgentotelProcessor`` is a ``TracingProcessor`` (the SDK's own interface, registered with
``agents.add_trace_processor``). It translates:

- a trace (one ``Runner.run``, or the app's ``trace(...)`` block) → ``invoke_workflow {workflow name}``,
  the root of the run, so a run with handoffs is still one trace; its ``group_id`` becomes the
  conversation (``gen_ai.conversation.id``) unless the app set a scope itself;
- ``AgentSpanData`` → ``invoke_agent {name}``; ``FunctionSpanData`` → ``execute_tool {name}``
  (input and output only with content capture on; the SDK's error → the span's error);
- ``HandoffSpanData`` and ``GuardrailSpanData`` → events on the agent's span (the GenAI
  conventions have no operation for them): ``agentotel.agent.handoff`` with the two agents,
  ``agentotel.guardrail`` with its name and whether it tripped;
- ``GenerationSpanData`` / ``ResponseSpanData``: nothing. The LLM call they describe is recorded
  by the HTTP-layer capture (``agentotel_llm``), as the one LLM span of the call, under the agent
  whose context is current while it is sent;
- every other span (task, turn, custom, MCP listing...): not a span; its children go to its parent.

Agent and tool spans are made current while the SDK's span is, so the LLM requests and anything
else the agent or tool calls nest under them. Never raises into the SDK.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import context as otel_context

from ...core import guard
from ...core.records import AgentInvocation, ToolExecution, Workflow
from ...semconv import agentotel_names
from ..operations import FrameworkError, Operations, with_conversation

_COMPONENT = "openai_agents"


def _error_of(span) -> FrameworkError | None:
    """The SDK's error of a span (a message and data), as an exception to record."""
    error = getattr(span, "error", None)
    if not error:
        return None
    message = str(error.get("message") or "error")
    data = error.get("data") or {}
    detail = data.get("error") if isinstance(data, dict) else None
    exc = FrameworkError(f"{message}: {detail}" if detail else message)
    exc.error_type = message
    return exc


class AgentotelProcessor:
    """A ``TracingProcessor`` of the OpenAI Agents SDK that feeds agentotel's emitter.

    Duck-typed to the SDK's interface (``on_trace_start/end``, ``on_span_start/end``,
    ``shutdown``, ``force_flush``) so this module imports without the SDK."""

    def __init__(self, operations: Operations | None = None):
        self.ops = operations or Operations(_COMPONENT)
        self.enabled = True

    # --------------------------------------------------------------- traces
    def on_trace_start(self, trace) -> None:
        if not self.enabled:
            return
        with guard.contained(_COMPONENT):
            ctx = with_conversation(otel_context.get_current(), getattr(trace, "group_id", None))
            self.ops.start(trace.trace_id, None, Workflow(name=trace.name or "Agent workflow"),
                           attach=True, context=ctx)

    def on_trace_end(self, trace) -> None:
        with guard.contained(_COMPONENT):
            self.ops.end(trace.trace_id)

    # --------------------------------------------------------------- spans
    def on_span_start(self, span) -> None:
        if not self.enabled:
            return
        with guard.contained(_COMPONENT):
            data = span.span_data
            parent = span.parent_id or span.trace_id
            kind = getattr(data, "type", None)
            if kind == "agent":
                self.ops.start(span.span_id, parent, AgentInvocation(name=data.name or "agent"), attach=True)
            elif kind == "function":
                self.ops.start(span.span_id, parent, ToolExecution(name=data.name or "tool", type="function"),
                               attach=True)
            else:
                self.ops.pass_through(span.span_id, parent)

    def on_span_end(self, span) -> None:
        with guard.contained(_COMPONENT):
            data = span.span_data
            kind = getattr(data, "type", None)
            error = _error_of(span)
            if kind == "function":
                self._end_tool(span, data)
            elif kind == "handoff":
                self._event(span, agentotel_names.EVENT_HANDOFF, {agentotel_names.HANDOFF_FROM_AGENT: data.from_agent,
                                                    agentotel_names.HANDOFF_TO_AGENT: data.to_agent})
            elif kind == "guardrail":
                self._event(span, agentotel_names.EVENT_GUARDRAIL, {agentotel_names.GUARDRAIL_NAME: data.name,
                                                      agentotel_names.GUARDRAIL_TRIGGERED: bool(data.triggered)})
            record = self.ops.record_of(span.span_id)
            if record is not None and error is not None:
                record.error_type = error.error_type
            self.ops.end(span.span_id, error)

    def _end_tool(self, span, data) -> None:
        record = self.ops.record_of(span.span_id)
        if record is None or not self.ops.emitter.settings.capture_any_content:
            return
        record.arguments = _json_or_text(data.input)
        record.result = _json_or_text(data.output)

    def _event(self, span, name: str, attributes: dict[str, Any]) -> None:
        owner = self.ops.owner_of(span.span_id)
        if owner is not None:
            self.ops.emitter.add_event(owner, name, attributes)

    # --------------------------------------------------------------- lifecycle
    def shutdown(self) -> None:
        self.enabled = False

    def force_flush(self) -> None:
        with guard.contained(_COMPONENT):
            self.ops.emitter.drain(timeout=5)


def _json_or_text(value: Any) -> Any:
    """A tool's input or output as the SDK recorded it (a JSON string, mostly): parsed when it is JSON."""
    if isinstance(value, str):
        import json

        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
