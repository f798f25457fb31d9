"""One LLM span per call when another GenAI instrumentation also records it.

At the moment an LLM request is sent, the current span tells who already records the call:

- an LLM span of another instrumentation (the OpenTelemetry ``openai-v2`` instrumentation,
  OpenLLMetry, OpenLIT, the ``anthropic`` SDK's own ``anthropic.messages.create`` span...): capture
  *adopts* it. It opens no span of its own and, when the response has been read, writes its
  attributes (usage, cost, response details) onto that span, which its owner then ends. Metrics: the
  instrumentations known to record spans only (the ``anthropic`` SDK) get agentotel's full set; any
  other is assumed to record ``gen_ai.client.*`` metrics itself, so only the cost counters are added
  and no token or duration is counted twice.
- an LLM span of agentotel's own (an ``llm_call()`` scope around an SDK call): that scope owns the
  call; capture records nothing.
- anything else: capture opens its own ``{operation} {model}`` span.
"""

from __future__ import annotations

import copy
import weakref
from dataclasses import dataclass
from typing import Any

from opentelemetry.trace import Span

from ..core.emitter import Emitter, Operation
from ..core.records import LLMCall
from ..core.scope import conversation_attributes, current_agent
from ..semconv import genai as G

_OWN_SCOPE = "agentotel"
#: Instrumentation scopes (prefixes) whose GenAI spans come without GenAI metrics.
SPANS_ONLY_SCOPES: tuple[str, ...] = ("com.anthropic.sdk.python",)
# Pre-semconv GenAI span markers (OpenLLMetry, OpenLIT and older instrumentations).
_LEGACY_MARKERS = ("gen_ai.system", "llm.request.type")


@dataclass(frozen=True, slots=True)
class Owner:
    """Who records the call already: ``span`` to adopt (None: agentotel's own scope, record nothing)."""

    span: Span | None
    records_metrics: bool = True


def owner_of(span: Span) -> Owner | None:
    """The owner of the LLM call about to be sent under ``span``, or None when nobody records it."""
    attributes = getattr(span, "attributes", None)
    if not attributes or not span.is_recording():
        return None
    operation = attributes.get(G.GEN_AI_OPERATION_NAME)
    if operation is None:
        if not any(marker in attributes for marker in _LEGACY_MARKERS):
            return None
    elif operation not in G.LLM_OPERATIONS:
        return None
    scope = getattr(span, "instrumentation_scope", None)
    name = getattr(scope, "name", "") or ""
    if name == _OWN_SCOPE:
        return Owner(None)
    return Owner(span, records_metrics=not name.startswith(SPANS_ONLY_SCOPES))


class AdoptedSpan:
    """Another instrumentation's span, as the emitter sees it: attributes pass, the rest stays theirs.

    The owner sets the span's status and error (a retried attempt's failure is not the call's) and
    ends it; ``error.type`` of one attempt is not written either.
    """

    __slots__ = ("_span",)

    def __init__(self, span: Span):
        self._span = span

    def set_attributes(self, attributes: dict[str, Any]) -> None:
        self._span.set_attributes({k: v for k, v in attributes.items() if k != G.ERROR_TYPE})

    def set_attribute(self, key: str, value: Any) -> None:
        if key != G.ERROR_TYPE:
            self._span.set_attribute(key, value)

    def set_status(self, *args, **kwargs) -> None:
        pass

    def record_exception(self, *args, **kwargs) -> None:
        pass

    def end(self, *args, **kwargs) -> None:
        pass

    def __getattr__(self, name: str):
        return getattr(self._span, name)


def adopt(owner: Owner, record: LLMCall) -> Operation:
    """An operation that writes onto the owner's span; fills the names its owner left out."""
    span = owner.span
    present = span.attributes or {}
    for key, value in ((G.GEN_AI_OPERATION_NAME, record.operation), (G.GEN_AI_PROVIDER_NAME, record.provider),
                       (G.GEN_AI_REQUEST_MODEL, record.request_model)):
        if value is not None and key not in present:
            span.set_attribute(key, value)
    return Operation(record, AdoptedSpan(span), current_agent(), conversation_attributes())


class _Silent:
    """Stands for any instrument, or group of instruments, and records nothing."""

    __slots__ = ()

    def __getattr__(self, name: str):
        return self

    def __getitem__(self, key):
        return self

    def __call__(self, *args, **kwargs) -> None:
        return None


class _CostOnly:
    """The emitter's instruments with only the cost counters live: whatever else the emitter
    records for an LLM call (tokens, durations, time to first chunk) the adopted span's owner
    records itself."""

    _LIVE = frozenset({"cost", "unpriced"})

    def __init__(self, instruments):
        self._instruments = instruments

    def __getattr__(self, name: str):
        if name in self._LIVE:
            return getattr(self._instruments, name)
        return _Silent()


_cost_only: "weakref.WeakKeyDictionary[Emitter, Emitter]" = weakref.WeakKeyDictionary()


def cost_only(emitter: Emitter) -> Emitter:
    """A view of ``emitter`` that records spans, events and cost, but no token or duration metrics."""
    view = _cost_only.get(emitter)
    if view is None:
        view = copy.copy(emitter)
        view.instruments = _CostOnly(emitter.instruments)
        # Dispatch tables of bound methods still point at the original: bind them to the view.
        for name, value in list(vars(view).items()):
            if isinstance(value, dict) and value and all(
                    getattr(f, "__self__", None) is emitter for f in value.values()):
                setattr(view, name, {key: getattr(view, f.__name__) for key, f in value.items()})
        _cost_only[emitter] = view
    return view
