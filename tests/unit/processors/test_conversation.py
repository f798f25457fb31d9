"""ConversationStamper: the conversation scope from baggage on other instrumentations' spans."""

from __future__ import annotations

from opentelemetry import baggage, context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentotel.processors import ConversationStamper

SCOPE = {"gen_ai.conversation.id": "c-1", "user.id": "u-1", "agentotel.tenant.id": "t-1"}


def _provider():
    exporter = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(ConversationStamper())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def _with_scope():
    ctx = context.get_current()
    for key, value in SCOPE.items():
        ctx = baggage.set_baggage(key, value, ctx)
    return ctx


class TestConversationStamper:
    def test_other_spans_carry_the_scope(self):
        """A span another instrumentation starts under the conversation's baggage carries its attributes."""
        provider, exporter = _provider()
        provider.get_tracer("db.client").start_span("SELECT", context=_with_scope()).end()
        (span,) = exporter.get_finished_spans()
        assert {key: span.attributes.get(key) for key in SCOPE} == SCOPE
        provider.shutdown()

    def test_own_spans_are_left_to_the_emitter(self):
        """agentotel's own spans (scope ``agentotel``) are not stamped by the processor."""
        provider, exporter = _provider()
        provider.get_tracer("agentotel").start_span("invoke_agent support", context=_with_scope()).end()
        (span,) = exporter.get_finished_spans()
        assert "gen_ai.conversation.id" not in span.attributes
        provider.shutdown()

    def test_no_baggage_no_attributes(self):
        """Without a conversation in the context the span is left as it is."""
        provider, exporter = _provider()
        provider.get_tracer("db.client").start_span("SELECT").end()
        (span,) = exporter.get_finished_spans()
        assert not set(SCOPE) & set(span.attributes)
        provider.shutdown()
