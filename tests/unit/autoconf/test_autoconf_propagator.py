"""The conversation-header propagator: request headers become baggage, stamped on every span."""

from __future__ import annotations

import pytest
from opentelemetry import baggage, context
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from agentotel.autoconf.propagator import MAX_VALUE_LENGTH, ConversationHeaderPropagator
from agentotel.core.scope import conversation_attributes
from agentotel.processors import span_processors

HEADERS = {"x-conversation-id": "conv-42", "x-user-id": "user-7", "x-tenant-id": "acme"}
SCOPE = {"gen_ai.conversation.id": "conv-42", "user.id": "user-7", "agentotel.tenant.id": "acme"}


def stock_and_ours():
    return CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator(),
                                ConversationHeaderPropagator()])


class TestExtract:
    def test_headers_become_conversation_baggage(self):
        """The three default headers land in baggage under the attribute names."""
        ctx = ConversationHeaderPropagator().extract(HEADERS)
        assert conversation_attributes(ctx) == SCOPE

    def test_missing_headers_leave_context_alone(self):
        """A request without the headers gets no conversation scope."""
        ctx = ConversationHeaderPropagator().extract({"content-type": "application/json"})
        assert conversation_attributes(ctx) == {}

    def test_header_names_follow_settings(self, monkeypatch):
        """AGENTOTEL_CONVERSATION_ID_HEADER and its siblings rename the headers read (any case)."""
        monkeypatch.setenv("AGENTOTEL_CONVERSATION_ID_HEADER", "X-Chat-Session")
        monkeypatch.setenv("AGENTOTEL_TENANT_HEADER", "x-org")
        ctx = ConversationHeaderPropagator().extract({"x-chat-session": "s-1", "x-org": "org-9", "x-tenant-id": "no"})
        assert conversation_attributes(ctx) == {"gen_ai.conversation.id": "s-1", "agentotel.tenant.id": "org-9"}

    def test_header_wins_over_incoming_baggage(self):
        """When both say who the user is, the app's own header wins; other baggage is kept."""
        carrier = {**HEADERS, "baggage": "user.id=spoofed,region=eu"}
        ctx = stock_and_ours().extract(carrier)
        assert baggage.get_baggage("user.id", ctx) == "user-7"
        assert baggage.get_baggage("region", ctx) == "eu"

    def test_baggage_alone_carries_the_scope(self):
        """A caller that already sends W3C baggage needs no headers."""
        ctx = stock_and_ours().extract({"baggage": "gen_ai.conversation.id=c-9,agentotel.tenant.id=t-1"})
        assert conversation_attributes(ctx) == {"gen_ai.conversation.id": "c-9", "agentotel.tenant.id": "t-1"}

    @pytest.mark.parametrize("raw, expected", [
        ("  conv-1\t", "conv-1"),
        ("conv\r\n-2\x00", "conv-2"),
        ("x" * (MAX_VALUE_LENGTH + 50), "x" * MAX_VALUE_LENGTH),
        ("   ", None),
    ])
    def test_values_are_trimmed_and_bounded(self, raw, expected):
        """Header values are stripped of control characters and cut to a bounded length; blank ones are ignored."""
        ctx = ConversationHeaderPropagator().extract({"x-conversation-id": raw})
        assert baggage.get_baggage("gen_ai.conversation.id", ctx) == expected


class TestInject:
    def test_injects_no_headers_of_its_own(self):
        """Outgoing calls never get a copy of the app's conversation headers."""
        ctx = ConversationHeaderPropagator().extract(HEADERS)
        carrier: dict[str, str] = {}
        ConversationHeaderPropagator().inject(carrier, context=ctx)
        assert carrier == {} and ConversationHeaderPropagator().fields == set()

    def test_scope_travels_downstream_as_w3c_baggage(self):
        """With the stock propagators beside it, an outgoing request carries the scope in `baggage`."""
        propagator = stock_and_ours()
        ctx = propagator.extract(HEADERS)
        carrier: dict[str, str] = {}
        propagator.inject(carrier, context=ctx)
        assert set(carrier) == {"baggage"}
        entries = dict(item.split("=", 1) for item in carrier["baggage"].split(","))
        assert entries == SCOPE


def test_every_span_of_the_request_is_stamped():
    """Spans started under the extracted context (server span and its children) carry the scope."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    for processor in span_processors():
        provider.add_span_processor(processor)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("server")
    token = context.attach(stock_and_ours().extract(HEADERS))
    try:
        with tracer.start_as_current_span("POST /chat"):
            with tracer.start_as_current_span("database query"):
                pass
    finally:
        context.detach(token)
    spans = exporter.get_finished_spans()
    assert len(spans) == 2
    for span in spans:
        assert {k: span.attributes.get(k) for k in SCOPE} == SCOPE
    provider.shutdown()
