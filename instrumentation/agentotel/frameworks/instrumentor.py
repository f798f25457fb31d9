"""What every framework instrumentor shares: its supported-version pins, and the emitter that the
providers passed to ``instrument()`` call for (none: the process-wide emitter)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

_PROVIDERS = ("tracer_provider", "meter_provider", "logger_provider")


class FrameworkInstrumentor(BaseInstrumentor):
    """A framework's instrumentor: ``instruments`` holds its pins (its ``package._instruments``)."""

    instruments: Collection[str] = ()

    def instrumentation_dependencies(self) -> Collection[str]:
        return self.instruments

    @staticmethod
    def emitter_from(kwargs: dict[str, Any]):
        """An emitter on the ``tracer_provider``, ``meter_provider`` and ``logger_provider`` given to
        ``instrument()``, or None (the process-wide emitter on the global providers) when none is."""
        providers = {key: kwargs.get(key) for key in _PROVIDERS}
        if not any(providers.values()):
            return None
        from ..core.emitter import Emitter

        return Emitter(**providers)
