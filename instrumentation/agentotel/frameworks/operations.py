"""Open operations of a framework's run, keyed by the framework's own span or run ids.

A framework that reports its steps through start/end hooks (a trace processor, a span handler)
gives each step an id and its parent's id. ``Operations`` keeps, per id, the OpenTelemetry context
its children start in: the agentotel operation started for the step, or — for a step that is not
translated (a turn, a chain) — its parent's context, so a child always finds the nearest
translated ancestor. It only translates ids into contexts; ``Emitter`` makes every span.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from opentelemetry import baggage, trace
from opentelemetry import context as otel_context

from ..core import guard
from ..core.emitter import Emitter, Operation
from ..core.records import AgentInvocation
from ..core.runtime import get_emitter, get_signals
from ..core.scope import AGENT_KEY, conversation_attributes
from ..semconv import genai as G


@dataclass(slots=True)
class Step:
    """A framework step: the context its children start in, its operation (None: not translated)
    and the nearest translated step's operation (its own, or an ancestor's)."""

    context: Any
    op: Operation | None = None
    owner: Operation | None = None
    token: Any = None


class FrameworkError(Exception):
    """An error a framework reported as data (a message), not as an exception."""


def with_conversation(ctx, conversation_id: str | None, agent: str | None = None):
    """``ctx`` carrying ``conversation_id`` as the conversation scope (``gen_ai.conversation.id`` in
    W3C baggage), unless the app set a scope itself or there is no id. A new conversation is
    counted as one the conversation metrics follow."""
    if not conversation_id or conversation_attributes(ctx).get(G.GEN_AI_CONVERSATION_ID):
        return ctx
    ctx = baggage.set_baggage(G.GEN_AI_CONVERSATION_ID, str(conversation_id), ctx)
    with guard.contained("frameworks"):
        get_signals().start(str(conversation_id), agent, conversation_attributes(ctx).get("agentotel.tenant.id"))
    return ctx


class Operations:
    """Steps by framework id. Thread-safe; never raises into the framework."""

    def __init__(self, component: str, emitter: Emitter | None = None):
        self.component = component
        self._emitter = emitter
        self._steps: dict[Any, Step] = {}
        self._lock = threading.Lock()

    @property
    def emitter(self) -> Emitter:
        return self._emitter or get_emitter()

    def context_of(self, parent_id: Any):
        """The context a child of ``parent_id`` starts in: its step's, else the current one."""
        step = self._steps.get(parent_id) if parent_id is not None else None
        return step.context if step is not None else otel_context.get_current()

    def owner_of(self, step_id: Any) -> Operation | None:
        """The operation of the step, or of its nearest translated ancestor."""
        step = self._steps.get(step_id) if step_id is not None else None
        return step.owner if step is not None else None

    def start(self, step_id: Any, parent_id: Any, record, attach: bool = False, context=None) -> Operation | None:
        """Start ``record`` as a child of step ``parent_id`` (or of ``context``, or of the current
        context); with ``attach`` its context becomes the current one until ``end`` (so what the
        step calls — an LLM request — nests under it)."""
        with guard.contained(self.component):
            parent_ctx = context if context is not None else self.context_of(parent_id)
            op = self.emitter.start(record, parent_ctx)
            ctx = trace.set_span_in_context(op.span, parent_ctx)
            if isinstance(record, AgentInvocation):
                ctx = otel_context.set_value(AGENT_KEY, record.name, ctx)
            step = Step(ctx, op, op)
            if attach:
                step.token = otel_context.attach(ctx)
            with self._lock:
                self._steps[step_id] = step
            return op
        return None

    def pass_through(self, step_id: Any, parent_id: Any) -> None:
        """A step that is not translated: its children start where its parent's do."""
        parent = self._steps.get(parent_id) if parent_id is not None else None
        step = Step(parent.context, None, parent.owner) if parent is not None else Step(otel_context.get_current())
        with self._lock:
            self._steps[step_id] = step

    def record_of(self, step_id: Any):
        """The record of the step's own operation (None: not translated or unknown)."""
        step = self._steps.get(step_id)
        return step.op.record if step is not None and step.op is not None else None

    def _detach(self, step: Step) -> None:
        if step.token is not None:
            with guard.contained(self.component):
                # Only where it was attached: a step may end in another task than it started in.
                if trace.get_current_span() is (step.op.span if step.op else None):
                    otel_context.detach(step.token)
            step.token = None

    def hold(self, step_id: Any):
        """The framework's step returned but its operation goes on (a stream it returned is still
        to be read): restore the context ``start`` replaced, keep the operation open, and return
        the context its remaining work runs in (None: unknown step)."""
        step = self._steps.get(step_id)
        if step is None:
            return None
        self._detach(step)
        return step.context

    def end(self, step_id: Any, error: BaseException | None = None) -> Operation | None:
        """End the step's operation (if any) and restore the context ``start`` replaced."""
        with self._lock:
            step = self._steps.pop(step_id, None)
        if step is None:
            return None
        self._detach(step)
        if step.op is not None:
            self.emitter.end(step.op, error=error)
        return step.op

    def __len__(self) -> int:
        return len(self._steps)
