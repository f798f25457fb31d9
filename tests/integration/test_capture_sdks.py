"""Zero-code capture with the real openai, anthropic and google-genai SDKs (and LangChain over
openai) against the fake provider, a real HTTP server on loopback. Spans, metrics and logs go to the
OpenTelemetry SDK's in-memory exporters; costs are checked against the bundled catalog's prices."""

from __future__ import annotations

import gc
import json
import time

import anthropic
import httpx
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as genai_types
from langchain_openai import ChatOpenAI
from opentelemetry.instrumentation.httpx import HTTPX2ClientInstrumentor, HTTPXClientInstrumentor
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from agentotel.capture import LLMInstrumentor
from agentotel.config import Settings, load_settings, reset_settings
from agentotel.core import deferral
from agentotel.core.runtime import set_emitter
from agentotel.processors import CostRollup, span_processors
from demo.fake_provider import start_fake_provider
from demo.fake_provider.scenarios import SLOW_SECONDS

pytestmark = pytest.mark.integration

OPENAI_KEY = "sk-proj-fakeOpenAIsecret0001"
ANTHROPIC_KEY = "sk-ant-api03-fakeAnthropicSecret0002"
GEMINI_KEY = "AIzaSyFakeGeminiSecret0003"
SCENARIO = "x-fake-scenario"
M = 1e-6  # catalog prices are per million tokens


# ---------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def provider():
    """The fake provider on a free loopback port for this module."""
    running = start_fake_provider()
    yield running
    running.stop()


class Telemetry:
    """SDK providers wired to in-memory exporters, with agentotel's processors (SecretScrubber among
    them). Reading spans or metrics first waits for the emitter's background worker."""

    def __init__(self, settings: Settings):
        self.spans_exporter = InMemorySpanExporter()
        self.reader = InMemoryMetricReader()
        self.logs_exporter = InMemoryLogRecordExporter()
        self.tracer_provider = TracerProvider()
        rollup = CostRollup()
        for processor in span_processors(rollup):
            self.tracer_provider.add_span_processor(processor)
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans_exporter))
        self.meter_provider = MeterProvider(metric_readers=[self.reader])
        self.logger_provider = LoggerProvider()
        self.logger_provider.add_log_record_processor(SimpleLogRecordProcessor(self.logs_exporter))
        self.providers = {"tracer_provider": self.tracer_provider, "meter_provider": self.meter_provider,
                          "logger_provider": self.logger_provider, "cost_rollup": rollup}

    def spans(self, name=None):
        assert deferral.worker.drain(10)
        return [s for s in self.spans_exporter.get_finished_spans() if name is None or s.name == name]

    def span(self, name):
        found = self.spans(name)
        assert len(found) == 1, f"expected one {name!r}, got {[s.name for s in self.spans()]}"
        return found[0]

    def points(self, metric, scope="agentotel"):
        assert deferral.worker.drain(10)
        data = self.reader.get_metrics_data()
        return [p for rm in (data.resource_metrics if data else []) for sm in rm.scope_metrics
                if scope is None or sm.scope.name == scope for m in sm.metrics if m.name == metric
                for p in m.data.data_points]

    def tokens(self, scope="agentotel"):
        totals = {}
        for p in self.points("gen_ai.client.token.usage", scope):
            key = p.attributes["gen_ai.token.type"]
            totals[key] = totals.get(key, 0) + p.sum
        return totals

    def cost(self):
        return sum(p.value for p in self.points("agentotel.llm.cost"))

    def tracer(self):
        return self.tracer_provider.get_tracer("test.app")


@pytest.fixture
def make_telemetry(provider):
    """Instrument with fresh in-memory telemetry (settings as given); uninstrument afterwards."""
    made = []

    def make(settings: Settings | None = None) -> Telemetry:
        settings = settings or Settings()
        reset_settings(settings)
        telemetry = Telemetry(settings)
        instrumentor = LLMInstrumentor()
        instrumentor.instrument(**telemetry.providers, base_urls={
            f"{provider.base_url}/openai": "openai", f"{provider.base_url}/anthropic": "anthropic",
            f"{provider.base_url}/gemini": "gcp.gemini"})
        made.append((telemetry, instrumentor))
        return telemetry

    yield make
    for telemetry, instrumentor in made:
        instrumentor.uninstrument()
        telemetry.tracer_provider.shutdown()
        telemetry.meter_provider.shutdown()
        telemetry.logger_provider.shutdown()
    set_emitter(None)
    reset_settings(None)


@pytest.fixture
def telemetry(make_telemetry) -> Telemetry:
    return make_telemetry()


@pytest.fixture
def oai(provider):
    return openai.OpenAI(base_url=f"{provider.base_url}/openai/v1", api_key=OPENAI_KEY, max_retries=2)


@pytest.fixture
def aoai(provider):
    return openai.AsyncOpenAI(base_url=f"{provider.base_url}/openai/v1", api_key=OPENAI_KEY, max_retries=2)


def anthropic_client(provider, cls=anthropic.Anthropic, **options):
    options.setdefault("open_telemetry", False)  # the SDK's own spans: see TestDeduplication
    return cls(base_url=f"{provider.base_url}/anthropic", api_key=ANTHROPIC_KEY, max_retries=2, **options)


@pytest.fixture
def gem(provider):
    """A google-genai client (kept referenced: a collected Client closes its HTTP client)."""
    client = genai.Client(api_key=GEMINI_KEY, http_options=genai_types.HttpOptions(base_url=f"{provider.base_url}/gemini"))
    yield client
    client.close()


USER = [{"role": "user", "content": "Where is my order?"}]
TOOLS = [{"type": "function", "function": {"name": "lookup_order", "parameters": {
    "type": "object", "properties": {"order_id": {"type": "string"}}}}}]
# Canned usage (demo/fake_provider/scenarios.py) priced with the bundled catalog:
# gpt-4o-mini: 80 fresh input at 0.15, 20 cached at 0.075, 40 output at 0.60.
GPT_4O_MINI_COST = 80 * 0.15 * M + 20 * 0.075 * M + 40 * 0.60 * M
# claude-haiku-4-5: 100 fresh input at 1.00, 30 cache read at 0.10, 10 cache write at 1.25, 40 output at 5.00.
HAIKU_COST = 100 * 1.00 * M + 30 * 0.10 * M + 10 * 1.25 * M + 40 * 5.00 * M
# gemini-2.5-flash: 80 fresh input at 0.30, 20 cached at 0.075, 40 output + 8 thoughts at 2.50.
FLASH_COST = 80 * 0.30 * M + 20 * 0.075 * M + 48 * 2.50 * M


# ---------------------------------------------------------------------------------- OpenAI
class TestOpenAI:
    def test_chat(self, telemetry, oai):
        """A chat completion is one `chat gpt-4o-mini` span with usage, cost and GenAI metrics."""
        with telemetry.tracer().start_as_current_span("turn") as turn:
            result = oai.chat.completions.create(model="gpt-4o-mini", messages=USER, temperature=0.2, max_tokens=64)
        assert result.choices[0].message.content.startswith("You asked: Where is my order?")
        span = telemetry.span("chat gpt-4o-mini")
        assert span.parent.span_id == turn.get_span_context().span_id
        a = span.attributes
        assert (a["gen_ai.provider.name"], a["gen_ai.request.temperature"], a["gen_ai.request.max_tokens"]) == (
            "openai", 0.2, 64)
        assert (a["gen_ai.response.id"], a["gen_ai.response.finish_reasons"]) == ("chatcmpl-fake-1", ("stop",))
        assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (100, 40)
        assert (a["gen_ai.usage.cache_read.input_tokens"], a["gen_ai.usage.reasoning.output_tokens"]) == (20, 8)
        assert a["agentotel.cost.total"] == pytest.approx(GPT_4O_MINI_COST)
        assert telemetry.tokens() == {"input": 100, "output": 40}
        assert telemetry.cost() == pytest.approx(GPT_4O_MINI_COST)
        assert telemetry.span("turn").attributes["agentotel.cost.total"] == pytest.approx(GPT_4O_MINI_COST)

    async def test_async_chat(self, telemetry, aoai):
        """The async client is captured the same way."""
        await aoai.chat.completions.create(model="gpt-4o-mini", messages=USER)
        assert telemetry.span("chat gpt-4o-mini").attributes["agentotel.cost.total"] == pytest.approx(GPT_4O_MINI_COST)

    def test_stream_with_usage(self, telemetry, oai):
        """A stream with include_usage records usage, cost and time to first chunk."""
        stream = oai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True,
                                             stream_options={"include_usage": True})
        text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        assert text.startswith("You asked:")
        a = telemetry.span("chat gpt-4o-mini").attributes
        assert a["gen_ai.request.stream"] is True and a["gen_ai.usage.output_tokens"] == 40
        assert a["agentotel.cost.total"] == pytest.approx(GPT_4O_MINI_COST)
        (ttfc,) = telemetry.points("gen_ai.client.operation.time_to_first_chunk")
        assert ttfc.count == 1 and 0 <= ttfc.sum == a["gen_ai.response.time_to_first_chunk"]

    def test_time_to_first_chunk_of_a_slow_stream(self, telemetry, oai):
        """Time to first chunk measures the provider's delay before the first event, not the whole stream."""
        started = time.perf_counter()
        for _ in oai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True,
                                             extra_headers={SCENARIO: "slow"}):
            pass
        elapsed = time.perf_counter() - started
        a = telemetry.span("chat gpt-4o-mini").attributes
        assert SLOW_SECONDS <= a["gen_ai.response.time_to_first_chunk"] < elapsed - SLOW_SECONDS / 10

    def test_stream_without_usage_request(self, telemetry, oai, provider):
        """Capture never adds stream_options: without include_usage no usage and no cost are recorded."""
        for _ in oai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True):
            pass
        a = telemetry.span("chat gpt-4o-mini").attributes
        assert "gen_ai.usage.input_tokens" not in a and "agentotel.cost.total" not in a
        assert "stream_options" not in provider.requests[-1]["body"]

    async def test_async_stream_early_break(self, telemetry, aoai):
        """Leaving an async stream early ends the span once, when the stream is closed."""
        stream = await aoai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True,
                                                    stream_options={"include_usage": True})
        async for _ in stream:
            break
        await stream.close()
        (span,) = telemetry.spans()
        assert "gen_ai.usage.input_tokens" not in span.attributes

    def test_abandoned_stream_is_collected(self, telemetry, oai):
        """A stream the app drops after one chunk ends its span when garbage-collected."""
        stream = oai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True)
        next(iter(stream))
        assert telemetry.spans() == []
        del stream
        gc.collect()
        assert len(telemetry.spans("chat gpt-4o-mini")) == 1

    def test_tool_call(self, make_telemetry, oai):
        """A tool-calling response records the tool definitions and, with content on, the call."""
        telemetry = make_telemetry(Settings(capture_content="span"))
        result = oai.chat.completions.create(model="gpt-4o-mini", messages=USER, tools=TOOLS,
                                             extra_headers={SCENARIO: "tool_call"})
        assert result.choices[0].message.tool_calls[0].function.name == "lookup_order"
        a = telemetry.span("chat gpt-4o-mini").attributes
        assert a["gen_ai.response.finish_reasons"] == ("tool_calls",)
        assert a["agentotel.request.tool_definition_count"] == 1
        output = json.loads(a["gen_ai.output.messages"])
        assert output[0]["parts"][0] == {"type": "tool_call", "id": "call_fake_1", "name": "lookup_order",
                                         "arguments": {"order_id": "A-1001"}}

    def test_streamed_tool_call(self, make_telemetry, oai):
        """Tool-call arguments streamed in fragments are reassembled."""
        telemetry = make_telemetry(Settings(capture_content="span"))
        for _ in oai.chat.completions.create(model="gpt-4o-mini", messages=USER, tools=TOOLS, stream=True,
                                             extra_headers={SCENARIO: "tool_call"}):
            pass
        output = json.loads(telemetry.span("chat gpt-4o-mini").attributes["gen_ai.output.messages"])
        assert output[0]["parts"] == [{"type": "tool_call", "id": "call_fake_1", "name": "lookup_order",
                                       "arguments": {"order_id": "A-1001"}}]

    def test_responses_api(self, telemetry, oai):
        """The Responses API (plain and streamed) is captured with its own usage fields."""
        oai.responses.create(model="gpt-4o-mini", input="Where is my order?")
        for _ in oai.responses.create(model="gpt-4o-mini", input="Where is my order?", stream=True):
            pass
        spans = telemetry.spans("chat gpt-4o-mini")
        assert len(spans) == 2
        for span in spans:
            assert span.attributes["gen_ai.response.id"] == "resp_fake_1"
            assert span.attributes["agentotel.cost.total"] == pytest.approx(GPT_4O_MINI_COST)

    def test_embeddings(self, telemetry, oai):
        """Embeddings are an `embeddings {model}` span with dimensions, input tokens and cost."""
        oai.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
        a = telemetry.span("embeddings text-embedding-3-small").attributes
        assert (a["gen_ai.embeddings.dimension.count"], a["gen_ai.usage.input_tokens"]) == (8, 12)
        assert a["agentotel.cost.total"] == pytest.approx(12 * 0.02 * M)
        assert telemetry.tokens() == {"input": 12}

    def test_retries_are_spans_of_their_own(self, telemetry, oai):
        """Every attempt the SDK makes is its own span under the app's span, each with error.type 429."""
        with telemetry.tracer().start_as_current_span("turn") as turn:
            with pytest.raises(openai.RateLimitError):
                oai.chat.completions.create(model="gpt-4o-mini", messages=USER, extra_headers={SCENARIO: "error_429"})
        spans = telemetry.spans("chat gpt-4o-mini")
        assert len(spans) == 3
        for span in spans:
            assert span.parent.span_id == turn.get_span_context().span_id
            assert span.attributes["error.type"] == "429" and span.status.status_code == StatusCode.ERROR
        assert sum(p.count for p in telemetry.points("gen_ai.client.operation.duration")) == 3

    def test_retry_then_success(self, telemetry, oai):
        """A failed attempt and its successful retry: two spans, the second with the cost."""
        oai.chat.completions.create(model="gpt-4o-mini", messages=USER, extra_headers={SCENARIO: "flaky"})
        failed, ok = telemetry.spans("chat gpt-4o-mini")
        assert failed.attributes["error.type"] == "429" and "agentotel.cost.total" not in failed.attributes
        assert ok.attributes["agentotel.cost.total"] == pytest.approx(GPT_4O_MINI_COST)
        assert telemetry.cost() == pytest.approx(GPT_4O_MINI_COST)

    @pytest.mark.parametrize("scenario", ["malformed", "non_json"])
    def test_bad_body_reaches_the_app_as_without_capture(self, telemetry, oai, scenario):
        """A body that is not valid JSON fails in the SDK exactly as without capture, and still gives a span."""
        outcomes = []
        for instrumented in (True, False):
            if not instrumented:
                LLMInstrumentor().uninstrument()
            try:
                outcomes.append(type(oai.chat.completions.create(
                    model="gpt-4o-mini", messages=USER, extra_headers={SCENARIO: scenario})))
            except Exception as exc:  # noqa: BLE001 - the SDK's own outcome is what is compared
                outcomes.append(type(exc))
        assert outcomes[0] is outcomes[1]
        a = telemetry.span("chat gpt-4o-mini").attributes
        assert a["gen_ai.request.model"] == "gpt-4o-mini" and "gen_ai.usage.input_tokens" not in a

    def test_truncated_body(self, telemetry, oai):
        """A connection cut mid-body: the SDK retries, each attempt a span with the transport error."""
        with pytest.raises(openai.APIConnectionError):
            oai.chat.completions.create(model="gpt-4o-mini", messages=USER, extra_headers={SCENARIO: "truncated"})
        spans = telemetry.spans("chat gpt-4o-mini")
        assert len(spans) == 3
        assert {s.attributes["error.type"] for s in spans} == {"RemoteProtocolError"}

    def test_truncated_stream(self, telemetry, oai):
        """A stream cut half-way raises in the app as usual and ends its span with the error."""
        with pytest.raises(openai.APIError):
            for _ in oai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True,
                                                 extra_headers={SCENARIO: "truncated"}):
                pass
        assert telemetry.span("chat gpt-4o-mini").attributes["error.type"] == "RemoteProtocolError"

    def test_stream_error_event(self, telemetry, oai):
        """An error event inside a stream sets the provider's error type on the span."""
        with pytest.raises(openai.APIError):
            for _ in oai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True,
                                                 extra_headers={SCENARIO: "stream_error"}):
                pass
        span = telemetry.span("chat gpt-4o-mini")
        assert span.attributes["error.type"] == "server_error" and span.status.status_code == StatusCode.ERROR


# ---------------------------------------------------------------------------------- Anthropic
class TestAnthropic:
    def test_message(self, telemetry, provider):
        """A message is one `chat claude-haiku-4-5` span; input tokens include both cache counts."""
        anthropic_client(provider).messages.create(model="claude-haiku-4-5", max_tokens=256, messages=USER)
        a = telemetry.span("chat claude-haiku-4-5").attributes
        assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (140, 40)
        assert (a["gen_ai.usage.cache_read.input_tokens"], a["gen_ai.usage.cache_creation.input_tokens"]) == (30, 10)
        assert a["agentotel.cost.total"] == pytest.approx(HAIKU_COST)
        assert a["gen_ai.response.finish_reasons"] == ("end_turn",)

    def test_stream(self, telemetry, provider):
        """messages.stream() is captured from its events, with usage from message_start and message_delta."""
        with anthropic_client(provider).messages.stream(model="claude-haiku-4-5", max_tokens=256,
                                                        messages=USER) as stream:
            assert "".join(stream.text_stream).startswith("You asked:")
        a = telemetry.span("chat claude-haiku-4-5").attributes
        assert a["gen_ai.request.stream"] is True and a["agentotel.cost.total"] == pytest.approx(HAIKU_COST)

    async def test_async_tool_use_stream(self, make_telemetry, provider):
        """An async streamed tool_use reassembles the tool input."""
        telemetry = make_telemetry(Settings(capture_content="span"))
        client = anthropic_client(provider, anthropic.AsyncAnthropic)
        stream = await client.messages.create(model="claude-haiku-4-5", max_tokens=256, messages=USER, stream=True,
                                              tools=[{"name": "lookup_order", "input_schema": {"type": "object"}}],
                                              extra_headers={SCENARIO: "tool_call"})
        async for _ in stream:
            pass
        a = telemetry.span("chat claude-haiku-4-5").attributes
        assert a["gen_ai.response.finish_reasons"] == ("tool_use",)
        parts = json.loads(a["gen_ai.output.messages"])[0]["parts"]
        assert parts[1] == {"type": "tool_call", "id": "toolu_fake_1", "name": "lookup_order",
                            "arguments": {"order_id": "A-1001"}}

    def test_server_errors_with_retries(self, telemetry, provider):
        """Each retried 500 is a span with error.type 500."""
        with pytest.raises(anthropic.InternalServerError):
            anthropic_client(provider).messages.create(model="claude-haiku-4-5", max_tokens=64, messages=USER,
                                                       extra_headers={SCENARIO: "error_500"})
        assert [s.attributes["error.type"] for s in telemetry.spans("chat claude-haiku-4-5")] == ["500"] * 3

    def test_stream_error_event(self, telemetry, provider):
        """Anthropic's mid-stream error event sets its error type (overloaded_error)."""
        with pytest.raises(anthropic.APIStatusError):
            with anthropic_client(provider).messages.stream(model="claude-haiku-4-5", max_tokens=64, messages=USER,
                                                            extra_headers={SCENARIO: "stream_error"}) as stream:
                for _ in stream:
                    pass
        assert telemetry.span("chat claude-haiku-4-5").attributes["error.type"] == "overloaded_error"


# ---------------------------------------------------------------------------------- Gemini
class TestGemini:
    def test_generate_content(self, telemetry, gem):
        """generateContent is a `generate_content {model}` span; thoughts count as output."""
        result = gem.models.generate_content(model="gemini-2.5-flash", contents="Where is my order?")
        assert result.text.startswith("You asked:")
        a = telemetry.span("generate_content gemini-2.5-flash").attributes
        assert (a["gen_ai.provider.name"], a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (
            "gcp.gemini", 100, 48)
        assert a["agentotel.cost.total"] == pytest.approx(FLASH_COST)

    def test_stream(self, telemetry, gem):
        """streamGenerateContent (alt=sse) is captured from its chunks."""
        text = "".join(c.text or "" for c in gem.models.generate_content_stream(
            model="gemini-2.5-flash", contents="Where is my order?"))
        assert text.startswith("You asked:")
        a = telemetry.span("generate_content gemini-2.5-flash").attributes
        assert a["gen_ai.request.stream"] is True and a["agentotel.cost.total"] == pytest.approx(FLASH_COST)

    async def test_async_stream(self, telemetry, gem):
        """The async client (client.aio) streams are captured too."""
        stream = await gem.aio.models.generate_content_stream(model="gemini-2.5-flash",
                                                                                  contents="hi")
        async for _ in stream:
            pass
        assert telemetry.span("generate_content gemini-2.5-flash").attributes["gen_ai.usage.input_tokens"] == 100

    def test_function_call(self, telemetry, gem):
        """A function-calling response is captured with the declared tool count."""
        tool = genai_types.Tool(function_declarations=[genai_types.FunctionDeclaration(name="lookup_order")])
        result = gem.models.generate_content(
            model="gemini-2.5-flash", contents="Where is my order?",
            config=genai_types.GenerateContentConfig(tools=[tool], http_options=genai_types.HttpOptions(
                headers={SCENARIO: "tool_call"}), automatic_function_calling={"disable": True}))
        assert result.function_calls[0].name == "lookup_order"
        assert telemetry.span("generate_content gemini-2.5-flash").attributes[
            "agentotel.request.tool_definition_count"] == 1

    def test_server_error(self, telemetry, gem):
        """A 500 reaches the app as the SDK's ServerError; the span has error.type 500."""
        with pytest.raises(genai_errors.ServerError):
            gem.models.generate_content(
                model="gemini-2.5-flash", contents="hi",
                config=genai_types.GenerateContentConfig(http_options=genai_types.HttpOptions(
                    headers={SCENARIO: "error_500"})))
        assert {s.attributes["error.type"] for s in telemetry.spans("generate_content gemini-2.5-flash")} == {"500"}


# ---------------------------------------------------------------------------------- frameworks
class TestLangChain:
    def test_chat_openai(self, telemetry, provider):
        """LangChain's ChatOpenAI is captured through the openai SDK, with no LangChain-specific code."""
        llm = ChatOpenAI(model="gpt-4o-mini", base_url=f"{provider.base_url}/openai/v1", api_key=OPENAI_KEY,
                         max_retries=0)
        assert llm.invoke("Where is my order?").content.startswith("You asked:")
        assert "".join(c.content for c in llm.stream("Where is my order?")).startswith("You asked:")
        spans = telemetry.spans("chat gpt-4o-mini")
        assert len(spans) == 2
        assert spans[0].attributes["agentotel.cost.total"] == pytest.approx(GPT_4O_MINI_COST)


# ---------------------------------------------------------------------------------- deduplication
class TestDeduplication:
    def test_anthropic_sdk_spans(self, telemetry, provider):
        """With the anthropic SDK's own spans on, its `anthropic.messages.create` span is the one LLM span
        and carries the cost; tokens are counted once, by agentotel's metrics."""
        client = anthropic_client(provider, open_telemetry={"tracer_provider": telemetry.tracer_provider})
        client.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=USER)
        with client.messages.stream(model="claude-haiku-4-5", max_tokens=64, messages=USER) as stream:
            stream.until_done()
        llm_spans = [s for s in telemetry.spans() if s.attributes.get("gen_ai.operation.name") == "chat"]
        assert [s.name for s in llm_spans] == ["anthropic.messages.create"] * 2
        for span in llm_spans:
            assert span.instrumentation_scope.name == "com.anthropic.sdk.python"
            assert span.attributes["agentotel.cost.total"] == pytest.approx(HAIKU_COST)
            assert span.attributes["gen_ai.usage.input_tokens"] == 140
        assert telemetry.tokens() == {"input": 280, "output": 80}
        assert telemetry.cost() == pytest.approx(2 * HAIKU_COST)

    def test_anthropic_sdk_span_over_retries(self, telemetry, provider):
        """The SDK's call span covers both attempts of a retried call; it ends successful, with the cost."""
        client = anthropic_client(provider, open_telemetry={"tracer_provider": telemetry.tracer_provider})
        client.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=USER, extra_headers={SCENARIO: "flaky"})
        (span,) = telemetry.spans("anthropic.messages.create")
        assert span.status.status_code != StatusCode.ERROR and "error.type" not in span.attributes
        assert span.attributes["agentotel.cost.total"] == pytest.approx(HAIKU_COST)
        errors = [p.attributes.get("error.type") for p in telemetry.points("gen_ai.client.operation.duration")]
        assert sorted(errors, key=str) == ["429", None]

    def test_openai_v2_instrumentation(self, telemetry, oai):
        """With opentelemetry-instrumentation-openai-v2 on, its span is the one LLM span, carries the
        cost, and its token metrics are the only ones."""
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor

        instrumentor = OpenAIInstrumentor()
        instrumentor.instrument(**telemetry.providers)
        try:
            oai.chat.completions.create(model="gpt-4o-mini", messages=USER)
            for _ in oai.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True,
                                                 stream_options={"include_usage": True}):
                pass
        finally:
            instrumentor.uninstrument()
        spans = telemetry.spans("chat gpt-4o-mini")
        assert len(spans) == 2
        for span in spans:
            assert span.instrumentation_scope.name != "agentotel"
            assert span.attributes["agentotel.cost.total"] == pytest.approx(GPT_4O_MINI_COST)
        assert telemetry.tokens() == {}
        assert telemetry.tokens(scope=None) == {"input": 200, "output": 80}
        assert telemetry.cost() == pytest.approx(2 * GPT_4O_MINI_COST)


# ---------------------------------------------------------------------------------- secrets
class TestSecrets:
    def test_keys_never_exported(self, make_telemetry, provider, oai, gem, monkeypatch):
        """API keys in headers and ?key= query strings never appear in any exported span, event, log or
        metric, with the OTel httpx instrumentation also on and capturing every request header."""
        monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST", ".*")
        # the HTTP spans kept (AGENTOTEL_LLM_HTTP_SPANS): they are the ones that record URLs and headers
        telemetry = make_telemetry(Settings(capture_content="span_and_event", llm_http_spans=True))
        http_instrumentors = (HTTPXClientInstrumentor(), HTTPX2ClientInstrumentor())
        for instrumentor in http_instrumentors:
            instrumentor.instrument(tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider)
        try:
            with telemetry.tracer().start_as_current_span("turn"):
                oai.chat.completions.create(model="gpt-4o-mini", messages=USER)
                with pytest.raises(openai.RateLimitError):
                    oai.chat.completions.create(model="gpt-4o-mini", messages=USER,
                                                extra_headers={SCENARIO: "error_429"})
                anthropic_client(provider).messages.create(model="claude-haiku-4-5", max_tokens=64, messages=USER)
                gem.models.generate_content(model="gemini-2.5-flash", contents="hi")
                for module in (httpx, __import__("httpx2")):  # REST calls: key in the query, raw key headers
                    module.post(f"{provider.base_url}/gemini/v1beta/models/gemini-2.5-flash:generateContent"
                                f"?key={GEMINI_KEY}", json={"contents": [{"parts": [{"text": "hi"}]}]})
                    module.post(f"{provider.base_url}/anthropic/v1/messages", headers={"x-api-key": ANTHROPIC_KEY},
                                json={"model": "claude-haiku-4-5", "max_tokens": 8, "messages": USER})
                    module.post(f"{provider.base_url}/openai/v1/chat/completions", headers={"api-key": OPENAI_KEY},
                                json={"model": "gpt-4o-mini", "messages": USER})
        finally:
            for instrumentor in http_instrumentors:
                instrumentor.uninstrument()
        seen = [r["headers"] for r in provider.requests]
        for header, value in (("authorization", f"Bearer {OPENAI_KEY}"), ("authorization", f"Bearer {ANTHROPIC_KEY}"),
                              ("x-goog-api-key", GEMINI_KEY), ("x-api-key", ANTHROPIC_KEY), ("api-key", OPENAI_KEY)):
            assert any(h.get(header) == value for h in seen), f"{header} was not sent"
        assert any(GEMINI_KEY in r["query"] for r in provider.requests)

        http_spans = [s for s in telemetry.spans() if s.instrumentation_scope.name.startswith(
            "opentelemetry.instrumentation.httpx")]
        llm_ids = {s.context.span_id for s in telemetry.spans() if s.instrumentation_scope.name == "agentotel"}
        assert len(http_spans) >= 12 and all(s.parent.span_id in llm_ids for s in http_spans)
        assert telemetry.logs_exporter.get_finished_logs(), "content events were exported"
        exported = " ".join([s.to_json() for s in telemetry.spans()]
                            + [r.to_json() for r in telemetry.logs_exporter.get_finished_logs()]
                            + [telemetry.reader.get_metrics_data().to_json()])
        for secret in (OPENAI_KEY, ANTHROPIC_KEY, GEMINI_KEY):
            assert secret not in exported
        assert "REDACTED" in exported


# ---------------------------------------------------------------------------------- any host
@pytest.fixture(scope="module")
def stranger():
    """The fake provider on 127.0.0.2 and a free port: a host and port in no table and no setting."""
    running = start_fake_provider(host="127.0.0.2")
    yield running
    running.stop()


@pytest.fixture
def unconfigured(stranger):
    """Capture as a new user runs it: no AGENTOTEL_LLM_BASE_URLS, no base URLs passed, and the
    OpenTelemetry httpx instrumentation on (as ``opentelemetry-instrument`` installs it)."""
    reset_settings(Settings())
    telemetry = Telemetry(Settings())
    capture = LLMInstrumentor()
    capture.instrument(**telemetry.providers)
    http = [HTTPXClientInstrumentor(), HTTPX2ClientInstrumentor()]
    for instrumentor in http:
        instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    yield telemetry
    for instrumentor in http:
        instrumentor.uninstrument()
    capture.uninstrument()
    telemetry.tracer_provider.shutdown()
    telemetry.meter_provider.shutdown()
    telemetry.logger_provider.shutdown()
    set_emitter(None)
    reset_settings(None)


class TestAnyHost:
    def only_span(self, telemetry, name):
        """The call's one span: the LLM span, with no HTTP span beside it."""
        spans = telemetry.spans()
        assert [s.name for s in spans] == [name]
        return spans[0]

    def test_openai_sdk(self, unconfigured, stranger):
        """openai chat and embeddings to an unknown host: one LLM span each, with tokens and cost."""
        client = openai.OpenAI(base_url=f"{stranger.base_url}/openai/v1", api_key=OPENAI_KEY, max_retries=0)
        client.chat.completions.create(model="gpt-4o-mini", messages=USER)
        a = self.only_span(unconfigured, "chat gpt-4o-mini").attributes
        assert (a["gen_ai.provider.name"], a["server.address"], a["server.port"]) == (
            "openai", "127.0.0.2", int(stranger.base_url.rsplit(":", 1)[1]))
        assert a["http.response.status_code"] == 200 and a["gen_ai.usage.input_tokens"] == 100
        assert a["agentotel.cost.total"] == pytest.approx(GPT_4O_MINI_COST)
        unconfigured.spans_exporter.clear()
        client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
        a = self.only_span(unconfigured, "embeddings text-embedding-3-small").attributes
        assert a["gen_ai.usage.input_tokens"] == 12 and a["agentotel.cost.total"] == pytest.approx(12 * 0.02 * M)

    def test_anthropic_sdk(self, unconfigured, stranger):
        """anthropic messages to an unknown host: one LLM span with Anthropic's token accounting."""
        anthropic_client(stranger).messages.create(model="claude-haiku-4-5", max_tokens=64, messages=USER)
        a = self.only_span(unconfigured, "chat claude-haiku-4-5").attributes
        assert a["gen_ai.provider.name"] == "anthropic" and a["gen_ai.usage.input_tokens"] == 140
        assert a["agentotel.cost.total"] == pytest.approx(HAIKU_COST)

    def test_google_genai_sdk(self, unconfigured, stranger):
        """google-genai generate_content to an unknown host: one LLM span, Gemini's accounting."""
        client = genai.Client(api_key=GEMINI_KEY,
                              http_options=genai_types.HttpOptions(base_url=f"{stranger.base_url}/gemini"))
        try:
            client.models.generate_content(model="gemini-2.5-flash", contents="Where is my order?")
        finally:
            client.close()
        a = self.only_span(unconfigured, "generate_content gemini-2.5-flash").attributes
        assert a["gen_ai.provider.name"] == "gcp.gemini" and a["gen_ai.usage.output_tokens"] == 48
        assert a["agentotel.cost.total"] == pytest.approx(FLASH_COST)

    def test_raw_httpx(self, unconfigured, stranger):
        """A plain httpx POST of OpenAI's JSON to an unknown host is recognised by its shape."""
        with httpx.Client() as client:
            client.post(f"{stranger.base_url}/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": USER})
        a = self.only_span(unconfigured, "chat gpt-4o-mini").attributes
        assert a["agentotel.cost.total"] == pytest.approx(GPT_4O_MINI_COST)

    def test_langchain_chat_openai(self, unconfigured, stranger):
        """LangChain's ChatOpenAI to an unknown host: one LLM span per call, plain and streamed."""
        llm = ChatOpenAI(model="gpt-4o-mini", base_url=f"{stranger.base_url}/openai/v1", api_key=OPENAI_KEY,
                         max_retries=0)
        llm.invoke("Where is my order?")
        "".join(c.content for c in llm.stream("Where is my order?"))
        spans = unconfigured.spans()
        assert [s.name for s in spans] == ["chat gpt-4o-mini"] * 2
        assert spans[0].attributes["agentotel.cost.total"] == pytest.approx(GPT_4O_MINI_COST)

    def test_unrelated_json_service_is_not_captured(self, unconfigured, stranger):
        """A JSON POST to a /v1/completions-like path without the format's keys keeps its HTTP span
        and makes no LLM span, no GenAI metric."""
        with httpx.Client() as client:
            client.post(f"{stranger.base_url}/api/v1/completions", json={"order_id": "A-1001", "status": "done"})
        assert [s.name for s in unconfigured.spans()] == ["POST"]
        assert unconfigured.points("gen_ai.client.operation.duration") == []

    def test_a_configured_base_url_wins(self, make_telemetry, stranger):
        """A base URL in the settings names the provider, whatever the SDK says it is."""
        telemetry = make_telemetry(Settings(llm_base_urls={f"{stranger.base_url}/openai": "vllm"}))
        client = openai.OpenAI(base_url=f"{stranger.base_url}/openai/v1", api_key=OPENAI_KEY, max_retries=0)
        client.chat.completions.create(model="gpt-4o-mini", messages=USER)
        assert telemetry.span("chat gpt-4o-mini").attributes["gen_ai.provider.name"] == "vllm"

    def test_off(self, make_telemetry, stranger):
        """With AGENTOTEL_LLM_ANY_HOST=false a host in no table and no setting is not captured."""
        telemetry = make_telemetry(Settings(llm_any_host=False))
        client = openai.OpenAI(base_url=f"{stranger.base_url}/openai/v1", api_key=OPENAI_KEY, max_retries=0)
        client.chat.completions.create(model="gpt-4o-mini", messages=USER)
        assert telemetry.spans() == []
        assert load_settings({"AGENTOTEL_LLM_ANY_HOST": "false"}).llm_any_host is False
