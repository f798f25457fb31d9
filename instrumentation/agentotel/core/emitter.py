"""The one place where records become spans, metrics and events.

``Emitter.start(record)`` opens the span of an operation; ``Emitter.end(operation)`` sets what the
record learned, prices LLM calls, records metrics and events, and ends the span — exactly once,
however often it is called. ``Emitter.adopt`` records an LLM call onto another instrumentation's
span instead. A failure is counted (``guard``), never raised, and the span still ends.

``end`` works in two halves. On the caller's thread it does what must happen now and is cheap: the
end time, the duration, token counts and cost, the conversation's running totals, the cost and token
roll-up onto the still-open agent, workflow and root spans, and the serialization of captured content
(the app may change its message lists afterwards). The rest becomes a list of steps — building the
span attributes and setting them, status, metric points, events, ``span.end(end_time)`` — which
``deferral.worker`` runs in the background (``AGENTOTEL_DEFERRED_EMIT``, default on) or which run at
once (``deferred=False``). The steps of a span run in order, so its attributes are set before it
ends; the metric points carry the caller's context, so their exemplars still point at its trace.
A span started ``pending`` (``core.pending``) is started by those steps too, with its start time.
An LLM call handed over unread (``Operation.complete``: zero-code capture) is read in those steps
as well, unless an open span waits for its cost: then what pricing needs is read on the caller's
thread, first.
``drain`` waits for the background steps; the pipeline's flush and shutdown call it first.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from opentelemetry import _logs, metrics, trace
from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind, Status, StatusCode

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
from ..semconv import agentotel_names as A
from ..semconv import resolve
from ..version import __version__
from . import deferral, guard
from .conversations import ConversationTracker
from .adopted import AdoptedSpan
from .instruments import instruments_for
from .labels import BoundedValues
from .runs import RecentRuns
from .pending import PendingSpan
from .records import AgentInvocation, LLMCall, Retrieval, ToolExecution, Workflow
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
    """An operation in flight: its record, span and start time."""

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
        # An agentotel span (``start``): its end is ours to defer, its roll-up ours to make. Another
        # instrumentation's span (``adopt``) is ended by its owner right after, so everything for it
        # runs at once and the roll-up happens when it ends.
        self.own = own
        # False: the span's owner records the GenAI token and duration metrics itself; only the
        # cost counters are ours to add.
        self.metrics = metrics
        # Whether the operation's duration point is ours to record (default: with the other metrics).
        self.duration_metric = metrics if duration_metric is None else duration_metric
        # An LLM call's record that is not filled in yet (zero-code capture: a response body read
        # whole, and a pending span's request): ``complete(cost_only) -> bool`` fills it, with
        # ``cost_only`` maybe only what pricing needs (False: call again for the rest). ``end``
        # calls it.
        self.complete = None
        # Another instrumentation's span (``adopt``): the span id its cost rolls up from.
        self.rollup_parent: int | None = None


def _put(attributes: dict[str, Any], pairs) -> None:
    """Set each (key, value) pair whose value is known."""
    for key, value in pairs:
        if value is not None:
            attributes[key] = value


def _local_parent_id(op: Operation) -> int | None:
    """The span id of an agentotel span's parent in this process (what its cost rolls up onto), or
    for an adopted span the one ``adopt`` chose; None for a local root or a remote parent."""
    if not op.own:
        return op.rollup_parent
    parent = getattr(op.span, "parent", None)
    return parent.span_id if parent is not None and not parent.is_remote else None


def _error_type(record, error: BaseException | None) -> str | None:
    if record.error_type:
        return record.error_type
    if error is not None:
        return type(error).__qualname__
    return None


def _catalog(s: Settings):
    """The pricing catalog with ``AGENTOTEL_PRICING_FILE`` merged over the bundled one; a file that
    cannot be used is said once and the bundled catalog is used: capture stays on."""
    try:
        return load_catalog(s.pricing_file, s.model_aliases)
    except PricingError as exc:
        warn_setting(AGENTOTEL_PRICING_FILE, s.pricing_file, str(exc), "the bundled pricing catalog")
    try:
        return load_catalog(None, s.model_aliases)
    except PricingError as exc:
        warn_setting(AGENTOTEL_MODEL_ALIASES, s.model_aliases, str(exc), "no aliases")
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
    def __init__(self, tracer_provider=None, meter_provider=None, logger_provider=None,
                 settings: Settings | None = None, cost_engine: CostEngine | None = None,
                 redactors=(), deferred: bool | None = None, rollup: "RollUp | None" = None):
        self.settings = s = settings or current_settings()
        self.rollup = rollup
        self.deferred = s.deferred_emit if deferred is None else deferred
        self.n = n = resolve(s.latest_experimental)
        self.tracer = trace.get_tracer(_NAME, __version__, tracer_provider, schema_url=n.SCHEMA_URL)
        meter = metrics.get_meter(_NAME, __version__, meter_provider, schema_url=n.SCHEMA_URL)
        self.instruments = instruments_for(meter, n, s.latest_experimental)
        if s.budget_file:
            _register_budgets(meter, s.budget_file)
        self.event_logger = _logs.get_logger(_NAME, __version__, logger_provider, schema_url=n.SCHEMA_URL)
        self.cost = cost_engine or CostEngine(_catalog(s))
        self.serialize = ContentSerializer(Pipeline.from_names(s.redactors, s.content_max_length, redactors))
        self.conversations = ConversationTracker(s.max_tracked_conversations)
        self.labels = BoundedValues(s.max_label_values)
        self.agent_runs = RecentRuns()  # read by the health router's readiness rules
        self._starters = {
            LLMCall: self._start_llm, AgentInvocation: self._start_agent, Workflow: self._start_workflow,
            ToolExecution: self._start_tool, Retrieval: self._start_retrieval,
        }
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
        name, kind, attributes = self._starters[type(record)](record, agent)
        if conversation:
            attributes.update(conversation)
        if pending and self.deferred:
            span = PendingSpan(self.tracer, name, kind, otel_context.get_current() if context is None else context,
                               attributes, time.time_ns() if start_time is None else start_time)
        else:
            span = self.tracer.start_span(name, context=context, kind=kind, attributes=attributes,
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
        n = self.n
        for key, value in ((n.GEN_AI_OPERATION_NAME, record.operation), (n.GEN_AI_PROVIDER_NAME, record.provider),
                           (n.GEN_AI_REQUEST_MODEL, record.request_model)):
            if value is not None and key not in present:
                span.set_attribute(key, value)
        op = Operation(record, AdoptedSpan(span), current_agent(context), conversation_attributes(context),
                       metrics=record_metrics,
                       duration_metric=record_metrics if record_duration is None else record_duration)
        # its cost rolls up from the span current where the call is made (an agent's, when the
        # owner's span sits elsewhere in the tree), or from its own parent when it is that span
        current = trace.get_current_span(context)
        parent = getattr(span, "parent", None) if current is span else current.get_span_context()
        if parent is not None and parent.is_valid and not parent.is_remote:
            op.rollup_parent = parent.span_id
        return op

    def _start_llm(self, r: LLMCall, agent):
        n = self.n
        a: dict[str, Any] = {n.GEN_AI_OPERATION_NAME: r.operation}
        if r.provider:
            a[n.GEN_AI_PROVIDER_NAME] = r.provider
        if r.request_model:
            a[n.GEN_AI_REQUEST_MODEL] = r.request_model
        if agent:
            a[n.GEN_AI_AGENT_NAME] = agent
        name = f"{r.operation} {r.request_model}" if r.request_model else r.operation
        return name, SpanKind.CLIENT, a

    def _request_attributes(self, r: LLMCall, a: dict[str, Any]) -> None:
        """Request attributes that may also be learned after the span started (zero-code capture)."""
        n = self.n
        _put(a, (
            (n.SERVER_ADDRESS, r.server_address), (n.SERVER_PORT, r.server_port),
            (n.GEN_AI_REQUEST_TEMPERATURE, r.temperature), (n.GEN_AI_REQUEST_TOP_P, r.top_p),
            (n.GEN_AI_REQUEST_TOP_K, r.top_k), (n.GEN_AI_REQUEST_MAX_TOKENS, r.max_tokens),
            (n.GEN_AI_REQUEST_FREQUENCY_PENALTY, r.frequency_penalty),
            (n.GEN_AI_REQUEST_PRESENCE_PENALTY, r.presence_penalty),
            (n.GEN_AI_REQUEST_STOP_SEQUENCES, r.stop_sequences), (n.GEN_AI_REQUEST_SEED, r.seed),
            (n.GEN_AI_REQUEST_CHOICE_COUNT, r.choice_count), (n.GEN_AI_OUTPUT_TYPE, r.output_type),
            (n.GEN_AI_REQUEST_ENCODING_FORMATS, r.encoding_formats),
        ))
        if r.stream:
            a[n.GEN_AI_REQUEST_STREAM] = True

    def _start_agent(self, r: AgentInvocation, agent):
        n = self.n
        a: dict[str, Any] = {n.GEN_AI_OPERATION_NAME: n.OP_INVOKE_AGENT, n.GEN_AI_AGENT_NAME: r.name}
        _put(a, ((n.GEN_AI_AGENT_ID, r.id), (n.GEN_AI_AGENT_DESCRIPTION, r.description),
                (n.GEN_AI_AGENT_VERSION, r.version), (n.GEN_AI_PROVIDER_NAME, r.provider),
                (n.GEN_AI_REQUEST_MODEL, r.request_model)))
        kind = SpanKind.CLIENT if r.remote else SpanKind.INTERNAL
        return f"{n.OP_INVOKE_AGENT} {r.name}", kind, a

    def _start_workflow(self, r: Workflow, agent):
        n = self.n
        a = {n.GEN_AI_OPERATION_NAME: n.OP_INVOKE_WORKFLOW, n.GEN_AI_WORKFLOW_NAME: r.name}
        return f"{n.OP_INVOKE_WORKFLOW} {r.name}", SpanKind.INTERNAL, a

    def _start_tool(self, r: ToolExecution, agent):
        n = self.n
        a: dict[str, Any] = {n.GEN_AI_OPERATION_NAME: n.OP_EXECUTE_TOOL, n.GEN_AI_TOOL_NAME: r.name}
        _put(a, ((n.GEN_AI_TOOL_CALL_ID, r.call_id), (n.GEN_AI_TOOL_DESCRIPTION, r.description),
                (n.GEN_AI_TOOL_TYPE, r.type), (n.GEN_AI_AGENT_NAME, agent)))
        return f"{n.OP_EXECUTE_TOOL} {r.name}", SpanKind.INTERNAL, a

    def _start_retrieval(self, r: Retrieval, agent):
        n = self.n
        a: dict[str, Any] = {n.GEN_AI_OPERATION_NAME: n.OP_RETRIEVAL, n.GEN_AI_DATA_SOURCE_ID: r.data_source}
        _put(a, ((n.GEN_AI_PROVIDER_NAME, r.provider), (n.GEN_AI_REQUEST_MODEL, r.request_model),
                (n.GEN_AI_REQUEST_TOP_K, r.top_k), (n.GEN_AI_AGENT_NAME, agent)))
        return f"{n.OP_RETRIEVAL} {r.data_source}", SpanKind.CLIENT, a

    # ------------------------------------------------------------------ end
    def end(self, op: Operation, error: BaseException | None = None, end_time: int | None = None) -> None:
        """Finish an operation: attributes, cost, metrics, events, then end its span. Idempotent."""
        if op.ended:
            return
        op.ended = True
        record, span = op.record, op.span
        if end_time is None:
            end_time = time.time_ns()
        steps: list[deferral.Step] = []
        try:
            if error is not None and record.error is None:
                record.error = error
            duration = time.perf_counter() - op.started
            error_type = _error_type(record, record.error)
            if error_type:
                steps.append((span.set_attribute, self.n.ERROR_TYPE, error_type))
                steps.append((span.set_status, Status(StatusCode.ERROR, str(record.error) if record.error else error_type)))
                if record.error is not None:
                    steps.append((span.record_exception, record.error, None, end_time))
            self._enders[type(record)](op, duration, error_type, steps, otel_context.get_current())
        except Exception as exc:  # noqa: BLE001
            guard.report("emitter", exc)
        steps.append((span.end, end_time))
        if self.deferred and op.own:
            deferral.worker.submit(steps)
        else:
            deferral.run(steps)

    def add_event(self, op: Operation, name: str, attributes: dict[str, Any]) -> None:
        """A point in time of an open operation (an agent's handoff, a guardrail's verdict): an
        event on its span, with the attributes that are known. Never raises."""
        try:
            if not op.ended:
                op.span.add_event(name, {k: v for k, v in attributes.items() if v is not None})
        except Exception as exc:  # noqa: BLE001
            guard.report("emitter", exc)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait (at most ``timeout`` seconds) until every operation ended so far is exported to the
        SDK: attributes set, metric points recorded, span ended. True when all are."""
        return deferral.worker.drain(timeout)

    def _base_metric_attributes(self, op: Operation, operation: str, error_type: str | None) -> dict[str, Any]:
        n = self.n
        attrs: dict[str, Any] = {n.GEN_AI_OPERATION_NAME: operation}
        if op.agent:
            attrs[n.GEN_AI_AGENT_NAME] = op.agent
        tenant = op.conversation.get(A.TENANT_ID)
        if tenant:
            attrs[A.TENANT_ID] = tenant
        if error_type:
            attrs[n.ERROR_TYPE] = error_type
        return attrs

    def _end_llm(self, op: Operation, duration: float, error_type: str | None, steps: list, ctx) -> None:
        """On the caller's thread: token counts, cost, the conversation's totals, the roll-up onto
        open parents and captured content. The rest is ``_emit_llm``'s, a step.

        A record still to be completed (``Operation.complete``) is completed here when an open
        span waits for the call's tokens and cost (a parent that ``roll_up`` adds them to), else in
        the background with everything else (``_end_llm_later``): nothing else reads it before."""
        parent_id = _local_parent_id(op)
        if op.complete is not None:
            if parent_id is None or self.rollup is None or not self.rollup.awaits(parent_id):
                steps.append((self._end_llm_later, op, duration, error_type, ctx))
                return
            # what pricing needs now (content, when captured, is serialized now too); the rest later
            self._complete(op, cost_only=not self.settings.capture_any_content)
        n, r = self.n, op.record
        u = _checked_usage(r.usage)
        counts: TokenCounts | None = None
        cost: Cost | None = None
        if u.input_tokens is not None or u.output_tokens is not None:
            counts = self.cost.counts(r.provider, u)
            cost = self.cost.price(r.provider, r.response_model or r.request_model, counts)
            if cost is None and op.complete is not None:
                self._complete(op)  # the request, unread yet, may name a model that is priced
            if cost is None and r.response_model and r.request_model:
                cost = self.cost.price(r.provider, r.request_model, counts)
            conversation_id = op.conversation.get(n.GEN_AI_CONVERSATION_ID)
            if conversation_id:
                self.conversations.add_usage(conversation_id, cost.total if cost else 0.0, counts.input + counts.output,
                                             agent=op.agent, tenant=op.conversation.get(A.TENANT_ID))
            if parent_id is not None and self.rollup is not None and r.operation in n.LLM_OPERATIONS:
                self.rollup.add_under(parent_id, counts.input, counts.output, cost.total if cost else None,
                        cost.currency if cost else None)
        if op.complete is not None:
            steps.append((self._complete, op))  # the rest of the record, before it is emitted
        content = self._llm_content(r) if self.settings.capture_any_content else None
        steps.append((self._emit_llm, op, duration, error_type, counts, cost, content, ctx))

    @staticmethod
    def _complete(op: Operation, cost_only: bool = False) -> None:
        """Fill the record (``Operation.complete``); with ``cost_only`` maybe only what pricing
        needs, ``op.complete`` then staying set for the rest."""
        complete = op.complete
        if complete is None:
            return
        try:
            done = complete(cost_only)
        except Exception as exc:  # noqa: BLE001
            guard.report("emitter", exc)
            done = True
        if done:
            op.complete = None

    def model_learned(self, op: Operation) -> None:
        """The LLM call's request model became known after its span started (the request was read
        late): name the span after it, as ``start`` would have."""
        r = op.record
        if r.request_model:
            op.span.update_name(f"{r.operation} {r.request_model}")
            op.span.set_attribute(self.n.GEN_AI_REQUEST_MODEL, r.request_model)

    def _end_llm_later(self, op: Operation, duration: float, error_type: str | None, ctx) -> None:
        """A step: ``_end_llm`` for a record completed in the background (nothing awaits its cost)."""
        self._complete(op)
        steps: list[deferral.Step] = []
        self._end_llm(op, duration, error_type, steps, ctx)
        deferral.run(steps)

    def _llm_content(self, r: LLMCall) -> dict[str, Any]:
        """The call's captured content, serialized (and redacted) now: the app may change its
        message lists once the call returned."""
        n = self.n
        content = {}
        if r.input_messages is not None:
            content[n.GEN_AI_INPUT_MESSAGES] = self.serialize(r.input_messages)
        if r.output_messages is not None:
            content[n.GEN_AI_OUTPUT_MESSAGES] = self.serialize(r.output_messages)
        if r.system_instructions is not None:
            content[n.GEN_AI_SYSTEM_INSTRUCTIONS] = self.serialize(r.system_instructions)
        return content

    def _emit_llm(self, op: Operation, duration: float, error_type: str | None, counts: TokenCounts | None,
                  cost: Cost | None, content: dict[str, Any] | None, ctx) -> None:
        """A step: the LLM call's span attributes, metric points and content event."""
        n, r, span = self.n, op.record, op.span
        ins = self.instruments
        a: dict[str, Any] = {}
        points: list[deferral.Step] = []  # each point on its own: one failing loses no other
        self._request_attributes(r, a)
        _put(a, ((n.GEN_AI_RESPONSE_ID, r.response_id), (n.GEN_AI_RESPONSE_MODEL, r.response_model),
                (n.HTTP_RESPONSE_STATUS_CODE, r.http_status_code),
                (n.GEN_AI_RESPONSE_FINISH_REASONS, r.finish_reasons),
                (n.GEN_AI_EMBEDDINGS_DIMENSION_COUNT, r.embedding_dimensions)))
        if r.tool_definition_count is not None:
            a[A.TOOL_DEFINITION_COUNT] = r.tool_definition_count

        metric_attrs = self._base_metric_attributes(op, r.operation, None)
        if r.provider:
            metric_attrs[n.GEN_AI_PROVIDER_NAME] = r.provider
        if r.request_model:
            metric_attrs[n.GEN_AI_REQUEST_MODEL] = r.request_model
        if r.response_model:
            metric_attrs[n.GEN_AI_RESPONSE_MODEL] = r.response_model

        if counts is not None:
            u = r.usage
            a[n.GEN_AI_USAGE_INPUT_TOKENS] = counts.input
            a[n.GEN_AI_USAGE_OUTPUT_TOKENS] = counts.output
            if u.cache_read_input_tokens is not None:
                a[n.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = counts.cache_read
            if u.cache_creation_input_tokens is not None:
                a[n.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = counts.cache_write
            if u.reasoning_output_tokens is not None:
                a[n.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = counts.reasoning
            if op.metrics:
                points.append((ins.record_tokens, counts.input, counts.output, metric_attrs, counts, ctx))
            cost_attrs = {k: v for k, v in metric_attrs.items() if k != n.GEN_AI_RESPONSE_MODEL}
            if cost is not None:
                a[A.COST_TOTAL] = cost.total
                a[A.COST_CURRENCY] = cost.currency
                a[A.COST_INPUT] = cost.input
                a[A.COST_OUTPUT] = cost.output
                if counts.cache_read:
                    a[A.COST_CACHE_READ] = cost.cache_read
                if counts.cache_write:
                    a[A.COST_CACHE_WRITE] = cost.cache_write
                a[A.COST_CATALOG_VERSION] = cost.catalog_version
                points.append((ins.cost.add, cost.total, cost_attrs, ctx))
            elif r.request_model or r.response_model:
                a[A.COST_UNPRICED] = True
                points.append((ins.unpriced.add, 1, {k: v for k, v in cost_attrs.items()
                                                     if k in (n.GEN_AI_PROVIDER_NAME, n.GEN_AI_REQUEST_MODEL)}, ctx))

        if r.stream and r.first_chunk_at is not None:
            ttfc = max(r.first_chunk_at - op.started, 0.0)
            if op.metrics:
                points.append((ins.time_to_first_chunk.record, ttfc, metric_attrs, ctx))
            a[n.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = ttfc
        if error_type:
            metric_attrs = {**metric_attrs, n.ERROR_TYPE: error_type}  # the token points carry none
        if op.duration_metric:
            points.append((ins.record_duration, r.operation, duration, metric_attrs, ctx))
        if content is not None and self.settings.content_on_spans:
            a.update(content)
        span.set_attributes(a)
        if content and self.settings.content_in_events:
            points.append((self._emit_event, n.EVENT_INFERENCE_DETAILS, content, span))
        deferral.run(points)

    def _emit_event(self, name: str, attributes: dict[str, Any], span) -> None:
        self.event_logger.emit(event_name=name, attributes=attributes, context=trace.set_span_in_context(span))

    def _end_simple(self, op: Operation, duration: float, error_type: str | None, steps: list, ctx,
                    operation: str, extra=None) -> None:
        attrs = self._base_metric_attributes(op, operation, error_type)
        if extra:
            attrs.update(extra)
        steps.append((self.instruments.record_duration, operation, duration, attrs, ctx))

    def _end_agent(self, op, duration, error_type, steps, ctx):
        r = op.record
        self.agent_runs.add(error_type is None, duration)
        extra = {self.n.GEN_AI_AGENT_NAME: r.name}
        if r.provider:
            extra[self.n.GEN_AI_PROVIDER_NAME] = r.provider
        self._end_simple(op, duration, error_type, steps, ctx, self.n.OP_INVOKE_AGENT, extra)

    def _end_workflow(self, op, duration, error_type, steps, ctx):
        self._end_simple(op, duration, error_type, steps, ctx, self.n.OP_INVOKE_WORKFLOW)

    def _end_tool(self, op, duration, error_type, steps, ctx):
        n, r = self.n, op.record
        if self.settings.capture_any_content:
            a = {}
            if r.arguments is not None:
                a[n.GEN_AI_TOOL_CALL_ARGUMENTS] = self.serialize(r.arguments)
            if r.result is not None:
                a[n.GEN_AI_TOOL_CALL_RESULT] = self.serialize(r.result)
            steps.append((op.span.set_attributes, a))
        self._end_simple(op, duration, error_type, steps, ctx, n.OP_EXECUTE_TOOL, {n.GEN_AI_TOOL_NAME: r.name})

    def _end_retrieval(self, op, duration, error_type, steps, ctx):
        n, r = self.n, op.record
        known = r.documents is not None
        docs = r.documents or []
        scores = [d.score for d in docs if d.score is not None]
        top = max(scores) if scores else None
        a: dict[str, Any] = {A.RETRIEVAL_DOCUMENT_COUNT: len(docs)} if known else {}
        if docs and all(d.id is not None for d in docs):
            a[A.RETRIEVAL_DOCUMENT_IDS] = [str(d.id) for d in docs]
        if docs and len(scores) == len(docs):
            a[A.RETRIEVAL_DOCUMENT_SCORES] = [float(s) for s in scores]
        if top is not None:
            a[A.RETRIEVAL_TOP_SCORE] = top
        if r.query is not None and self.settings.capture_any_content:
            a[n.GEN_AI_RETRIEVAL_QUERY_TEXT] = self.serialize(r.query)
        if self.settings.capture_any_content and docs and any(d.content for d in docs):
            a[n.GEN_AI_RETRIEVAL_DOCUMENTS] = self.serialize(
                [{"id": d.id, "score": d.score, "content": d.content} for d in docs])
        if not error_type:
            if not known:
                outcome = A.RETRIEVAL_UNKNOWN
            else:
                hit = (top >= self.settings.retrieval_hit_threshold) if top is not None else bool(docs)
                outcome = A.RETRIEVAL_HIT if hit else A.RETRIEVAL_MISS
            a[A.RETRIEVAL_OUTCOME] = outcome
            source = {n.GEN_AI_DATA_SOURCE_ID: r.data_source}
            steps.append((self.instruments.retrieval_searches.add, 1, {**source, A.RETRIEVAL_OUTCOME: outcome}, ctx))
            if top is not None:
                steps.append((self.instruments.retrieval_similarity.record, top, source, ctx))
        steps.append((op.span.set_attributes, a))
        self._end_simple(op, duration, error_type, steps, ctx, n.OP_RETRIEVAL, {n.GEN_AI_DATA_SOURCE_ID: r.data_source})
