"""Open operations of a framework's run, keyed by the framework's own span or run ids.

A framework that reports its steps through start/end hooks (a trace processor, a span handler, a
capability) gives each step an id and its parent's id. ``Operations`` starts, for a step that is
translated, the record's operation with the emitter, as a child of its parent step's context, and
keeps it in ``runs.Runs``; a step that is not translated (a turn, a synthesis) is kept with its
parent's context, so its children still find the nearest translated ancestor. It only translates
ids into contexts and records; ``Emitter`` makes every span, metric and event.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import baggage, trace
from opentelemetry import context as otel_context

from ..core import guard
from ..core.emitter import Emitter, Operation
from ..core.records import AgentInvocation
from ..core.runtime import get_emitter, get_signals
from ..core.scope import AGENT_KEY, conversation_attributes
from ..semconv import agentotel_names
from ..semconv import genai
from .runs import Attached, Run, Runs


class FrameworkError(Exception):
    """An error a framework reported as data (a message), not as an exception."""


def with_conversation(ctx, conversation_id: str | None, agent: str | None = None):
    """``ctx`` carrying ``conversation_id`` as the conversation scope (``gen_ai.conversation.id`` in
    W3C baggage), unless the app set a scope itself or there is no id. A new conversation is
    counted as one the conversation metrics follow."""
    if not conversation_id or conversation_attributes(ctx).get(genai.GEN_AI_CONVERSATION_ID):
        return ctx
    ctx = baggage.set_baggage(genai.GEN_AI_CONVERSATION_ID, str(conversation_id), ctx)
    with guard.contained("frameworks"):
        get_signals().start(str(conversation_id), agent, conversation_attributes(ctx).get(agentotel_names.TENANT_ID))
    return ctx


class Operations:
    """Steps by framework id (``Run.extra``: the nearest translated step's operation). Thread-safe;
    never raises into the framework."""

    def __init__(self, component: str, emitter: Emitter | None = None):
        self.component = component
        self._emitter = emitter
        self.runs = Runs()

    @property
    def emitter(self) -> Emitter:
        return self._emitter or get_emitter()

    def context_of(self, parent_id: Any):
        """The context a child of ``parent_id`` starts in: its step's, else the current one."""
        return self.runs.context_for(parent_id)

    def owner_of(self, step_id: Any) -> Operation | None:
        """The operation of the step, or of its nearest translated ancestor."""
        run = self.runs.get(step_id) if step_id is not None else None
        return run.extra if run is not None else None

    def record_of(self, step_id: Any):
        """The record of the step's own operation (None: not translated or unknown)."""
        run = self.runs.get(step_id) if step_id is not None else None
        return run.op.record if run is not None and run.op is not None else None

    def start(self, step_id: Any, parent_id: Any, record, attach: bool = False, context=None) -> Operation | None:
        """Start ``record`` as a child of step ``parent_id`` (or of ``context``, or of the current
        context); with ``attach`` its context becomes the current one until ``end`` (so what the
        step calls — an LLM request — nests under it)."""
        with guard.contained(self.component):
            parent_ctx = context if context is not None else self.runs.context_for(parent_id)
            op = self.emitter.start(record, parent_ctx)
            ctx = trace.set_span_in_context(op.span, parent_ctx)
            if isinstance(record, AgentInvocation):
                ctx = otel_context.set_value(AGENT_KEY, record.name, ctx)
            self.runs.open(step_id, Run(op, ctx, Attached(ctx) if attach else None, extra=op))
            return op
        return None

    def pass_through(self, step_id: Any, parent_id: Any) -> None:
        """A step that is not translated: its children start where its parent's do."""
        with guard.contained(self.component):
            parent = self.runs.get(parent_id) if parent_id is not None else None
            if parent is None:
                self.runs.open(step_id, Run(None, otel_context.get_current()))
            else:
                self.runs.open(step_id, Run(None, parent.context, extra=parent.extra))

    def hold(self, step_id: Any):
        """The framework's step returned but its operation goes on (a stream it returned is still
        to be read): restore the context ``start`` replaced, keep the operation open, and return
        the context its remaining work runs in (None: unknown step)."""
        run = self.runs.get(step_id)
        if run is None:
            return None
        self._restore(run)
        return run.context

    def end(self, step_id: Any, error: BaseException | None = None) -> Operation | None:
        """End the step's operation (if any) and restore the context ``start`` replaced."""
        run = self.runs.close(step_id)
        if run is None:
            return None
        self._restore(run)
        if run.op is not None:
            self.emitter.end(run.op, error=error)
        return run.op

    def _restore(self, run: Run) -> None:
        if run.attached is not None:
            with guard.contained(self.component):
                run.attached.restore()  # only while its context is current (it may end elsewhere)
            run.attached = None

    def __len__(self) -> int:
        return len(self.runs)
