"""PendingSpan: the SDK span starts on first need, once, with the start time and attributes it
was given, under the parent of the context it was made in."""

from __future__ import annotations

import threading
import time

from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from agentotel.core.pending import PendingSpan


def test_starts_at_end_with_its_original_start_time(telemetry):
    tracer = telemetry.tracer_provider.get_tracer("test")
    with tracer.start_as_current_span("parent") as parent:
        started = time.time_ns()
        pending = PendingSpan(tracer, "chat m", SpanKind.CLIENT, trace.set_span_in_context(parent),
                              {"a": 1}, started)
    assert pending.parent.span_id == parent.get_span_context().span_id
    pending.set_attribute("b", 2)
    pending.set_attributes({"c": 3})
    pending.update_name("chat m2")
    assert not pending.started
    assert [s.name for s in telemetry.spans()] == ["parent"]
    ended = time.time_ns()
    pending.end(ended)
    span = telemetry.span("chat m2")
    assert (span.start_time, span.end_time) == (started, ended)
    assert span.kind is SpanKind.CLIENT
    assert span.parent.span_id == parent.get_span_context().span_id
    assert span.context.trace_id == parent.get_span_context().trace_id
    assert dict(span.attributes) == {"a": 1, "b": 2, "c": 3}


def test_a_root_has_no_parent(telemetry):
    tracer = telemetry.tracer_provider.get_tracer("test")
    pending = PendingSpan(tracer, "root", SpanKind.INTERNAL, trace.set_span_in_context(trace.INVALID_SPAN), {}, time.time_ns())
    assert pending.parent is None
    pending.end()
    assert telemetry.span("root").parent is None


def test_what_needs_the_span_starts_it(telemetry):
    """Status, exceptions, events and the span context start the span; later attributes go to it."""
    tracer = telemetry.tracer_provider.get_tracer("test")
    pending = PendingSpan(tracer, "op", SpanKind.INTERNAL, None, {}, time.time_ns())
    context = pending.get_span_context()
    assert pending.started and context.is_valid
    pending.set_status(StatusCode.ERROR, "boom")
    pending.record_exception(ValueError("boom"))
    pending.add_event("seen")
    pending.set_attribute("late", True)
    pending.end()
    span = telemetry.span("op")
    assert span.context.span_id == context.span_id
    assert span.status.status_code is StatusCode.ERROR
    assert [e.name for e in span.events] == ["exception", "seen"]
    assert span.attributes["late"] is True


def test_started_once_from_many_threads(telemetry):
    tracer = telemetry.tracer_provider.get_tracer("test")
    pending = PendingSpan(tracer, "op", SpanKind.INTERNAL, None, {}, time.time_ns())
    barrier = threading.Barrier(8)
    seen = []

    def touch():
        barrier.wait()
        seen.append(pending.get_span_context().span_id)

    threads = [threading.Thread(target=touch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pending.end()
    assert len(set(seen)) == 1
    assert len(telemetry.spans()) == 1
