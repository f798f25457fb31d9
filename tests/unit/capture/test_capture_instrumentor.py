"""The instrumentor: wraps what is importable, unwraps all of it, honours configuration."""

from __future__ import annotations

from importlib.metadata import entry_points

import httpx
import httpx2
import pytest
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from agentotel.capture import LLMInstrumentor, instrumentor as instrumentor_module
from agentotel.config import Settings, reset_settings

from ..conftest import DrainingSpanExporter
from .conftest import recorded_json
from .test_capture_lifecycle import CHAT_URL, chat_request, client_for, json_reply

ORIGINAL = {m: (m.Client.send, m.AsyncClient.send) for m in (httpx, httpx2)}


class TestWrapping:
    def test_uninstrument_restores_every_method(self, telemetry):
        """After uninstrument, every wrapped send is the original function again."""
        instrumentor = LLMInstrumentor()
        instrumentor.instrument()
        assert all(m.Client.send is not ORIGINAL[m][0] for m in (httpx, httpx2))
        instrumentor.uninstrument()
        assert {m: (m.Client.send, m.AsyncClient.send) for m in (httpx, httpx2)} == ORIGINAL

    def test_one_module_missing(self, telemetry, monkeypatch):
        """With only httpx2 importable, capture wraps httpx2 and leaves httpx alone."""
        real = instrumentor_module._import
        monkeypatch.setattr(instrumentor_module, "_import", lambda name: None if name == "httpx" else real(name))
        instrumentor = LLMInstrumentor()
        instrumentor.instrument()
        try:
            assert httpx.Client.send is ORIGINAL[httpx][0]
            assert httpx2.Client.send is not ORIGINAL[httpx2][0]
        finally:
            instrumentor.uninstrument()
        assert httpx2.Client.send is ORIGINAL[httpx2][0]

    def test_no_hard_dependencies(self):
        """The instrumentor declares no required package, so auto-instrumentation never skips it."""
        assert list(LLMInstrumentor().instrumentation_dependencies()) == []

    def test_entry_point(self):
        """opentelemetry-instrument finds the instrumentor under the prefixed name agentotel_llm."""
        (point,) = [e for e in entry_points(group="opentelemetry_instrumentor") if e.name == "agentotel_llm"]
        assert point.load() is LLMInstrumentor


class TestWithHttpxInstrumentation:
    @pytest.mark.parametrize("capture_first", [True, False])
    def test_http_span_is_child_of_llm_span(self, telemetry, capture_first):
        """With HTTP spans kept, whichever is instrumented first, the OTel httpx HTTP span is a child
        of the LLM span."""
        from opentelemetry.instrumentation.httpx import HTTPX2ClientInstrumentor

        client = client_for(httpx2, json_reply(httpx2, recorded_json("openai_chat_response.json")))
        capture = LLMInstrumentor()
        steps = [lambda: capture.instrument(base_urls={"http://llm.test": "openai"}, http_spans=True),
                 lambda: HTTPX2ClientInstrumentor.instrument_client(client, tracer_provider=telemetry.tracer_provider)]
        for step in steps if capture_first else reversed(steps):
            step()
        try:
            client.post(CHAT_URL, json=chat_request())
        finally:
            capture.uninstrument()
            HTTPX2ClientInstrumentor.uninstrument_client(client)
        llm = telemetry.span("chat gpt-4o-2024-08-06")
        http = telemetry.span("POST")
        assert http.parent.span_id == llm.context.span_id


class TestConfiguration:
    def test_base_urls_from_environment_settings(self, make_telemetry):
        """AGENTOTEL_LLM_BASE_URLS (parsed into settings) makes a self-hosted server's calls captured."""
        telemetry = make_telemetry(Settings(llm_base_urls={"http://vllm.test:8000/v1": "vllm"}))
        instrumentor = LLMInstrumentor()
        instrumentor.instrument()
        try:
            client = client_for(httpx2, json_reply(httpx2, recorded_json("openai_chat_response.json")))
            client.post("http://vllm.test:8000/v1/chat/completions", json=chat_request())
        finally:
            instrumentor.uninstrument()
        assert telemetry.span("chat gpt-4o-2024-08-06").attributes["gen_ai.provider.name"] == "vllm"

    def test_explicit_providers(self, telemetry):
        """Providers passed to instrument() receive the spans instead of the global ones."""
        exporter = DrainingSpanExporter()
        tp = TracerProvider()
        tp.add_span_processor(SimpleSpanProcessor(exporter))
        instrumentor = LLMInstrumentor()
        instrumentor.instrument(tracer_provider=tp, base_urls={"http://llm.test": "openai"})
        try:
            client_for(httpx, json_reply(httpx, {})).post(CHAT_URL, json=chat_request())
        finally:
            instrumentor.uninstrument()
        assert [s.name for s in exporter.get_finished_spans()] == ["chat gpt-4o-2024-08-06"]
        assert telemetry.spans() == []

    def test_suppressed_instrumentation(self, instrument, telemetry):
        """Inside suppress_instrumentation() nothing is captured."""
        client = client_for(httpx, json_reply(httpx, {}))
        with suppress_instrumentation():
            client.post(CHAT_URL, json=chat_request())
        assert telemetry.spans() == []


@pytest.fixture(autouse=True)
def _settings_reset():
    yield
    reset_settings(None)
