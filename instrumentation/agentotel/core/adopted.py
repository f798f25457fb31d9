"""Another instrumentation's LLM span, as the emitter writes onto it (``Emitter.adopt``)."""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import Span

from ..semconv import genai as G


class AdoptedSpan:
    """Attributes pass through to the span; the rest stays its owner's.

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
