"""``OpenAIAgentsInstrumentor``: OpenAI Agents SDK runs as GenAI traces, with no code change.

Enabled by ``opentelemetry-instrument`` (entry point ``agentotel_openai_agents``) when the
``openai-agents`` package is installed, or by hand with ``OpenAIAgentsInstrumentor().instrument()``.
It registers ``processor.AgentotelProcessor`` with the SDK's own ``add_trace_processor`` (see there
for what becomes which span) and runs the SDK's export of its traces to OpenAI with
instrumentation suppressed (``export``), so those requests never become traces of their own.
Whether the SDK exports to OpenAI at all stays the user's choice: ``AGENTOTEL_OPENAI_AGENTS_EXPORT=false``
replaces the SDK's processors by agentotel's.
"""

from __future__ import annotations

from typing import Any


from ...config import settings
from ..operations import Operations
from . import export
from ..instrumentor import FrameworkInstrumentor
from .package import _instruments
from .processor import AgentotelProcessor


class OpenAIAgentsInstrumentor(FrameworkInstrumentor):
    """Translates the OpenAI Agents SDK's traces into agentotel's spans and metrics."""

    instruments = _instruments

    processor: AgentotelProcessor | None = None

    def _instrument(self, **kwargs: Any) -> None:
        """Keywords: ``tracer_provider``, ``meter_provider``, ``logger_provider`` (default: the
        process-wide emitter on the global providers)."""
        import agents

        emitter = self.emitter_from(kwargs)
        self.processor = processor = AgentotelProcessor(Operations("openai_agents", emitter))
        if settings().openai_agents_export:
            agents.add_trace_processor(processor)
        else:
            agents.set_trace_processors([processor])
        export.suppress_export_tracing()

    def _uninstrument(self, **kwargs: Any) -> None:
        if self.processor is not None:
            self.processor.enabled = False  # the SDK has no way to remove one processor
            self.processor = None
        export.restore_export_tracing()
