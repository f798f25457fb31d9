"""Over a stock transport with nothing else looking, the LLM span starts in the background when the
call ends, with its original start time and parent; with an event hook or the OpenTelemetry httpx
instrumentation in the way, it starts at once and is current during the send. A pending span's
request and response bodies are read in the background too, unless an open span waits for the
call's cost (a parent it rolls up onto): then at once, before the call returns.

These run against the fake_provider provider on loopback: the pending path needs httpx's own transport."""

from __future__ import annotations

import asyncio
import importlib
import socket
import threading
import time

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import SpanProcessor

from agentotel.capture import LLMInstrumentor
from agentotel.capture.providers import openai as openai_wire
from agentotel.semconv import agentotel_names as A
from agentotel.semconv import genai as G

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Where is my order?"}]}


class StartTimes(SpanProcessor):
    """When (wall clock) each span's on_start ran."""

    def __init__(self):
        self.at: dict[str, int] = {}

    def on_start(self, span, parent_context=None):
        self.at[span.name] = time.time_ns()


@pytest.fixture
def capture(telemetry, fake_provider):
    instrumentor = LLMInstrumentor()
    instrumentor.instrument(base_urls={fake_provider.base_url: "openai"})
    yield instrumentor
    instrumentor.uninstrument()


@pytest.fixture
def started(telemetry):
    times = StartTimes()
    telemetry.tracer_provider.add_span_processor(times)
    return times


def llm_span(telemetry):
    (span,) = [s for s in telemetry.spans() if s.name.startswith("chat ")]
    return span


@pytest.mark.parametrize("module_name", ["httpx", "httpx2"])
def test_span_starts_after_the_call_with_its_start_time(telemetry, capture, started, fake_provider, module_name):
    module = importlib.import_module(module_name)
    tracer = telemetry.tracer_provider.get_tracer("test")
    with module.Client() as client, tracer.start_as_current_span("turn") as turn:
        before = time.time_ns()
        response = client.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT)
        returned = time.time_ns()
    assert response.status_code == 200 and response.json()["object"] == "chat.completion"
    span = llm_span(telemetry)
    assert before <= span.start_time <= returned  # the call's own start...
    assert started.at[span.name] >= returned  # ...though the SDK span started after it returned
    assert span.parent.span_id == turn.get_span_context().span_id
    assert span.attributes[A.COST_TOTAL] > 0
    # the roll-up onto the open parent happened while the call ended, before the span existed
    assert telemetry.span("turn").attributes[A.COST_TOTAL] == pytest.approx(span.attributes[A.COST_TOTAL])


def test_async_client(telemetry, capture, started, fake_provider):
    import httpx

    async def call():
        async with httpx.AsyncClient() as client:
            return await client.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT), time.time_ns()

    response, returned = asyncio.run(call())
    assert response.status_code == 200
    span = llm_span(telemetry)
    assert span.start_time <= returned <= started.at[span.name]


def test_event_hook_sees_the_llm_span_current(telemetry, capture, started, fake_provider):
    import httpx

    seen = []
    hooks = {"request": [lambda request: seen.append(trace.get_current_span())]}
    with httpx.Client(event_hooks=hooks) as client:
        client.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT)
        returned = time.time_ns()
    span = llm_span(telemetry)
    assert seen[0].get_span_context().span_id == span.context.span_id
    assert started.at[span.name] < returned


@pytest.mark.parametrize("per_client", [False, True])
def test_httpx_instrumentation_nests_its_span(telemetry, capture, fake_provider, per_client):
    import httpx
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    instrumentor = HTTPXClientInstrumentor()
    client = httpx.Client()
    if per_client:
        instrumentor.instrument_client(client, tracer_provider=telemetry.tracer_provider)
    else:
        instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        client.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT)
    finally:
        if per_client:
            instrumentor.uninstrument_client(client)
        else:
            instrumentor.uninstrument()
        client.close()
    # one span per call: the HTTP span is suppressed; the request carries the LLM span's context
    assert [s for s in telemetry.spans() if s.name == "POST"] == []
    traceparent = fake_provider.requests[-1]["headers"]["traceparent"]
    assert traceparent.split("-")[2] == format(llm_span(telemetry).context.span_id, "016x")


@pytest.fixture
def readers(monkeypatch):
    """The threads the OpenAI wire format's request and response were read on, by body."""
    threads: dict[str, list[str]] = {"request": [], "response": []}
    for part in threads:
        original = getattr(openai_wire, part)

        def reading(*args, _part=part, _original=original):
            threads[_part].append(threading.current_thread().name)
            return _original(*args)

        monkeypatch.setattr(openai_wire, part, reading)
    return threads


def test_bodies_are_read_in_the_background_when_nothing_awaits_the_cost(telemetry, capture, readers, fake_provider):
    import httpx

    body = {**CHAT, "temperature": 0.3}
    with httpx.Client() as client:
        response = client.post(f"{fake_provider.base_url}/v1/chat/completions", json=body)
    assert response.json()["object"] == "chat.completion"  # the app's body is untouched
    span = llm_span(telemetry)  # a root: no open span takes its cost
    assert readers == {"request": ["agentotel-emit"], "response": ["agentotel-emit"]}
    assert span.name == "chat gpt-4o-mini"
    assert span.attributes[G.GEN_AI_REQUEST_MODEL] == "gpt-4o-mini"
    assert span.attributes[G.GEN_AI_REQUEST_TEMPERATURE] == 0.3
    assert span.attributes[G.GEN_AI_RESPONSE_ID] == response.json()["id"]
    assert span.attributes[G.GEN_AI_USAGE_INPUT_TOKENS] == response.json()["usage"]["prompt_tokens"]
    assert span.attributes[A.COST_TOTAL] > 0
    assert sum(p.value for _, p in telemetry.points("agentotel.llm.cost")) == span.attributes[A.COST_TOTAL]
    (attributes, _), = [(a, p) for a, p in telemetry.points("gen_ai.client.operation.duration")]
    assert attributes[G.GEN_AI_REQUEST_MODEL] == "gpt-4o-mini"


def test_the_response_is_read_at_once_when_an_open_span_awaits_the_cost(telemetry, capture, readers, fake_provider):
    import httpx

    tracer = telemetry.tracer_provider.get_tracer("test")
    with httpx.Client() as client, tracer.start_as_current_span("turn"):
        client.post(f"{fake_provider.base_url}/v1/chat/completions", json={**CHAT, "temperature": 0.3})
        read_before_return = {part: list(names) for part, names in readers.items()}
    # the response names the model it was priced as: the request can wait
    assert read_before_return == {"request": [], "response": ["MainThread"]}
    span = llm_span(telemetry)
    assert readers["request"] == ["agentotel-emit"]
    assert span.name == "chat gpt-4o-mini"
    assert span.attributes[G.GEN_AI_REQUEST_TEMPERATURE] == 0.3
    assert telemetry.span("turn").attributes[A.COST_TOTAL] == pytest.approx(span.attributes[A.COST_TOTAL])


def test_the_request_is_read_at_once_when_the_response_names_no_model(telemetry, capture, readers, fake_provider,
                                                                      monkeypatch):
    import httpx

    response = openai_wire.response

    def without_model(record, *args):
        response(record, *args)
        record.response_model = None

    monkeypatch.setattr(openai_wire, "response", without_model)
    tracer = telemetry.tracer_provider.get_tracer("test")
    with httpx.Client() as client, tracer.start_as_current_span("turn"):
        client.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT)
        read_before_return = list(readers["request"])
    assert read_before_return == ["MainThread"]  # priced by the request's model
    span = llm_span(telemetry)
    assert span.attributes[A.COST_TOTAL] > 0
    assert telemetry.span("turn").attributes[A.COST_TOTAL] == pytest.approx(span.attributes[A.COST_TOTAL])


def test_the_request_model_prices_a_call_whose_response_model_is_unpriced(telemetry, capture, readers,
                                                                          fake_provider, monkeypatch):
    import httpx

    response = openai_wire.response

    def unknown_model(record, *args):
        response(record, *args)
        record.response_model = "gpt-4o-mini-finetune-xyz"

    monkeypatch.setattr(openai_wire, "response", unknown_model)
    tracer = telemetry.tracer_provider.get_tracer("test")
    with httpx.Client() as client, tracer.start_as_current_span("turn"):
        client.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT)
        read_before_return = list(readers["request"])
    assert read_before_return == ["MainThread"]
    span = llm_span(telemetry)
    assert span.attributes[G.GEN_AI_RESPONSE_MODEL] == "gpt-4o-mini-finetune-xyz"
    assert span.attributes[A.COST_TOTAL] > 0 and A.COST_UNPRICED not in span.attributes
    assert telemetry.span("turn").attributes[A.COST_TOTAL] == pytest.approx(span.attributes[A.COST_TOTAL])


def test_a_span_started_at_once_still_leaves_the_response_to_the_background(telemetry, capture, readers,
                                                                             fake_provider):
    import httpx
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    instrumentor = HTTPXClientInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)  # the LLM span must be current
    try:
        with httpx.Client() as client:
            client.post(f"{fake_provider.base_url}/v1/chat/completions", json=CHAT)
    finally:
        instrumentor.uninstrument()
    span = llm_span(telemetry)
    assert [s for s in telemetry.spans() if s.name == "POST"] == []  # suppressed: the LLM span stands for the request
    # the request named the span when it started; the response waited for the worker
    assert readers == {"request": ["MainThread"], "response": ["agentotel-emit"]}
    assert span.attributes[A.COST_TOTAL] > 0


def test_a_failed_send_still_reads_the_request(telemetry, readers):
    import httpx

    with socket.socket() as sock:  # a port nothing listens on: the send raises
        sock.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    instrumentor = LLMInstrumentor()
    instrumentor.instrument(base_urls={base: "openai"})
    try:
        with httpx.Client() as client, pytest.raises(httpx.ConnectError):
            client.post(f"{base}/v1/chat/completions", json={**CHAT, "temperature": 0.3})
    finally:
        instrumentor.uninstrument()
    span = llm_span(telemetry)
    assert span.name == "chat gpt-4o-mini"
    assert span.attributes[G.GEN_AI_REQUEST_TEMPERATURE] == 0.3
    assert span.attributes[G.ERROR_TYPE] == "ConnectError"
    assert readers["response"] == []


class TestSendsUnobserved:
    """The rule for leaving the span pending: only httpx's own code runs inside the send."""

    @pytest.fixture(params=["httpx", "httpx2"])
    def kit(self, request):
        from agentotel.capture.streams import Kit

        return Kit(importlib.import_module(request.param))

    URL = "http://llm.test/v1/chat/completions"

    def test_stock_transport(self, kit):
        m = kit.module
        with m.Client() as client:
            assert kit.sends_unobserved(client, m.URL(self.URL))
        assert kit.sends_unobserved(m.AsyncClient(), m.URL(self.URL))

    def test_anything_else_runs_inside(self, kit):
        m = kit.module
        url = m.URL(self.URL)
        hooked = m.Client(event_hooks={"response": [lambda response: None]})
        mocked = m.Client(transport=m.MockTransport(lambda request: m.Response(200)))
        subclass = m.Client(transport=type("Custom", (m.HTTPTransport,), {})())
        wrapped = m.Client()
        wrapped._transport.handle_request = wrapped._transport.handle_request  # an instance-level wrapper
        mounted = m.Client(mounts={"http://llm.test": m.MockTransport(lambda request: m.Response(200))})
        for client in (hooked, mocked, subclass, wrapped, mounted):
            assert not kit.sends_unobserved(client, url)
            client.close()
        assert not kit.sends_unobserved(object(), url)  # not a client of this module: unsure
