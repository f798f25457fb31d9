"""One LLM span per call when another GenAI instrumentation also records it.

At the moment an LLM request is sent, the current span tells who already records the call:

- an LLM span of another instrumentation (the OpenTelemetry ``openai-v2`` instrumentation,
  OpenLLMetry, OpenLIT, the ``anthropic`` SDK's own ``anthropic.messages.create`` span...): capture
  *adopts* it (``Emitter.adopt``). It opens no span of its own and, when the response has been
  read, writes its attributes (usage, cost, response details) onto that span, which its owner then
  ends. Metrics: the instrumentations known to record spans only (the ``anthropic`` SDK) get
  agentotel's full set; those known to record token usage but no duration (pydantic-ai's own
  instrumentation) get ``gen_ai.client.operation.duration`` and the cost counters; any other is
  assumed to record ``gen_ai.client.*`` metrics itself, so only the cost counters are added and no
  token or duration is counted twice.
- an LLM span of agentotel's own (an ``llm_call()`` scope around an SDK call): that scope owns the
  call; capture records nothing.
- an LLM span of another instrumentation that is started but not current: OpenLLMetry's LangChain
  instrumentation starts its LLM span in the chat model's callback, makes it current only for a
  moment and marks the context with ``suppress_language_model_instrumentation`` instead (its own
  provider instrumentations then record nothing). Capture adopts that span: the last span another
  instrumentation started in this context (``core.adopted.note_started``, from the cost roll-up
  processor).
- anything else: capture opens its own ``{operation} {model}`` span.
"""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry import context as otel_context
from opentelemetry.trace import Span

from ..core.adopted import last_started
from ..semconv import genai

_OWN_SCOPE = "agentotel"
#: Instrumentation scopes (prefixes) whose GenAI spans come without GenAI metrics.
SPANS_ONLY_SCOPES: tuple[str, ...] = ("com.anthropic.sdk.python",)
#: Instrumentation scopes (prefixes) that record ``gen_ai.client.token.usage`` but no
#: ``gen_ai.client.operation.duration`` for their GenAI spans.
NO_DURATION_SCOPES: tuple[str, ...] = ("pydantic-ai",)
# Pre-semconv GenAI span markers (OpenLLMetry, OpenLIT and older instrumentations).
_LEGACY_MARKERS = ("gen_ai.system", "llm.request.type")
#: The context key by which OpenLLMetry says "an LLM span records this call already".
SUPPRESS_LLM_KEY = "suppress_language_model_instrumentation"


@dataclass(frozen=True, slots=True)
class Owner:
    """Who records the call already: ``span`` to adopt (None: agentotel's own scope, record nothing)."""

    span: Span | None
    records_metrics: bool = True
    records_duration: bool = True


def owner_of(span: Span, ctx=None) -> Owner | None:
    """The owner of the LLM call about to be sent under ``span`` (the current span of ``ctx``), or
    None when nobody records it."""
    owner = span_owner(span)
    if owner is None and otel_context.get_value(SUPPRESS_LLM_KEY, ctx):
        started = last_started()
        if started is not None and started is not span:
            owner = span_owner(started)
    return owner


def span_owner(span: Span) -> Owner | None:
    """The owner when ``span`` itself is an LLM span, or None."""
    attributes = getattr(span, "attributes", None)
    if not attributes or not span.is_recording():
        return None
    operation = attributes.get(genai.GEN_AI_OPERATION_NAME)
    if operation is None:
        if not any(marker in attributes for marker in _LEGACY_MARKERS):
            return None
    elif operation not in genai.LLM_OPERATIONS:
        return None
    scope = getattr(span, "instrumentation_scope", None)
    name = getattr(scope, "name", "") or ""
    if name == _OWN_SCOPE:
        return Owner(None)
    if name.startswith(SPANS_ONLY_SCOPES):
        return Owner(span, records_metrics=False, records_duration=False)
    return Owner(span, records_duration=not name.startswith(NO_DURATION_SCOPES))
