"""One span per LLM call: under a captured call the OpenTelemetry httpx instrumentation is
suppressed through OpenTelemetry's own context key, the LLM span carries what the HTTP span had,
other requests keep their HTTP spans, and ``http_spans`` (``AGENTOTEL_LLM_HTTP_SPANS``) keeps them.
Against the fake provider on loopback, through httpx's own transport."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

from agentotel.capture import LLMInstrumentor
from agentotel.config import load_settings

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Where is my order?"}]}


@pytest.fixture
def stack(telemetry, fake_provider):
    """Capture with the given ``http_spans`` (the fake provider configured) and the httpx instrumentation."""
    made = []

    def make(**options):
        capture = LLMInstrumentor()
        capture.instrument(base_urls={fake_provider.base_url: "openai"}, **options)
        http = HTTPXClientInstrumentor()
        http.instrument(tracer_provider=telemetry.tracer_provider)
        made.append((capture, http))

    yield make
    for capture, http in made:
        http.uninstrument()
        capture.uninstrument()


def spans_named(telemetry, name):
    return [s for s in telemetry.spans() if s.name == name]


def test_one_span_per_llm_call_other_requests_keep_theirs(telemetry, fake_provider, stack):
    """By default the LLM call is one span with server and status attributes; a non-LLM request
    made with the same client keeps its HTTP span."""
    stack()
    with httpx.Client() as client:
        client.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT)
        client.get(f"{fake_provider.base_url}/v1/models")
    llm = telemetry.span("chat gpt-4o-mini")
    (http,) = [s for s in telemetry.spans() if s.name == "GET"]
    assert spans_named(telemetry, "POST") == []
    assert http.parent is None  # the GET is not under the LLM span
    host, port = fake_provider.base_url.rsplit("/", 1)[1].split(":")
    a = llm.attributes
    assert (a["server.address"], a["server.port"], a["http.response.status_code"]) == (host, int(port), 200)
    assert not any(key.startswith("url.") for key in a)  # never the URL (a Gemini key may be in it)


def test_an_error_status_is_on_the_llm_span(telemetry, fake_provider, stack):
    """A 429 sets error.type and http.response.status_code on the LLM span, as on the HTTP span."""
    stack()
    with httpx.Client() as client:
        client.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT,
                    headers={"x-fake-scenario": "error_429"})
    a = telemetry.span("chat gpt-4o-mini").attributes
    assert (a["error.type"], a["http.response.status_code"]) == ("429", 429)
    assert spans_named(telemetry, "POST") == []


def test_the_setting_keeps_the_http_span(telemetry, fake_provider, stack):
    """With http_spans the HTTP span is back, a child of the LLM span."""
    stack(http_spans=True)
    with httpx.Client() as client:
        client.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT)
    (http,) = spans_named(telemetry, "POST")
    assert http.parent.span_id == telemetry.span("chat gpt-4o-mini").context.span_id
    assert load_settings({"AGENTOTEL_LLM_HTTP_SPANS": "true"}).llm_http_spans is True
    assert load_settings({}).llm_http_spans is False


def test_the_suppression_ends_with_the_call(telemetry, fake_provider, stack):
    """After a captured call, HTTP instrumentation in the app's context is on again."""
    from opentelemetry.instrumentation.utils import is_http_instrumentation_enabled

    stack()
    with httpx.Client() as client:
        client.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT)
    assert is_http_instrumentation_enabled()


def test_without_an_http_instrumentation_nothing_is_injected(telemetry, fake_provider):
    """Capture alone adds no trace headers to a request: it injects only in place of an HTTP
    instrumentation it suppresses."""
    capture = LLMInstrumentor()
    capture.instrument(base_urls={fake_provider.base_url: "openai"})
    try:
        with httpx.Client() as client:
            client.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT)
    finally:
        capture.uninstrument()
    assert "traceparent" not in fake_provider.requests[-1]["headers"]
    assert telemetry.span("chat gpt-4o-mini").attributes["http.response.status_code"] == 200
