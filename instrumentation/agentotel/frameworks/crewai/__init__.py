"""``CrewAIInstrumentor``: CrewAI crews, agents and tools as GenAI spans, with no code change.

Enabled by ``opentelemetry-instrument`` (entry point ``agentotel_crewai``) when crewai is
installed; ``translator`` says what becomes which span and why the steps are wrapped rather than
followed on CrewAI's event bus. ``translator.WRAPS`` drives both wrapping and unwrapping.
"""

from __future__ import annotations

import importlib
from typing import Any

from opentelemetry.instrumentation.utils import unwrap
from wrapt import wrap_function_wrapper

from ..operations import Operations
from ..instrumentor import FrameworkInstrumentor
from .package import _instruments
from .translator import WRAPS, Translator


class CrewAIInstrumentor(FrameworkInstrumentor):
    """Wraps CrewAI's crew kickoff, agent task execution and tool runs."""

    instruments = _instruments

    _wrapped: list[tuple[type, str]] = []

    def _instrument(self, **kwargs: Any) -> None:
        """Keywords: ``tracer_provider``, ``meter_provider``, ``logger_provider`` (default: the
        process-wide emitter on the global providers)."""
        emitter = self.emitter_from(kwargs)
        translator = Translator(Operations("crewai", emitter))
        self._wrapped = []
        for module_name, cls_name, method, is_async, make in WRAPS:
            try:
                module = importlib.import_module(module_name)
                cls = getattr(module, cls_name)
            except (ImportError, AttributeError):
                continue
            if method not in vars(cls):
                continue  # inherited: the class that defines it is wrapped
            wrap_function_wrapper(module, f"{cls_name}.{method}", translator.wrapper(make, is_async))
            self._wrapped.append((cls, method))

    def _uninstrument(self, **kwargs: Any) -> None:
        for cls, method in self._wrapped:
            unwrap(cls, method)
        self._wrapped = []
