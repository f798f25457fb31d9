"""SecretScrubber: API keys in URLs, headers and exception messages never reach exported spans."""

from __future__ import annotations

import pytest
from opentelemetry.instrumentation.httpx import HTTPX2ClientInstrumentor, HTTPXClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentotel.capture.sanitize import SecretScrubber, scrub_text

SECRET = "AIzaSyD-fake-secret-0123456789"


@pytest.fixture
def provider():
    exporter = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SecretScrubber())
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    yield tp, exporter
    tp.shutdown()


def exported_text(exporter) -> str:
    return " ".join(span.to_json() for span in exporter.get_finished_spans())


class TestScrubText:
    @pytest.mark.parametrize("url, expected", [
        (f"https://g.test/v1/models/m:generateContent?key={SECRET}", "?key=REDACTED"),
        (f"https://g.test/x?alt=sse&key={SECRET}&b=1", "&key=REDACTED&b=1"),
        (f"https://g.test/x?api_key={SECRET}", "?api_key=REDACTED"),
        (f"https://g.test/x?access_token={SECRET}", "?access_token=REDACTED"),
        (f"Authorization: Bearer {SECRET}", "Bearer REDACTED"),
    ])
    def test_secrets_replaced(self, url, expected):
        """Credential query parameters and bearer tokens are replaced."""
        clean = scrub_text(url)
        assert SECRET not in clean and expected in clean

    @pytest.mark.parametrize("text", ["https://g.test/x?max_tokens=5&page_token=abc", "monkey=1", "no secrets"])
    def test_other_values_kept(self, text):
        """Parameters that merely end in "key" or "token" are left alone."""
        assert scrub_text(text) == text


class TestProcessor:
    def test_attributes_at_start(self, provider):
        """URL and credential-header attributes set when a span starts are exported redacted."""
        tp, exporter = provider
        tp.get_tracer("x").start_span("GET", attributes={
            "url.full": f"https://g.test/m?key={SECRET}", "http.url": f"https://g.test/m?key={SECRET}",
            "http.request.header.authorization": (f"Bearer {SECRET}",),
            "http.request.header.x_goog_api_key": (SECRET,), "http.request.header.api-key": SECRET,
            "http.request.header.accept": ("application/json",)}).end()
        (span,) = exporter.get_finished_spans()
        assert SECRET not in exported_text(exporter)
        assert span.attributes["http.request.header.authorization"] == ("REDACTED",)
        assert span.attributes["http.request.header.accept"] == ("application/json",)

    def test_attributes_and_events_set_later(self, provider):
        """Values set after start, and exception messages quoting a URL, are redacted before export."""
        tp, exporter = provider
        span = tp.get_tracer("x").start_span("POST")
        span.set_attribute("url.full", f"https://g.test/m?key={SECRET}")
        span.set_attribute("http.response.header.set_cookie", ("session=abc",))
        span.record_exception(ValueError(f"bad response for url 'https://g.test/m?key={SECRET}'"))
        span.end()
        text = exported_text(exporter)
        assert SECRET not in text and "session=abc" not in text
        assert "key=REDACTED" in text


class TestWithHttpxInstrumentation:
    @pytest.mark.parametrize("module_name", ["httpx", "httpx2"])
    def test_http_client_spans(self, provider, monkeypatch, module_name):
        """The OTel httpx instrumentation capturing all request headers exports no key, header or query."""
        import importlib
        module = importlib.import_module(module_name)
        instrumentor = HTTPXClientInstrumentor if module_name == "httpx" else HTTPX2ClientInstrumentor
        monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST", ".*")
        tp, exporter = provider
        client = module.Client(transport=module.MockTransport(lambda r: module.Response(200, json={})))
        instrumentor.instrument_client(client, tracer_provider=tp)
        client.post(f"http://g.test/v1beta/models/m:generateContent?key={SECRET}", json={},
                    headers={"x-goog-api-key": SECRET, "authorization": f"Bearer {SECRET}", "x-api-key": SECRET,
                             "api-key": SECRET})
        instrumentor.uninstrument_client(client)
        assert len(exporter.get_finished_spans()) == 1
        text = exported_text(exporter)
        assert SECRET not in text
        assert "REDACTED" in text
