"""agentotel: OpenTelemetry-native observability for AI agent systems.

The public API. Mark agent steps with the context managers / decorators, scope a conversation,
record its business signals; ``configure()`` sets up the SDK when ``opentelemetry-instrument`` does
not. Everything not listed in ``__all__`` is internal. Importing agentotel and using the decorators
needs only ``opentelemetry-api``; ``configure``, ``Telemetry`` and ``span_processors`` need the SDK
and load on first use.
"""

from .api.conversation import (
    conversation,
    record_feedback,
    record_first_response,
    record_outcome,
    set_intent,
)
from .api.health import HealthChecks
from .api.evaluations import record_business_event, record_evaluation
from .api.operations import agent, llm_call, mark_first_chunk, retrieval, tool, workflow
from .core.guard import internal_error_counts
from .core.records import Document, LLMCall, ToolCall, Usage
from .cost import PricingError
from .logs import JsonFormatter
from .threads import wrap as wrap_context
from .version import __version__

#: Public names that need the OpenTelemetry SDK, and the module each is loaded from on first use.
_NEEDS_SDK = {"configure": ".sdk", "Telemetry": ".sdk", "span_processors": ".processors"}


def __getattr__(name: str):
    module = _NEEDS_SDK.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_NEEDS_SDK))

__all__ = [
    "Document",
    "HealthChecks",
    "JsonFormatter",
    "LLMCall",
    "PricingError",
    "Telemetry",
    "ToolCall",
    "Usage",
    "__version__",
    "agent",
    "configure",
    "conversation",
    "internal_error_counts",
    "llm_call",
    "mark_first_chunk",
    "record_business_event",
    "record_evaluation",
    "record_feedback",
    "record_first_response",
    "record_outcome",
    "retrieval",
    "set_intent",
    "span_processors",
    "tool",
    "workflow",
    "wrap_context",
]
