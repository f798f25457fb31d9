"""SecretScrubber: API keys in URLs, headers and exception messages never reach exported spans."""

from __future__ import annotations

import pytest
from opentelemetry.instrumentation.httpx import HTTPX2ClientInstrumentor, HTTPXClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentotel.processors.secrets import LogScrubber, SecretScrubber, scrub_text
from agentotel.credentials import MAX_SCANNED_LENGTH

SECRET = "AIzaSyD-fake-secret-0123456789"
#: One of each key shape the providers agentotel supports hand out.
KEYS = {
    "openai": "sk-proj-" + "Ab3dE5gH7jK9mN1pQ3sT5vX7" * 2,
    "openai_legacy": "sk-" + "0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0u",
    "anthropic": "sk-ant-api03-" + "Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0" * 3,
    "google": "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv",
    "azure": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
}


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


class TestKeyShapes:
    @pytest.mark.parametrize("text", [
        "Incorrect API key provided: {openai}. You can find your API key at https://platform.example/keys.",
        "Error code: 401 - {{'error': {{'message': 'Incorrect API key provided: {openai_legacy}.'}}}}",
        "invalid x-api-key {anthropic}",
        "GET https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?key={google} 400",
        "Access denied due to invalid subscription key {azure}. Make sure to provide a valid key.",
        "api-key: {azure}",
        "{{\"api_key\": \"{openai}\"}}",
    ])
    def test_every_shape_is_replaced(self, text):
        """Each provider's key shape, as error messages and logs quote it, is replaced."""
        text = text.format(**KEYS)
        clean = scrub_text(text)
        assert not any(key in clean for key in KEYS.values()), clean
        assert "REDACTED" in clean

    @pytest.mark.parametrize("text", ["trace 0123456789abcdef0123456789abcdef", "task-force sk-short", "a" * 40])
    def test_lookalikes_kept(self, text):
        """A bare 32-hex id (a trace id), short ``sk-`` words and plain text are not secrets."""
        assert scrub_text(text) == text

    def test_long_values_are_capped_before_scanning(self):
        """A value longer than the scan cap is cut to it first; a key straddling the cut leaves nothing."""
        text = "x " * (MAX_SCANNED_LENGTH // 2 - 10) + KEYS["openai"] + " tail"
        clean = scrub_text(text)
        assert len(clean) < MAX_SCANNED_LENGTH + 64
        assert KEYS["openai"][:12] not in clean and "[truncated" in clean


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


    def test_any_attribute_status_and_exception_event(self, provider):
        """A key in any attribute, the status description or an exception's message and stack trace
        is redacted before export, whichever instrumentation made the span."""
        from opentelemetry.trace import Status, StatusCode

        tp, exporter = provider
        span = tp.get_tracer("opentelemetry.instrumentation.fastapi").start_span("POST /chat")
        span.set_attribute("app.note", f"retry with {KEYS['anthropic']}")
        span.set_attribute("app.keys", [KEYS["google"], "ok"])
        error = RuntimeError(f"Incorrect API key provided: {KEYS['openai']}")
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, str(error)))
        span.end()
        (exported,) = exporter.get_finished_spans()
        text = exported_text(exporter)
        assert not any(key in text for key in KEYS.values())
        assert exported.status.description == "Incorrect API key provided: REDACTED"
        assert exported.events[0].attributes["exception.type"] == "RuntimeError"

    def test_agentotel_spans_too(self, provider):
        """agentotel's own LLM spans, ended with the provider's 401 error, export no key."""
        tp, exporter = provider
        span = tp.get_tracer("agentotel").start_span("chat gpt-4o-mini")
        span.record_exception(PermissionError(f"Error code: 401 - invalid api key {KEYS['openai_legacy']}"))
        span.end()
        assert KEYS["openai_legacy"] not in exported_text(exporter)


class TestLogScrubber:
    def test_bodies_and_exception_attributes(self):
        """``logging.exception`` quoting a key and httpx's request line with ``?key=`` are exported
        without the key; the rest of the record is kept."""
        import logging
        import warnings

        from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
        from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor

        exporter = InMemoryLogRecordExporter()
        lp = LoggerProvider()
        lp.add_log_record_processor(LogScrubber())
        lp.add_log_record_processor(SimpleLogRecordProcessor(exporter))
        logger = logging.getLogger("tests.sanitize.logs")
        logger.propagate = False
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            handler = LoggingHandler(logger_provider=lp)
        logger.addHandler(handler)
        try:
            logger.warning('HTTP Request: POST https://g.test/v1beta/models/m:generateContent?key=%s "HTTP/1.1 200 OK"',
                           KEYS["google"])
            try:
                raise PermissionError(f"Incorrect API key provided: {KEYS['openai']}")
            except PermissionError:
                logger.exception("call failed with api-key %s", KEYS["azure"])
        finally:
            logger.removeHandler(handler)
        records = exporter.get_finished_logs()
        text = " ".join(r.to_json() for r in records)
        assert len(records) == 2
        assert not any(key in text for key in KEYS.values())
        assert "key=REDACTED" in text and "PermissionError" in text


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
