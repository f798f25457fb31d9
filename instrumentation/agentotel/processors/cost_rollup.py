"""``CostRollup``: each LLM call's cost and tokens summed onto the open spans above it.

Targets are agent and workflow spans and the local root span (the request or conversation turn),
while they are open. agentotel's own LLM calls (and another instrumentation's LLM span that
agentotel adopted) are added by the emitter when the call ends (``add_under``, on the caller's
thread), so the totals are there however soon a parent ends; an LLM span agentotel did not adopt is
the same call recorded twice and is never added. Whoever builds the pipeline hands this processor
to the emitter. Never raises.
"""

from __future__ import annotations

import threading

from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import SpanKind

from ..core import forks, guard
from ..core.adopted import note_started
from ..semconv import agentotel_names, genai
from .conversation import OWN_SCOPE

_ROLLUP_OPERATIONS = frozenset({genai.OP_INVOKE_AGENT, genai.OP_INVOKE_WORKFLOW})


class _Totals:
    __slots__ = ("span", "cost", "currency", "input_tokens", "output_tokens", "calls")

    def __init__(self, span):
        self.span = span
        self.cost = 0.0
        self.currency = None
        self.input_tokens = 0
        self.output_tokens = 0
        self.calls = 0


class CostRollup(SpanProcessor):
    """Sums LLM cost and tokens onto open agent, workflow and local root spans."""

    def __init__(self) -> None:
        self._parents: dict[int, int] = {}
        self._targets: dict[int, _Totals] = {}
        self._lock = threading.Lock()
        forks.renew_in_child(self)

    def on_start(self, span: Span, parent_context=None) -> None:
        try:
            parent = span.parent
            local_parent = parent is not None and not parent.is_remote
            attributes = span.attributes
            operation = attributes.get(genai.GEN_AI_OPERATION_NAME) if attributes else None
            scope = span.instrumentation_scope
            own = scope is not None and scope.name == OWN_SCOPE
            if local_parent and operation in genai.LLM_OPERATIONS and own:
                # agentotel's LLM call: rolled up by the emitter from its parent (``add_under``);
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
        adopted were rolled up by the emitter (``add_under``) when the call ended; any other is the
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
        """Add an ending LLM call's tokens and cost to its open ancestors now, from its parent
        (``parent_id``) up: its span may not have started yet (``core.pending``), and its own
        ``on_end`` adds nothing. True when this processor knows the parent. Never raises."""
        try:
            with self._lock:
                if not self.tracks(parent_id):
                    return False
                self._add(self._ancestors(parent_id), input_tokens, output_tokens, cost, currency)
            return True
        except Exception as exc:  # noqa: BLE001
            guard.report("cost_rollup", exc)
            return False

    def awaits(self, parent_id: int) -> bool:
        """True when an open span at or above ``parent_id`` (an agent, workflow or local root span)
        waits for the tokens and cost of an LLM call under it: ``add_under`` must be given them
        before that span ends. Never raises (True when unsure)."""
        try:
            with self._lock:
                return bool(self._ancestors(parent_id))
        except Exception as exc:  # noqa: BLE001
            guard.report("cost_rollup", exc)
            return True

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
                agentotel_names.ROLLUP_LLM_CALLS: totals.calls,
                agentotel_names.ROLLUP_INPUT_TOKENS: totals.input_tokens,
                agentotel_names.ROLLUP_OUTPUT_TOKENS: totals.output_tokens,
            }
            if cost is not None:
                totals.cost += cost
                totals.currency = currency
                update[agentotel_names.COST_TOTAL] = totals.cost
                update[agentotel_names.COST_CURRENCY] = currency
            totals.span.set_attributes(update)

    def open_spans(self) -> int:
        """Spans being tracked (for tests: must return to zero when all spans ended)."""
        return len(self._parents) + len(self._targets)
