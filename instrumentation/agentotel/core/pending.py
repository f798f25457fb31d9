"""A span that is started later, when nothing in the process can look at it before it ends.

Starting an SDK span costs the calling thread more than anything else agentotel does for a captured
LLM call (id generation, the sampler, attribute validation, every span processor's ``on_start``).
When nothing reads the span while the call is in flight, there is no reason to pay that on the
app's thread: ``PendingSpan`` keeps the name, kind, parent context, start time and attributes, and
the SDK span is started with all of them at once, with its original start time, by the first call
that needs it — ``end`` in the emitter's background worker, or a call that needs the span itself
(``get_span_context``, ``set_status``, ``record_exception``, ``add_event``...) wherever it is made.
The exported span is the same span: same parent, times, attributes, status and events.

The zero-code capture asks for one only when no code can run inside the call with the span
current: see ``capture.call.Call`` for the rule.
"""

from __future__ import annotations

import threading
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind


class PendingSpan(Span):
    """A span whose SDK span is started on first need. Thread-safe: started exactly once."""

    __slots__ = ("_tracer", "_name", "_kind", "_context", "_attributes", "_start_time", "_span", "_lock", "parent")

    def __init__(self, tracer: trace.Tracer, name: str, kind: SpanKind, context, attributes: dict[str, Any],
                 start_time: int):
        self._tracer = tracer
        self._name = name
        self._kind = kind
        self._context = context
        self._attributes = attributes
        self._start_time = start_time
        self._span: Span | None = None
        self._lock = threading.Lock()
        parent = trace.get_current_span(context).get_span_context()
        #: The parent's SpanContext (None for a root), as ``ReadableSpan.parent`` gives it.
        self.parent = parent if parent.is_valid else None

    @property
    def started(self) -> bool:
        return self._span is not None

    def span(self) -> Span:
        """The SDK span, started now if it was not yet."""
        span = self._span
        if span is None:
            with self._lock:
                span = self._span
                if span is None:
                    span = self._span = self._tracer.start_span(
                        self._name, context=self._context, kind=self._kind, attributes=self._attributes,
                        start_time=self._start_time)
                    self._context = self._attributes = None
        return span

    # Attributes and the name are kept until the span starts, then go to it.
    def _while_pending(self, change) -> bool:
        """Apply ``change`` to what is kept if the span has not started (True), else nothing."""
        if self._span is None:
            with self._lock:
                if self._span is None:
                    change()
                    return True
        return False

    def set_attribute(self, key: str, value: Any) -> None:
        if not self._while_pending(lambda: self._attributes.__setitem__(key, value)):
            self._span.set_attribute(key, value)

    def set_attributes(self, attributes) -> None:
        if not self._while_pending(lambda: self._attributes.update(attributes)):
            self._span.set_attributes(attributes)

    def update_name(self, name: str) -> None:
        if not self._while_pending(lambda: setattr(self, "_name", name)):
            self._span.update_name(name)

    # Everything else needs the span.
    def end(self, end_time: int | None = None) -> None:
        self.span().end(end_time)

    def get_span_context(self):
        return self.span().get_span_context()

    def is_recording(self) -> bool:
        return self._span is None or self._span.is_recording()

    def set_status(self, status, description: str | None = None) -> None:
        self.span().set_status(status, description)

    def add_event(self, name: str, attributes=None, timestamp: int | None = None) -> None:
        self.span().add_event(name, attributes, timestamp)

    def add_link(self, context, attributes=None) -> None:
        self.span().add_link(context, attributes)

    def record_exception(self, exception, attributes=None, timestamp: int | None = None, escaped: bool = False) -> None:
        self.span().record_exception(exception, attributes, timestamp, escaped)
