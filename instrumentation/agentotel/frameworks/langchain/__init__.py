"""``LangChainInstrumentor``: LangChain and LangGraph runs as GenAI agent, tool and retrieval spans.

Enabled by ``opentelemetry-instrument`` (entry point ``agentotel_langchain``) when ``langchain-core``
is importable, or by hand::

    LangChainInstrumentor().instrument()          # the process-wide emitter, global providers
    LangChainInstrumentor().instrument(tracer_provider=tp, meter_provider=mp, logger_provider=lp)

It wraps nothing: one inheritable callback handler (``handler.AgentotelCallbackHandler``) is added
to every run through langchain-core's own configuration hook (``register_configure_hook``), the way
LangSmith's tracer is added; ``uninstrument`` takes the hook out again. LLM calls are recorded by
zero-code capture at the HTTP layer (``agentotel_llm``), under the agent (see ``handler``).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any


from ..instrumentor import FrameworkInstrumentor
from .package import _instruments

__all__ = ["LangChainInstrumentor"]


class LangChainInstrumentor(FrameworkInstrumentor):
    """Adds agentotel's callback handler to every LangChain run."""

    instruments = _instruments

    _hook: tuple | None = None
    handler = None

    def _instrument(self, **kwargs: Any) -> None:
        """Keywords: ``tracer_provider``, ``meter_provider``, ``logger_provider`` (default: the
        process-wide emitter on the global providers)."""
        from langchain_core.tracers import context as hooks

        from .handler import AgentotelCallbackHandler

        emitter = self.emitter_from(kwargs)
        self.handler = handler = AgentotelCallbackHandler(emitter)
        # A context variable whose default is the handler: every run in every thread and task finds
        # it; inheritable, so child runs (nodes, tools, models) get it from their parent.
        var: ContextVar = ContextVar("agentotel_langchain_handler", default=handler)
        hooks.register_configure_hook(var, True)
        self._hook = next(hook for hook in hooks._configure_hooks if hook[0] is var)

    def _uninstrument(self, **kwargs: Any) -> None:
        from langchain_core.tracers import context as hooks

        if self._hook is not None and self._hook in hooks._configure_hooks:
            hooks._configure_hooks.remove(self._hook)
        self._hook = None
        self.handler = None
