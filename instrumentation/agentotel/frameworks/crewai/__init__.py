"""``CrewAIInstrumentor``: CrewAI crews, agents and tools as GenAI spans, with no code change.

Enabled by ``opentelemetry-instrument`` (entry point ``agentotel_crewai``) when crewai is
installed; ``translator`` says what becomes which span and why the steps are wrapped rather than
followed on CrewAI's event bus. ``translator.WRAPS`` drives both wrapping and unwrapping.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from typing import Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor
from opentelemetry.instrumentation.utils import unwrap
from wrapt import wrap_function_wrapper

from ...core.emitter import Emitter
from ..operations import Operations
from .package import _instruments
from .translator import WRAPS, Translator


class CrewAIInstrumentor(BaseInstrumentor):
    """Wraps CrewAI's crew kickoff, agent task execution and tool runs."""

    _wrapped: list[tuple[type, str]] = []

    def instrumentation_dependencies(self) -> Collection[str]:
        return _instruments

    def _instrument(self, **kwargs: Any) -> None:
        """Keywords: ``tracer_provider``, ``meter_provider``, ``logger_provider`` (default: the
        process-wide emitter on the global providers)."""
        providers = {key: kwargs.get(key) for key in ("tracer_provider", "meter_provider", "logger_provider")}
        emitter = Emitter(**providers) if any(providers.values()) else None
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
