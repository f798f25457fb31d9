"""The conversation scope (conversation id, user id, tenant) travels in W3C baggage to every
service the app calls, but not to LLM APIs: their requests carry the trace context and any other
baggage, and their HTTP client spans are still stamped with the conversation.
``AGENTOTEL_LLM_BAGGAGE=true`` sends it to them too."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry import baggage, context
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

import agentotel
from agentotel.capture import LLMInstrumentor
from agentotel.capture.sanitize import drop_conversation_baggage
from agentotel.config import Settings, load_settings
from agentotel.core.scope import conversation_attributes, without_conversation

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Where is my order?"}]}


def send(telemetry, fake_provider, client=None):
    """One LLM call inside a conversation scope, with one more baggage entry of the app's own."""
    capture = LLMInstrumentor()
    capture.instrument(base_urls={fake_provider.base_url: "openai"})
    token = context.attach(baggage.set_baggage("region", "eu"))
    try:
        with agentotel.conversation("c-42", user_id="u-1", tenant="acme"):
            with client or httpx.Client() as http:
                http.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT)
    finally:
        context.detach(token)
        capture.uninstrument()
    return fake_provider.requests[-1]["headers"]


@pytest.fixture
def http_instrumented(telemetry):
    instrumentor = HTTPXClientInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    yield
    instrumentor.uninstrument()


def test_llm_requests_carry_the_trace_but_not_the_scope(telemetry, fake_provider, http_instrumented):
    """The request carries the LLM span's trace context and the app's other baggage, not the
    conversation scope; the LLM span is still stamped with it."""
    headers = send(telemetry, fake_provider)
    llm = telemetry.span("chat gpt-4o-mini")
    assert headers["traceparent"].split("-")[2] == format(llm.context.span_id, "016x")
    assert headers["baggage"] == "region=eu"
    assert (llm.attributes["gen_ai.conversation.id"], llm.attributes["user.id"]) == ("c-42", "u-1")


def test_opt_in_sends_the_scope(make_telemetry, fake_provider, http_instrumented):
    telemetry = make_telemetry(Settings(llm_baggage=True))
    entries = dict(item.split("=", 1) for item in send(telemetry, fake_provider)["baggage"].split(","))
    assert entries == {"region": "eu", "gen_ai.conversation.id": "c-42", "user.id": "u-1", "agentotel.tenant.id": "acme"}
    assert load_settings({"AGENTOTEL_LLM_BAGGAGE": "true"}).llm_baggage is True
    assert load_settings({}).llm_baggage is False


def test_a_header_an_sdk_injected_itself_loses_the_scope(telemetry, fake_provider):
    """SDKs that write trace headers themselves (the anthropic SDK) put the baggage in the request
    before it reaches capture: capture takes the scope out of it."""
    injected = "gen_ai.conversation.id=c-42,user.id=u-1;prop=1, region=eu"
    headers = send(telemetry, fake_provider, httpx.Client(headers={"baggage": injected}))
    assert headers["baggage"] == "region=eu"


@pytest.mark.parametrize("value, expected", [
    ("user.id=u-1,gen_ai.conversation.id=c-1,agentotel.tenant.id=t", None),
    ("a=1, user.id=u-1 ,b=2", "a=1,b=2"),
    ("a=1,b=2", "a=1,b=2"),
])
def test_drop_conversation_baggage(value, expected):
    headers = httpx.Headers({"baggage": value})
    drop_conversation_baggage(headers)
    assert headers.get("baggage") == expected


def test_without_conversation_keeps_other_entries_and_the_stamp():
    ctx = baggage.set_baggage("user.id", "u-1", baggage.set_baggage("region", "eu"))
    stripped = without_conversation(ctx)
    assert baggage.get_all(stripped) == {"region": "eu"}
    assert conversation_attributes(stripped) == {"user.id": "u-1"}
    assert without_conversation(stripped) is stripped
    assert without_conversation(baggage.set_baggage("region", "eu")) is not None


def test_inside_an_llm_call_scope_the_scope_stays_home(telemetry, fake_provider, http_instrumented):
    """An ``llm_call()`` scope around a client call (capture leaves the call to the scope): the
    request still goes without the conversation scope, and spans inside are still stamped."""
    token = context.attach(baggage.set_baggage("region", "eu"))
    try:
        with agentotel.conversation("c-42", user_id="u-1", tenant="acme"):
            with agentotel.llm_call("gpt-4o-mini", provider="openai"):
                with httpx.Client() as http:
                    http.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT)
    finally:
        context.detach(token)
    assert fake_provider.requests[-1]["headers"]["baggage"] == "region=eu"
    assert telemetry.span("POST").attributes["user.id"] == "u-1"
    assert telemetry.span("chat gpt-4o-mini").attributes["gen_ai.conversation.id"] == "c-42"
