"""The one place where records become spans, metrics and events: their lifecycle and deferral.

``Emitter.start(record)`` opens an operation's span; ``Emitter.end(operation)`` finishes it exactly
once, however often it is called; ``Emitter.adopt`` records an LLM call onto another
instrumentation's span instead. What must happen on the caller's thread (times, tokens, cost, the
roll-up, serializing content) happens there; the SDK's share runs as steps on ``deferral.worker``
unless deferral is off. Attributes come from ``attributes``, metric points from ``instruments``.
A failure is counted (``guard``), never raised, and the span still ends. docs/architecture.md
tells how an operation travels through it.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from opentelemetry import _logs, metrics, trace
from opentelemetry import context as otel_context
from opentelemetry.trace import Status, StatusCode

from ..config import (
    AGENTOTEL_BUDGET_FILE,
    AGENTOTEL_MODEL_ALIASES,
    AGENTOTEL_PRICING_FILE,
    Settings,
    warn_setting,
)
from ..config import settings as current_settings
from ..content.capture import ContentSerializer
from ..content.redaction import Pipeline
from ..cost import Cost, CostEngine, load_catalog
from ..cost.catalog import PricingError
from ..cost.engine import TokenCounts
from ..semconv import agentotel_names
from ..semconv import resolve
from ..version import __version__
from . import attributes, deferral, guard
from .conversations import ConversationTracker
from .adopted import AdoptedSpan
from .instruments import instruments_for
from .labels import BoundedValues
from .runs import RecentRuns
from .pending import PendingSpan
from .records import AgentInvocation, Completion, LLMCall, Retrieval, ToolExecution, Workflow
from .scope import conversation_attributes, current_agent

_NAME = "agentotel"


class RollUp(Protocol):
    """What the emitter asks of the cost roll-up (``processors.CostRollup``) it is given."""

    def awaits(self, parent_id: int) -> bool:
        """True when an open span at or above ``parent_id`` waits for its LLM calls' cost."""

    def add_under(self, parent_id: int, input_tokens: int, output_tokens: int, cost: float | None,
                  currency: str | None) -> bool:
        """Add an ending LLM call's tokens and cost to the open spans from ``parent_id`` up."""


class Operation:
    """An operation in flight: its record, span and start time.

    ``own``: an agentotel span (``start``), whose end is ours to defer and whose roll-up ours to
    make; another instrumentation's span (``adopt``) is ended by its owner right after, so everything
    for it runs at once. ``metrics`` False: the span's owner records the GenAI token and duration
    metrics itself, only the cost counters are ours. ``duration_metric``: whether the duration point
    is ours (default: with the other metrics). ``complete``: fills a record not read yet, called by
    ``end`` (``records.Completion``). ``rollup_parent``: for an adopted span, the span id its cost
    rolls up from.
    """

    __slots__ = ("record", "span", "started", "ended", "agent", "conversation", "own", "metrics", "complete",
                 "rollup_parent", "duration_metric")

    def __init__(self, record, span, agent, conversation, own: bool = False, metrics: bool = True,
                 duration_metric: bool | None = None):
        self.record = record
        self.span = span
        self.started = time.perf_counter()
        self.ended = False
        self.agent = agent
        self.conversation = conversation
        self.own = own
        self.metrics = metrics
        self.duration_metric = metrics if duration_metric is None else duration_metric
        self.complete: Completion | None = None
        self.rollup_parent: int | None = None


def _local_parent_id(operation: Operation) -> int | None:
    """The span id of an agentotel span's parent in this process (what its cost rolls up onto), or
    for an adopted span the one ``adopt`` chose; None for a local root or a remote parent."""
    if not operation.own:
        return operation.rollup_parent
    parent = getattr(operation.span, "parent", None)
    return parent.span_id if parent is not None and not parent.is_remote else None


def _error_type(record, error: BaseException | None) -> str | None:
    if record.error_type:
        return record.error_type
    if error is not None:
        return type(error).__qualname__
    return None


def _catalog(settings: Settings):
    """The pricing catalog with ``AGENTOTEL_PRICING_FILE`` merged over the bundled one; a file that
    cannot be used is said once and the bundled catalog is used: capture stays on."""
    try:
        return load_catalog(settings.pricing_file, settings.model_aliases)
    except PricingError as exc:
        warn_setting(AGENTOTEL_PRICING_FILE, settings.pricing_file, str(exc), "the bundled pricing catalog")
    try:
        return load_catalog(None, settings.model_aliases)
    except PricingError as exc:
        warn_setting(AGENTOTEL_MODEL_ALIASES, settings.model_aliases, str(exc), "no aliases")
        return load_catalog(None)


def _register_budgets(meter, path: str) -> None:
    """The budget gauges of ``AGENTOTEL_BUDGET_FILE``; a file that cannot be used is said once and
    no budget is reported: capture stays on."""
    from ..cost.budgets import load_budgets, register_budget_gauges

    try:
        rows = load_budgets(path)
    except PricingError as exc:
        warn_setting(AGENTOTEL_BUDGET_FILE, path, str(exc), "no budgets")
        return
    register_budget_gauges(meter, rows)


#: Token counts above this for one call are not believed (no model takes a billion tokens).
MAX_TOKENS_PER_CALL = 1_000_000_000
_USAGE_FIELDS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens",
                 "reasoning_output_tokens")


def _checked_usage(usage):
    """``usage`` without counts that are negative, absurd or not whole numbers: those are dropped
    (reported as an internal ``usage`` error), so they reach neither span attributes nor cost."""
    bad = None
    for name in _USAGE_FIELDS:
        value = getattr(usage, name, None)
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
            setattr(usage, name, value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TOKENS_PER_CALL:
            setattr(usage, name, None)
            bad = (name, value)
    if bad is not None:
        guard.report("usage", ValueError(f"provider reported {bad[0]}={bad[1]!r}; dropped"))
    return usage


class Emitter:
    """Turns records into telemetry on the given providers (default: the global ones). ``rollup``:
    the pipeline's ``CostRollup``, which LLM calls' tokens and cost are added to (None: no roll-up)."""

    def __init__(self, tracer_provider=None, meter_provider=None, logger_provider=None,
                 settings: Settings | None = None, cost_engine: CostEngine | None = None,
                 redactors=(), deferred: bool | None = None, rollup: RollUp | None = None):
        self.settings = settings = settings or current_settings()
        self.deferred = settings.deferred_emit if deferred is None else deferred
        self.rollup = rollup
        self.names = names = resolve(settings.latest_experimental)
        self.tracer = trace.get_tracer(_NAME, __version__, tracer_provider, schema_url=names.SCHEMA_URL)
        meter = metrics.get_meter(_NAME, __version__, meter_provider, schema_url=names.SCHEMA_URL)
        self.instruments = instruments_for(meter, names, settings.latest_experimental)
        if settings.budget_file:
            _register_budgets(meter, settings.budget_file)
        self.event_logger = _logs.get_logger(_NAME, __version__, logger_provider, schema_url=names.SCHEMA_URL)
        self.cost = cost_engine or CostEngine(_catalog(settings))
        self.serialize = ContentSerializer(Pipeline.from_names(settings.redactors, settings.content_max_length,
                                                               redactors))
        self.conversations = ConversationTracker(settings.max_tracked_conversations)
        self.labels = BoundedValues(settings.max_label_values)
        self.agent_runs = RecentRuns()  # read by the health router's readiness rules
        self._enders = {
            LLMCall: self._end_llm, AgentInvocation: self._end_agent, Workflow: self._end_workflow,
            ToolExecution: self._end_tool, Retrieval: self._end_retrieval,
        }

    # ------------------------------------------------------------------ start
    def start(self, record, context=None, start_time: int | None = None, pending: bool = False) -> Operation:
        """Open the span of ``record`` as a child of ``context`` (default: the current one).

        ``pending``: the caller promises that nothing reads the span, nor needs it current, before
        the operation ends; when the emitter defers, the SDK span then starts in the background
        with the same start time (``core.pending``)."""
        conversation = conversation_attributes(context)
        agent = current_agent(context)
        name, kind, span_attributes = attributes.SPAN_START[type(record)](self.names, record, agent)
        if conversation:
            span_attributes.update(conversation)
        if pending and self.deferred:
            span = PendingSpan(self.tracer, name, kind, otel_context.get_current() if context is None else context,
                               span_attributes, time.time_ns() if start_time is None else start_time)
        else:
            span = self.tracer.start_span(name, context=context, kind=kind, attributes=span_attributes,
                                          start_time=start_time)
        return Operation(record, span, agent, conversation, own=True)

    def adopt(self, span, record: LLMCall, record_metrics: bool = True, record_duration: bool | None = None,
              context=None) -> Operation:
        """Record an LLM call onto another instrumentation's span (``capture.dedup``): ``end`` writes
        the call's attributes and cost onto it, leaves its status and end to its owner, and records
        the token and duration metrics only when ``record_metrics`` (the owner does not record its own),
        the duration alone when ``record_duration`` (the owner records tokens but no duration).
        Names the owner left out (operation, provider, request model) are filled in now; its tokens
        and cost roll up like agentotel's own LLM spans', from the span current in ``context``."""
        present = span.attributes or {}
        names = self.names
        for key, value in ((names.GEN_AI_OPERATION_NAME, record.operation),
                           (names.GEN_AI_PROVIDER_NAME, record.provider),
                           (names.GEN_AI_REQUEST_MODEL, record.request_model)):
            if value is not None and key not in present:
                span.set_attribute(key, value)
        operation = Operation(record, AdoptedSpan(span), current_agent(context), conversation_attributes(context),
                              metrics=record_metrics,
                              duration_metric=record_metrics if record_duration is None else record_duration)
        # its cost rolls up from the span current where the call is made (an agent's, when the
        # owner's span sits elsewhere in the tree), or from its own parent when it is that span
        current = trace.get_current_span(context)
        parent = getattr(span, "parent", None) if current is span else current.get_span_context()
        if parent is not None and parent.is_valid and not parent.is_remote:
            operation.rollup_parent = parent.span_id
        return operation

    def model_learned(self, operation: Operation) -> None:
        """The LLM call's request model became known after its span started (the request was read
        late): name the span after it, as ``start`` would have."""
        call = operation.record
        if call.request_model:
            operation.span.update_name(f"{call.operation} {call.request_model}")
            operation.span.set_attribute(self.names.GEN_AI_REQUEST_MODEL, call.request_model)

    # ------------------------------------------------------------------ end
    def end(self, operation: Operation, error: BaseException | None = None, end_time: int | None = None) -> None:
        """Finish an operation: attributes, cost, metrics, events, then end its span. Idempotent."""
        if operation.ended:
            return
        operation.ended = True
        record, span = operation.record, operation.span
        if end_time is None:
            end_time = time.time_ns()
        steps: list[deferral.Step] = []
        try:
            if error is not None and record.error is None:
                record.error = error
            duration = time.perf_counter() - operation.started
            error_type = _error_type(record, record.error)
            if error_type:
                steps.append((span.set_attribute, self.names.ERROR_TYPE, error_type))
                description = str(record.error) if record.error else error_type
                steps.append((span.set_status, Status(StatusCode.ERROR, description)))
                if record.error is not None:
                    steps.append((span.record_exception, record.error, None, end_time))
            self._enders[type(record)](operation, duration, error_type, steps, otel_context.get_current())
        except Exception as exc:  # noqa: BLE001
            guard.report("emitter", exc)
        steps.append((span.end, end_time))
        if self.deferred and operation.own:
            deferral.worker.submit(steps)
        else:
            deferral.run(steps)

    def add_event(self, operation: Operation, name: str, event_attributes: dict[str, Any]) -> None:
        """A point in time of an open operation (an agent's handoff, a guardrail's verdict): an
        event on its span, with the attributes that are known. Never raises."""
        try:
            if not operation.ended:
                operation.span.add_event(name, {key: value for key, value in event_attributes.items()
                                                if value is not None})
        except Exception as exc:  # noqa: BLE001
            guard.report("emitter", exc)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait (at most ``timeout`` seconds) until every operation ended so far is exported to the
        SDK: attributes set, metric points recorded, span ended. True when all are."""
        return deferral.worker.drain(timeout)

    def _metric_base(self, operation: Operation, name: str, error_type: str | None) -> dict[str, Any]:
        return attributes.metric_base(self.names, name, operation.agent,
                                      operation.conversation.get(agentotel_names.TENANT_ID), error_type)

    def _end_llm(self, operation: Operation, duration: float, error_type: str | None, steps: list, context) -> None:
        """On the caller's thread: token counts, cost, the conversation's totals, the roll-up onto
        open parents and captured content. The rest is ``_emit_llm``'s, a step.

        A record still to be completed (``Operation.complete``) is completed here when an open
        span waits for the call's tokens and cost (a parent the roll-up adds them to), else in the
        background with everything else (``_end_llm_later``): nothing else reads it before."""
        parent_id = _local_parent_id(operation)
        rollup = self.rollup
        if operation.complete is not None:
            if parent_id is None or rollup is None or not rollup.awaits(parent_id):
                steps.append((self._end_llm_later, operation, duration, error_type, context))
                return
            # what pricing needs now (content, when captured, is serialized now too); the rest later
            self._complete(operation, cost_only=not self.settings.capture_any_content)
        call = operation.record
        usage = _checked_usage(call.usage)
        counts: TokenCounts | None = None
        cost: Cost | None = None
        if usage.input_tokens is not None or usage.output_tokens is not None:
            counts = self.cost.counts(call.provider, usage)
            cost = self.cost.price(call.provider, call.response_model or call.request_model, counts)
            if cost is None and operation.complete is not None:
                self._complete(operation)  # the request, unread yet, may name a model that is priced
            if cost is None and call.response_model and call.request_model:
                cost = self.cost.price(call.provider, call.request_model, counts)
            conversation_id = operation.conversation.get(self.names.GEN_AI_CONVERSATION_ID)
            if conversation_id:
                self.conversations.add_usage(conversation_id, cost.total if cost else 0.0, counts.input + counts.output,
                                             agent=operation.agent,
                                             tenant=operation.conversation.get(agentotel_names.TENANT_ID))
            if parent_id is not None and rollup is not None and call.operation in self.names.LLM_OPERATIONS:
                rollup.add_under(parent_id, counts.input, counts.output, cost.total if cost else None,
                                 cost.currency if cost else None)
        if operation.complete is not None:
            steps.append((self._complete, operation))  # the rest of the record, before it is emitted
        content = self._llm_content(call) if self.settings.capture_any_content else None
        steps.append((self._emit_llm, operation, duration, error_type, counts, cost, content, context))

    @staticmethod
    def _complete(operation: Operation, cost_only: bool = False) -> None:
        """Fill the record (``Operation.complete``); with ``cost_only`` maybe only what pricing
        needs, ``operation.complete`` then staying set for the rest."""
        complete = operation.complete
        if complete is None:
            return
        try:
            done = complete(cost_only)
        except Exception as exc:  # noqa: BLE001
            guard.report("emitter", exc)
            done = True
        if done:
            operation.complete = None

    def _end_llm_later(self, operation: Operation, duration: float, error_type: str | None, context) -> None:
        """A step: ``_end_llm`` for a record completed in the background (nothing awaits its cost)."""
        self._complete(operation)
        steps: list[deferral.Step] = []
        self._end_llm(operation, duration, error_type, steps, context)
        deferral.run(steps)

    def _llm_content(self, call: LLMCall) -> dict[str, Any]:
        """The call's captured content, serialized (and redacted) now: the app may change its
        message lists once the call returned."""
        names = self.names
        content = {}
        if call.input_messages is not None:
            content[names.GEN_AI_INPUT_MESSAGES] = self.serialize(call.input_messages)
        if call.output_messages is not None:
            content[names.GEN_AI_OUTPUT_MESSAGES] = self.serialize(call.output_messages)
        if call.system_instructions is not None:
            content[names.GEN_AI_SYSTEM_INSTRUCTIONS] = self.serialize(call.system_instructions)
        return content

    def _emit_llm(self, operation: Operation, duration: float, error_type: str | None, counts: TokenCounts | None,
                  cost: Cost | None, content: dict[str, Any] | None, context) -> None:
        """A step: the LLM call's span attributes, metric points and content event."""
        names, call, span = self.names, operation.record, operation.span
        time_to_first_chunk = None
        if call.stream and call.first_chunk_at is not None:
            time_to_first_chunk = max(call.first_chunk_at - operation.started, 0.0)
        span_attributes = attributes.llm_end(names, call, counts, cost, time_to_first_chunk)
        if content is not None and self.settings.content_on_spans:
            span_attributes.update(content)
        span.set_attributes(span_attributes)
        metric_attributes = attributes.llm_metric(names, call, operation.agent,
                                                  operation.conversation.get(agentotel_names.TENANT_ID))
        self.instruments.record_llm_call(call, metric_attributes, counts, cost, time_to_first_chunk, duration,
                                         error_type, context, tokens=operation.metrics,
                                         duration_point=operation.duration_metric)
        if content and self.settings.content_in_events:
            deferral.run([(self._emit_event, names.EVENT_INFERENCE_DETAILS, content, span)])

    def _emit_event(self, name: str, event_attributes: dict[str, Any], span) -> None:
        self.event_logger.emit(event_name=name, attributes=event_attributes, context=trace.set_span_in_context(span))

    def _end_simple(self, operation: Operation, duration: float, error_type: str | None, steps: list, context,
                    name: str, extra=None) -> None:
        metric_attributes = self._metric_base(operation, name, error_type)
        if extra:
            metric_attributes.update(extra)
        steps.append((self.instruments.record_duration, name, duration, metric_attributes, context))

    def _end_agent(self, operation, duration, error_type, steps, context):
        invocation, names = operation.record, self.names
        self.agent_runs.add(error_type is None, duration)
        extra = {names.GEN_AI_AGENT_NAME: invocation.name}
        if invocation.provider:
            extra[names.GEN_AI_PROVIDER_NAME] = invocation.provider
        self._end_simple(operation, duration, error_type, steps, context, names.OP_INVOKE_AGENT, extra)

    def _end_workflow(self, operation, duration, error_type, steps, context):
        self._end_simple(operation, duration, error_type, steps, context, self.names.OP_INVOKE_WORKFLOW)

    def _end_tool(self, operation, duration, error_type, steps, context):
        names, tool = self.names, operation.record
        if self.settings.capture_any_content:
            arguments = self.serialize(tool.arguments) if tool.arguments is not None else None
            result = self.serialize(tool.result) if tool.result is not None else None
            steps.append((operation.span.set_attributes, attributes.tool_content(names, arguments, result)))
        self._end_simple(operation, duration, error_type, steps, context, names.OP_EXECUTE_TOOL,
                         {names.GEN_AI_TOOL_NAME: tool.name})

    def _end_retrieval(self, operation, duration, error_type, steps, context):
        names, retrieval = self.names, operation.record
        found = retrieval.documents or []
        query = documents = None
        if self.settings.capture_any_content:
            if retrieval.query is not None:
                query = self.serialize(retrieval.query)
            if found and any(document.content for document in found):
                documents = self.serialize([{"id": document.id, "score": document.score, "content": document.content}
                                            for document in found])
        outcome = None
        if not error_type:
            outcome = attributes.retrieval_outcome(retrieval, self.settings.retrieval_hit_threshold)
            steps.append((self.instruments.record_retrieval, retrieval.data_source, outcome,
                          attributes.top_score(retrieval), context))
        steps.append((operation.span.set_attributes,
                      attributes.retrieval_end(names, retrieval, outcome, query, documents)))
        self._end_simple(operation, duration, error_type, steps, context, names.OP_RETRIEVAL,
                         {names.GEN_AI_DATA_SOURCE_ID: retrieval.data_source})
