"""One captured call from request to the end of its body, over httpx and httpx2 (sync and async):
attributes, streaming, exactly-once ending, errors and bad bodies."""

from __future__ import annotations

import gc
import gzip
import json

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from agentotel.core import guard

from .conftest import recorded_bytes, recorded_json, split, stream_class

CHAT_URL = "http://llm.test/v1/chat/completions"
STREAM_BODY = recorded_bytes("openai_chat_stream.txt")
SSE_HEADERS = {"content-type": "text/event-stream"}


def client_for(module, handler, asynchronous=False):
    transport = module.MockTransport(handler)
    return module.AsyncClient(transport=transport) if asynchronous else module.Client(transport=transport)


def json_reply(module, body, status=200):
    return lambda request: module.Response(status, json=body)


def stream_reply(module, chunks, headers=SSE_HEADERS, **kwargs):
    cls = stream_class(module)
    return lambda request: module.Response(200, headers=headers, stream=cls(chunks, **kwargs))


def chat_request(stream=False):
    body = recorded_json("openai_chat_request.json")
    body["stream"] = stream
    return body


class TestPlainResponse:
    def test_chat_span_attributes_metrics_and_parent(self, instrument, telemetry, httpx_module):
        """A chat call is one CLIENT span under the app's span, with request, response, usage and cost."""
        client = client_for(httpx_module, json_reply(httpx_module, recorded_json("openai_chat_response.json")))
        with telemetry.tracer("app").start_as_current_span("handle request") as parent:
            response = client.post(CHAT_URL, json=chat_request())
        assert response.json()["id"] == "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG"
        span = telemetry.span("chat gpt-4o-2024-08-06")
        assert span.kind == SpanKind.CLIENT
        assert span.parent.span_id == parent.get_span_context().span_id
        a = span.attributes
        assert (a["gen_ai.provider.name"], a["server.address"], a["server.port"]) == ("openai", "llm.test", 80)
        assert a["gen_ai.request.temperature"] == 0.3 and a["gen_ai.request.choice.count"] == 2
        assert a["gen_ai.response.finish_reasons"] == ("stop", "tool_calls")
        assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (1117, 46)
        # 93 fresh input at 2.50/M + 1024 cached at 1.25/M + 46 output at 10/M (gpt-4o)
        assert a["agentotel.cost.total"] == pytest.approx(93 * 2.5e-6 + 1024 * 1.25e-6 + 46 * 10e-6)
        tokens = {p[0]["gen_ai.token.type"]: p[1].sum for p in telemetry.points("gen_ai.client.token.usage")}
        assert tokens == {"input": 1117, "output": 46}
        assert len(telemetry.points("gen_ai.client.operation.duration")) == 1

    def test_other_requests_untouched(self, instrument, telemetry, httpx_module):
        """Requests that are not LLM calls produce no span and reach the app unchanged."""
        client = client_for(httpx_module, json_reply(httpx_module, {"ok": True}))
        assert client.get("http://llm.test/v1/models").json() == {"ok": True}
        assert client.post("http://elsewhere.test/v1/chat/completions", json={}).json() == {"ok": True}
        assert telemetry.spans() == []

    async def test_async_client(self, instrument, telemetry, httpx_module):
        """The async client is captured the same way."""
        client = client_for(httpx_module, json_reply(httpx_module, recorded_json("anthropic_response.json")), True)
        response = await client.post("http://anthropic.test/v1/messages", json=recorded_json("anthropic_request.json"))
        assert response.status_code == 200
        a = telemetry.span("chat claude-sonnet-4-5-20250929").attributes
        # Anthropic reports fresh input apart from cache counts; the span's input includes them.
        assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.cache_creation.input_tokens"]) == (21 + 188086, 188086)


class TestStreaming:
    @pytest.mark.parametrize("chunk_size", [1, 7, 4096])
    def test_full_stream(self, instrument, telemetry, httpx_module, chunk_size):
        """A stream read to the end passes its bytes unchanged and ends its span once with usage and TTFC."""
        client = client_for(httpx_module, stream_reply(httpx_module, split(STREAM_BODY, chunk_size)))
        with client.stream("POST", CHAT_URL, json=chat_request(stream=True)) as response:
            received = b"".join(response.iter_bytes())
        assert received == STREAM_BODY
        span = telemetry.span("chat gpt-4o-2024-08-06")
        a = span.attributes
        assert a["gen_ai.request.stream"] is True
        assert a["gen_ai.response.model"] == "o3-mini-2025-01-31"
        assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.reasoning.output_tokens"]) == (300, 192)
        assert a["gen_ai.response.time_to_first_chunk"] >= 0
        assert len(telemetry.points("gen_ai.client.operation.time_to_first_chunk")) == 1

    def test_ends_at_terminal_event_before_body_end(self, instrument, telemetry, httpx_module):
        """The span ends at [DONE], while the app is still reading the body."""
        chunks = split(STREAM_BODY, 64)
        client = client_for(httpx_module, stream_reply(httpx_module, chunks))
        with client.stream("POST", CHAT_URL, json=chat_request(stream=True)) as response:
            for chunk in response.iter_raw():
                if b"[DONE]" in chunk:
                    assert len(telemetry.spans()) == 1
                    break
            else:
                pytest.fail("no [DONE] chunk")

    def test_early_break_ends_once(self, instrument, telemetry, httpx_module):
        """Leaving the stream after the first chunk ends the span once, with what was read."""
        client = client_for(httpx_module, stream_reply(httpx_module, split(STREAM_BODY, 400)))
        with client.stream("POST", CHAT_URL, json=chat_request(stream=True)) as response:
            for _ in response.iter_raw():
                break
        gc.collect()
        span = telemetry.span("chat gpt-4o-2024-08-06")
        assert span.attributes["gen_ai.response.id"] == "chatcmpl-AbC1"
        assert "gen_ai.usage.input_tokens" not in span.attributes
        assert span.status.status_code == StatusCode.UNSET

    def test_close_without_reading(self, instrument, telemetry, httpx_module):
        """Closing an unread stream ends the span."""
        client = client_for(httpx_module, stream_reply(httpx_module, [STREAM_BODY]))
        response = client.send(client.build_request("POST", CHAT_URL, json=chat_request(stream=True)), stream=True)
        assert telemetry.spans() == []
        response.close()
        assert len(telemetry.spans()) == 1

    def test_garbage_collected_response(self, instrument, telemetry, httpx_module):
        """A streamed response dropped without being read or closed ends its span when collected."""
        client = client_for(httpx_module, stream_reply(httpx_module, [STREAM_BODY]))
        response = client.send(client.build_request("POST", CHAT_URL, json=chat_request(stream=True)), stream=True)
        assert telemetry.spans() == []
        del response
        gc.collect()
        assert len(telemetry.spans()) == 1

    def test_exception_mid_stream(self, instrument, telemetry, httpx_module):
        """A transport error mid-stream reaches the app unchanged and ends the span with its type."""
        error = httpx_module.ReadError("connection reset")
        client = client_for(httpx_module, stream_reply(httpx_module, split(STREAM_BODY, 100), error=error, fail_after=2))
        with pytest.raises(httpx_module.ReadError):
            with client.stream("POST", CHAT_URL, json=chat_request(stream=True)) as response:
                for _ in response.iter_raw():
                    pass
        span = telemetry.span("chat gpt-4o-2024-08-06")
        assert span.attributes["error.type"] == "ReadError"
        assert span.status.status_code == StatusCode.ERROR

    async def test_async_stream_and_early_exit(self, instrument, telemetry, httpx_module):
        """Async streams end once when read to the end and when left early."""
        client = client_for(httpx_module, stream_reply(httpx_module, split(STREAM_BODY, 50)), True)
        async with client.stream("POST", CHAT_URL, json=chat_request(stream=True)) as response:
            received = b"".join([chunk async for chunk in response.aiter_bytes()])
        assert received == STREAM_BODY
        async with client.stream("POST", CHAT_URL, json=chat_request(stream=True)) as response:
            async for _ in response.aiter_raw():
                break
        spans = telemetry.spans()
        assert len(spans) == 2
        assert spans[0].attributes["gen_ai.usage.input_tokens"] == 300
        assert spans[1].attributes.get("gen_ai.usage.input_tokens") is None

    def test_gzip_encoded_stream(self, instrument, telemetry, httpx_module):
        """A gzip-encoded event stream is decoded for parsing; the app still gets the raw bytes."""
        packed = gzip.compress(STREAM_BODY)
        headers = {**SSE_HEADERS, "content-encoding": "gzip"}
        client = client_for(httpx_module, stream_reply(httpx_module, split(packed, 33), headers=headers))
        with client.stream("POST", CHAT_URL, json=chat_request(stream=True)) as response:
            assert b"".join(response.iter_bytes()) == STREAM_BODY
        assert telemetry.span("chat gpt-4o-2024-08-06").attributes["gen_ai.usage.output_tokens"] == 250


class TestErrorsAndBadInput:
    def test_http_error_status(self, instrument, telemetry, httpx_module):
        """A 429 from the provider ends the span with error.type "429" and an error status."""
        client = client_for(httpx_module, json_reply(httpx_module, {"error": {"type": "rate_limit"}}, 429))
        assert client.post(CHAT_URL, json=chat_request()).status_code == 429
        span = telemetry.span("chat gpt-4o-2024-08-06")
        assert span.attributes["error.type"] == "429"
        assert span.status.status_code == StatusCode.ERROR
        (attributes, _), = telemetry.points("gen_ai.client.operation.duration")
        assert attributes["error.type"] == "429"

    def test_connection_error(self, instrument, telemetry, httpx_module):
        """An exception from the transport propagates unchanged and ends the span with its type."""
        def refuse(request):
            raise httpx_module.ConnectError("refused")
        client = client_for(httpx_module, refuse)
        with pytest.raises(httpx_module.ConnectError, match="refused"):
            client.post(CHAT_URL, json=chat_request())
        assert telemetry.span("chat gpt-4o-2024-08-06").attributes["error.type"] == "ConnectError"

    @pytest.mark.parametrize("body", [b'{"id": "x", "choices": [', b"<html>502</html>", b"", b"\xff\xfe\x00"])
    def test_bad_bodies(self, instrument, telemetry, httpx_module, body):
        """Truncated, non-JSON, empty or undecodable bodies still give a span and never raise."""
        client = client_for(httpx_module, lambda request: httpx_module.Response(200, content=body))
        assert client.post(CHAT_URL, json=chat_request()).content == body
        span = telemetry.span("chat gpt-4o-2024-08-06")
        assert span.attributes["gen_ai.request.temperature"] == 0.3
        assert "gen_ai.usage.input_tokens" not in span.attributes

    def test_malformed_events_are_skipped(self, instrument, telemetry, httpx_module):
        """A broken event in a stream is skipped; the events after it still count."""
        body = b'data: {"broken": \n\n' + STREAM_BODY
        client = client_for(httpx_module, stream_reply(httpx_module, [body]))
        with client.stream("POST", CHAT_URL, json=chat_request(stream=True)) as response:
            response.read()
        assert telemetry.span("chat gpt-4o-2024-08-06").attributes["gen_ai.usage.input_tokens"] == 300

    def test_unparseable_request_body(self, instrument, telemetry, httpx_module):
        """A request whose body is not JSON is still captured, without request details."""
        client = client_for(httpx_module, json_reply(httpx_module, recorded_json("openai_chat_response.json")))
        client.post(CHAT_URL, content=b"not json")
        assert telemetry.span("chat").attributes["gen_ai.response.model"] == "gpt-4o-2024-08-06"

    def test_translator_failure_is_contained(self, instrument, telemetry, httpx_module, monkeypatch):
        """A failure inside capture is counted as an internal error; the app's call is unaffected."""
        from agentotel.capture.providers import openai

        def explode(*args):
            raise RuntimeError("translator bug")
        monkeypatch.setattr(openai, "response", explode)
        before = guard.internal_error_counts().get("capture", 0)
        client = client_for(httpx_module, json_reply(httpx_module, {"id": "x"}))
        assert client.post(CHAT_URL, json=chat_request()).json() == {"id": "x"}
        assert len(telemetry.spans()) == 1
        assert guard.internal_error_counts()["capture"] == before + 1


class TestContent:
    def test_content_only_when_enabled(self, make_telemetry, httpx_module):
        """Messages reach the span only with content capture on."""
        from agentotel.capture import LLMInstrumentor
        from agentotel.config import Settings

        from .conftest import BASE_URLS
        for mode, expected in (("", False), ("span", True)):
            telemetry = make_telemetry(Settings(capture_content=mode))
            instrumentor = LLMInstrumentor()
            instrumentor.instrument(base_urls=BASE_URLS)
            try:
                client = client_for(httpx_module, json_reply(httpx_module, recorded_json("openai_chat_response.json")))
                client.post(CHAT_URL, json=chat_request())
            finally:
                instrumentor.uninstrument()
            a = telemetry.span("chat gpt-4o-2024-08-06").attributes
            assert ("gen_ai.input.messages" in a) is expected
            assert ("gen_ai.output.messages" in a) is expected
            if expected:
                assert json.loads(a["gen_ai.output.messages"])[0]["parts"][0]["content"] == "Your order A-1001 has shipped."


class TestTimeToFirstChunk:
    def test_only_for_event_streams(self, instrument, telemetry, httpx_module):
        """A streamed request answered with an error body records no time to first chunk."""
        cls = stream_class(httpx_module)
        client = client_for(httpx_module, lambda request: httpx_module.Response(
            429, headers={"content-type": "application/json"}, stream=cls([b'{"error": {}}'])))
        with client.stream("POST", CHAT_URL, json=chat_request(stream=True)) as response:
            response.read()
        span = telemetry.span("chat gpt-4o-2024-08-06")
        assert span.attributes["error.type"] == "429"
        assert "gen_ai.response.time_to_first_chunk" not in span.attributes
        assert telemetry.points("gen_ai.client.operation.time_to_first_chunk") == []
