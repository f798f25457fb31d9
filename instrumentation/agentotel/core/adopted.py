"""Another instrumentation's LLM span, as the emitter writes onto it (``Emitter.adopt``), and the
client span another instrumentation started last in the current context (for ``capture.dedup``)."""

from __future__ import annotations

import weakref
from contextvars import ContextVar
from typing import Any

from opentelemetry.trace import Span

from ..semconv import genai


_last_started: ContextVar = ContextVar("agentotel.adopted.last_started", default=None)


def note_started(span: Span) -> None:
    """A client span of another instrumentation started in the current context (a weak reference
    is kept: the context never keeps a span alive)."""
    _last_started.set(weakref.ref(span))


def last_started() -> Span | None:
    """The client span another instrumentation started last in the current context, or None."""
    ref = _last_started.get()
    return ref() if ref is not None else None


class AdoptedSpan:
    """Attributes pass through to the span; the rest stays its owner's.

    The owner sets the span's status and error (a retried attempt's failure is not the call's) and
    ends it; ``error.type`` of one attempt is not written either.
    """

    __slots__ = ("_span",)

    def __init__(self, span: Span):
        self._span = span

    def set_attributes(self, attributes: dict[str, Any]) -> None:
        self._span.set_attributes({k: v for k, v in attributes.items() if k != genai.ERROR_TYPE})

    def set_attribute(self, key: str, value: Any) -> None:
        if key != genai.ERROR_TYPE:
            self._span.set_attribute(key, value)

    def set_status(self, *args, **kwargs) -> None:
        pass

    def record_exception(self, *args, **kwargs) -> None:
        pass

    def end(self, *args, **kwargs) -> None:
        pass

    def __getattr__(self, name: str):
        return getattr(self._span, name)
