"""What every framework instrumentor shares: its supported-version pins, and the emitter that the
providers passed to ``instrument()`` call for (none: the process-wide emitter)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

class FrameworkInstrumentor(BaseInstrumentor):
    """A framework's instrumentor: ``instruments`` holds its pins (its ``package._instruments``)."""

    instruments: Collection[str] = ()

    def instrumentation_dependencies(self) -> Collection[str]:
        return self.instruments

    @staticmethod
    def emitter_from(kwargs: dict[str, Any]):
        """An emitter on the providers given to ``instrument()`` (with its ``cost_rollup``), or None
        (the process-wide emitter on the global providers) when none is: ``core.runtime.emitter_for``."""
        from ..core.runtime import emitter_for

        return emitter_for(kwargs)
