"""Span processors: the conversation scope on every span, and cost and token roll-up.

``ConversationStamper`` copies the conversation attributes that the context's baggage carries onto
every span that starts, whichever instrumentation made it (FastAPI server spans, HTTP client spans,
database spans). ``CostRollup`` adds each LLM span's cost and tokens to the enclosing agent and
workflow spans and to the local root span (the request or conversation turn) while they are still
open: for agentotel's own LLM spans when the emitter ends them (``roll_up``, on the caller's thread,
so the totals are there however soon a parent ends after its child, while the span itself may be
ended later in the background; ``awaits_roll_up`` tells the emitter whether any open span waits);
for another instrumentation's LLM span that agentotel adopted (capture wrote its cost onto it) the
same way, from the span current where the call was made; one agentotel did not adopt is the same
call recorded twice, and is not added.
``SecretScrubber`` (from ``capture.sanitize``) removes API keys, auth headers and key-bearing query
strings from every span, including other instrumentations' HTTP client spans.
``span_processors()`` gives all three, in the order to add them to a ``TracerProvider``;
``log_processors()`` gives ``LogScrubber`` (the same for log records), for a ``LoggerProvider``.
"""

from __future__ import annotations

import threading
import weakref

from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import SpanKind

from .core.adopted import note_started

from .core import forks, guard
from .core.scope import conversation_attributes
from .semconv import agentotel_names as A
from .semconv import genai as G

_ROLLUP_OPERATIONS = frozenset({G.OP_INVOKE_AGENT, G.OP_INVOKE_WORKFLOW})
_OWN_SCOPE = "agentotel"


class ConversationStamper(SpanProcessor):
    """Stamps ``gen_ai.conversation.id``, ``user.id`` and ``agentotel.tenant.id`` from baggage."""

    def on_start(self, span: Span, parent_context=None) -> None:
        try:
            scope = span.instrumentation_scope
            if scope is not None and scope.name == _OWN_SCOPE:
                return  # the emitter stamps its own spans
            attributes = conversation_attributes(parent_context)
            if attributes:
                span.set_attributes(attributes)
        except Exception as exc:  # noqa: BLE001
            guard.report("conversation_stamper", exc)


class _Totals:
    __slots__ = ("span", "cost", "currency", "input_tokens", "output_tokens", "calls")

    def __init__(self, span):
        self.span = span
        self.cost = 0.0
        self.currency = None
        self.input_tokens = 0
        self.output_tokens = 0
        self.calls = 0


#: Every live CostRollup, for ``roll_up`` to find the one that saw a span start.
_rollups: "weakref.WeakSet[CostRollup]" = weakref.WeakSet()


class CostRollup(SpanProcessor):
    """Sums LLM cost and tokens onto open agent, workflow and local root spans."""

    def __init__(self) -> None:
        self._parents: dict[int, int] = {}
        self._targets: dict[int, _Totals] = {}
        self._lock = threading.Lock()
        forks.renew_in_child(self)
        _rollups.add(self)

    def on_start(self, span: Span, parent_context=None) -> None:
        try:
            parent = span.parent
            local_parent = parent is not None and not parent.is_remote
            attributes = span.attributes
            operation = attributes.get(G.GEN_AI_OPERATION_NAME) if attributes else None
            scope = span.instrumentation_scope
            own = scope is not None and scope.name == _OWN_SCOPE
            if local_parent and operation in G.LLM_OPERATIONS and own:
                # agentotel's LLM call: rolled up by the emitter from its parent (``roll_up``);
                # what another instrumentation records under it is the same call, not counted again
                return
            if not own and span.kind is SpanKind.CLIENT:
                note_started(span)  # maybe an LLM span that capture adopts while it is not current
            ctx = span.get_span_context()
            with self._lock:
                if local_parent:
                    self._parents[ctx.span_id] = parent.span_id
                if not local_parent or operation in _ROLLUP_OPERATIONS:
                    self._targets[ctx.span_id] = _Totals(span)
        except Exception as exc:  # noqa: BLE001
            guard.report("cost_rollup", exc)

    def on_end(self, span: ReadableSpan) -> None:
        """Forget the span. An LLM span adds nothing at its end: agentotel's own and the ones it
        adopted were rolled up by the emitter (``roll_up``) when the call ended; any other is the
        same call recorded twice (agentotel's span counts it), never counted again."""
        try:
            span_id = span.context.span_id
            with self._lock:
                self._parents.pop(span_id, None)
                self._targets.pop(span_id, None)
        except Exception as exc:  # noqa: BLE001
            guard.report("cost_rollup", exc)

    def tracks(self, span_id: int) -> bool:
        """True when this processor saw the span start and it has not ended."""
        return span_id in self._parents or span_id in self._targets

    def add_under(self, parent_id: int, input_tokens: int, output_tokens: int, cost: float | None,
                  currency: str | None) -> bool:
        """Add an agentotel LLM span's tokens and cost to its open ancestors now, from its parent
        up (its own ``on_end`` then adds nothing). True when this processor knows the parent."""
        with self._lock:
            if not self.tracks(parent_id):
                return False
            self._add(self._ancestors(parent_id), input_tokens, output_tokens, cost, currency)
        return True

    def awaits(self, parent_id: int) -> bool:
        """True when an open span at or above ``parent_id`` takes a roll-up from its LLM calls."""
        with self._lock:
            return bool(self._ancestors(parent_id))

    def _ancestors(self, parent: int | None) -> list[_Totals]:
        """The open targets from ``parent`` up to the local root (under the lock)."""
        ancestors = []
        node = parent
        while node is not None:
            totals = self._targets.get(node)
            if totals is not None:
                ancestors.append(totals)
            node = self._parents.get(node)
        return ancestors

    @staticmethod
    def _add(ancestors: list[_Totals], input_tokens: int, output_tokens: int, cost: float | None,
             currency: str | None) -> None:
        """Add to each ancestor and set its new totals (under the lock: calls ending on several
        threads at once under one agent leave it with the last totals, not one thread's older ones)."""
        for totals in ancestors:
            totals.calls += 1
            totals.input_tokens += input_tokens
            totals.output_tokens += output_tokens
            update = {
                A.ROLLUP_LLM_CALLS: totals.calls,
                A.ROLLUP_INPUT_TOKENS: totals.input_tokens,
                A.ROLLUP_OUTPUT_TOKENS: totals.output_tokens,
            }
            if cost is not None:
                totals.cost += cost
                totals.currency = currency
                update[A.COST_TOTAL] = totals.cost
                update[A.COST_CURRENCY] = currency
            totals.span.set_attributes(update)

    def open_spans(self) -> int:
        """Spans being tracked (for tests: must return to zero when all spans ended)."""
        return len(self._parents) + len(self._targets)


_last: "weakref.ref[CostRollup] | None" = None  # the processor that rolled up last: usually the only one


def _tracking(span_id: int) -> CostRollup | None:
    """The live ``CostRollup`` that tracks the span ``span_id`` (the one found last is asked first)."""
    global _last
    last = _last() if _last is not None else None
    if last is not None and last.tracks(span_id):
        return last
    for rollup in list(_rollups):
        if rollup is not last and rollup.tracks(span_id):
            _last = weakref.ref(rollup)
            return rollup
    return None


def roll_up(parent_id: int, input_tokens: int, output_tokens: int, cost: float | None, currency: str | None) -> None:
    """Add an ending agentotel LLM span's tokens and cost to its open ancestors, from its parent
    (``parent_id``) up, now: the span itself may not have started yet (``core.pending``). Never raises."""
    try:
        rollup = _tracking(parent_id)
        if rollup is not None:
            rollup.add_under(parent_id, input_tokens, output_tokens, cost, currency)
    except Exception as exc:  # noqa: BLE001
        guard.report("cost_rollup", exc)


def awaits_roll_up(parent_id: int) -> bool:
    """True when an open span at or above ``parent_id`` (an agent, workflow or local root span)
    waits for the tokens and cost of an LLM call under it: ``roll_up`` must be given them before
    that span ends. Never raises (True when unsure)."""
    try:
        rollup = _tracking(parent_id)
        return rollup is not None and rollup.awaits(parent_id)
    except Exception as exc:  # noqa: BLE001
        guard.report("cost_rollup", exc)
        return True


def span_processors() -> list[SpanProcessor]:
    """agentotel's span processors, to add to a TracerProvider before the exporting processor."""
    from .capture.sanitize import SecretScrubber

    return [ConversationStamper(), CostRollup(), SecretScrubber()]


def log_processors() -> list:
    """agentotel's log record processors, to add to a LoggerProvider before the exporting processor."""
    from .capture.sanitize import LogScrubber

    return [LogScrubber()]
