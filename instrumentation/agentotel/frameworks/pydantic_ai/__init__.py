"""``PydanticAIInstrumentor``: pydantic-ai agent runs and tool calls as GenAI spans, with no code change.

Enabled by ``opentelemetry-instrument`` (entry point ``agentotel_pydantic_ai``) when pydantic-ai
is installed. For a run without pydantic-ai's own instrumentation, ``capability.AgentotelCapability``
joins the run's capabilities (added where the agent resolves them, ``WRAPS``): ``invoke_agent``
and ``execute_tool`` spans, LLM calls below them from the HTTP-layer capture. For a run with it
(``Agent.instrument_all()``, ``instrument=True``), its spans are kept and nothing is added: the
capture completes its LLM spans (usage, cost) and records ``gen_ai.client.operation.duration``
for them, which pydantic-ai does not (``capture.dedup``).
"""

from __future__ import annotations

import importlib
from typing import Any

from opentelemetry.instrumentation.utils import unwrap
from wrapt import wrap_function_wrapper

from ...core import guard
from ..operations import Operations
from ..instrumentor import FrameworkInstrumentor
from .package import _instruments

#: (module, class, method) where a run's capabilities are resolved: ours joins the extra ones.
WRAPS: tuple[tuple[str, str, str], ...] = (
    ("pydantic_ai.agent", "Agent", "_resolve_run_capabilities"),
)


class PydanticAIInstrumentor(FrameworkInstrumentor):
    """Adds agentotel's capability to every pydantic-ai run that is not instrumented by pydantic-ai."""

    instruments = _instruments

    _wrapped: list[tuple[type, str]] = []

    def _instrument(self, **kwargs: Any) -> None:
        """Keywords: ``tracer_provider``, ``meter_provider``, ``logger_provider`` (default: the
        process-wide emitter on the global providers)."""
        from .capability import AgentotelCapability

        emitter = self.emitter_from(kwargs)
        capability = AgentotelCapability(Operations("pydantic_ai", emitter))

        def add_capability(wrapped, instance, args, kwargs):
            with guard.contained("pydantic_ai"):
                if kwargs.get("instrumentation_cap") is None and "extra_capabilities" in kwargs:
                    kwargs = {**kwargs, "extra_capabilities": [capability, *kwargs["extra_capabilities"]]}
            return wrapped(*args, **kwargs)

        self._wrapped = []
        for module_name, cls_name, method in WRAPS:
            module = importlib.import_module(module_name)
            wrap_function_wrapper(module, f"{cls_name}.{method}", add_capability)
            self._wrapped.append((getattr(module, cls_name), method))

    def _uninstrument(self, **kwargs: Any) -> None:
        for cls, method in self._wrapped:
            unwrap(cls, method)
        self._wrapped = []
