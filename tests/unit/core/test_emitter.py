"""The emit core: every record type becomes the right span, metrics and events."""

from __future__ import annotations

import time

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from agentotel.config import Settings
from agentotel.core.records import AgentInvocation, Document, LLMCall, Retrieval, ToolExecution, Usage, Workflow
from agentotel.semconv import genai as G


def run(emitter, record, error=None, before_end=None):
    op = emitter.start(record)
    if before_end:
        before_end(record)
    emitter.end(op, error=error)
    return op


class TestLLMCall:
    def test_chat_span_name_kind_and_attributes(self, telemetry):
        """A chat call is a CLIENT span `chat {model}` with request, response and usage attributes."""
        record = LLMCall(provider="openai", request_model="gpt-4o", temperature=0.2, max_tokens=100,
                         server_address="api.openai.com", server_port=443)

        def respond(r):
            r.response_id, r.response_model, r.finish_reasons = "chatcmpl-1", "gpt-4o-2024-08-06", ["stop"]
            r.usage = Usage(input_tokens=1200, output_tokens=300, cache_read_input_tokens=200, reasoning_output_tokens=0)

        run(telemetry.emitter, record, before_end=respond)
        span = telemetry.span("chat gpt-4o")
        assert span.kind == SpanKind.CLIENT
        a = span.attributes
        assert a["gen_ai.operation.name"] == "chat"
        assert a["gen_ai.provider.name"] == "openai"
        assert a["gen_ai.request.model"] == "gpt-4o"
        assert a["gen_ai.request.temperature"] == 0.2
        assert a["gen_ai.request.max_tokens"] == 100
        assert a["server.address"] == "api.openai.com"
        assert a["gen_ai.response.id"] == "chatcmpl-1"
        assert a["gen_ai.response.model"] == "gpt-4o-2024-08-06"
        assert a["gen_ai.response.finish_reasons"] == ("stop",)
        assert a["gen_ai.usage.input_tokens"] == 1200
        assert a["gen_ai.usage.output_tokens"] == 300
        assert a["gen_ai.usage.cache_read.input_tokens"] == 200
        # 1000 fresh input at 2.50/M + 200 cached at 1.25/M + 300 output at 10/M
        assert a["agentotel.cost.total"] == pytest.approx(0.0025 + 0.00025 + 0.003)
        assert a["agentotel.cost.currency"] == "USD"
        assert a["agentotel.cost.catalog_version"]

    def test_metrics_use_spec_names_units_and_buckets(self, telemetry):
        """Duration and token usage histograms carry the spec's units and explicit buckets."""
        run(telemetry.emitter, LLMCall(provider="openai", request_model="gpt-4o-mini"),
            before_end=lambda r: setattr(r, "usage", Usage(10, 5)))
        duration = telemetry.metric("gen_ai.client.operation.duration")
        tokens = telemetry.metric("gen_ai.client.token.usage")
        assert duration.unit == "s" and tokens.unit == "{token}"
        (attrs, point), = telemetry.points("gen_ai.client.operation.duration")
        assert tuple(point.explicit_bounds) == G.DURATION_BUCKETS
        assert attrs["gen_ai.operation.name"] == "chat" and attrs["gen_ai.request.model"] == "gpt-4o-mini"
        by_type = {a["gen_ai.token.type"]: p for a, p in telemetry.points("gen_ai.client.token.usage")}
        assert by_type["input"].sum == 10 and by_type["output"].sum == 5
        assert tuple(by_type["input"].explicit_bounds) == G.TOKEN_BUCKETS

    def test_cost_counter_by_model(self, telemetry):
        """The cost counter adds each call's cost under provider and model labels."""
        for _ in range(2):
            run(telemetry.emitter, LLMCall(provider="anthropic", request_model="claude-haiku-4-5"),
                before_end=lambda r: setattr(r, "usage", Usage(1_000_000, 0)))
        (attrs, point), = telemetry.points("agentotel.llm.cost")
        assert attrs == {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic",
                         "gen_ai.request.model": "claude-haiku-4-5"}
        assert point.value == pytest.approx(2.0)

    def test_unknown_model_is_unpriced_not_zero(self, telemetry):
        """A model the catalog lacks is marked unpriced and counted, never reported as $0."""
        run(telemetry.emitter, LLMCall(provider="openai", request_model="my-finetune-x"),
            before_end=lambda r: setattr(r, "usage", Usage(10, 5)))
        a = telemetry.span("chat my-finetune-x").attributes
        assert a["agentotel.cost.unpriced"] is True
        assert "agentotel.cost.total" not in a
        (attrs, point), = telemetry.points("agentotel.llm.unpriced_calls")
        assert attrs["gen_ai.request.model"] == "my-finetune-x" and point.value == 1
        assert telemetry.points("agentotel.llm.cost") == []

    def test_error_sets_error_type_status_and_exception(self, telemetry):
        """A failed call records error.type, an ERROR status and the exception, and still ends."""
        run(telemetry.emitter, LLMCall(provider="openai", request_model="gpt-4o"), error=TimeoutError("slow"))
        span = telemetry.span("chat gpt-4o")
        assert span.attributes["error.type"] == "TimeoutError"
        assert span.status.status_code == StatusCode.ERROR
        assert [e.name for e in span.events] == ["exception"]
        (attrs, _), = telemetry.points("gen_ai.client.operation.duration")
        assert attrs["error.type"] == "TimeoutError"

    def test_http_error_type_from_record(self, telemetry):
        """An error type the translator set (e.g. an HTTP status) is used as is."""
        run(telemetry.emitter, LLMCall(provider="openai", request_model="gpt-4o", error_type="429"))
        assert telemetry.span("chat gpt-4o").attributes["error.type"] == "429"

    def test_stream_time_to_first_chunk(self, telemetry):
        """A streamed call records time to first chunk as a metric."""
        def first_chunk(r):
            time.sleep(0.01)
            r.first_chunk_at = time.perf_counter()
            r.usage = Usage(5, 5)
        record = LLMCall(provider="openai", request_model="gpt-4o", stream=True)
        run(telemetry.emitter, record, before_end=first_chunk)
        (attrs, point), = telemetry.points("gen_ai.client.operation.time_to_first_chunk")
        assert point.count == 1 and 0.01 <= point.sum < 1.0
        assert telemetry.span("chat gpt-4o").attributes["gen_ai.request.stream"] is True

    def test_end_is_idempotent(self, telemetry):
        """Ending an operation twice emits one span and one set of metrics."""
        op = telemetry.emitter.start(LLMCall(provider="openai", request_model="gpt-4o"))
        telemetry.emitter.end(op)
        telemetry.emitter.end(op, error=RuntimeError("late"))
        assert len(telemetry.spans()) == 1
        (_, point), = telemetry.points("gen_ai.client.operation.duration")
        assert point.count == 1

    def test_embeddings(self, telemetry):
        """Embeddings are priced on input tokens only and record no output token usage."""
        run(telemetry.emitter, LLMCall(operation="embeddings", provider="openai", request_model="text-embedding-3-small"),
            before_end=lambda r: setattr(r, "usage", Usage(input_tokens=1_000_000)))
        span = telemetry.span("embeddings text-embedding-3-small")
        assert span.attributes["agentotel.cost.total"] == pytest.approx(0.02)
        types = {a["gen_ai.token.type"] for a, _ in telemetry.points("gen_ai.client.token.usage")}
        assert types == {"input"}


class TestContent:
    def test_content_off_by_default(self, telemetry):
        """Without the opt-in, no prompt, completion, tool argument or query leaves the process."""
        record = LLMCall(provider="openai", request_model="gpt-4o", input_messages=[{"role": "user", "content": "secret plan"}],
                         output_messages=[{"role": "assistant", "content": "ok"}])
        run(telemetry.emitter, record)
        run(telemetry.emitter, ToolExecution(name="t", arguments={"x": "secret plan"}, result="secret plan"))
        run(telemetry.emitter, Retrieval(data_source="kb", query="secret plan"))
        for span in telemetry.spans():
            assert not any("secret plan" in str(v) for v in span.attributes.values()), span.name
        assert telemetry.logs() == []

    def test_content_on_is_redacted_and_capped(self, make_telemetry):
        """With the opt-in, content is captured after redaction and the size cap."""
        t = make_telemetry(Settings(capture_content="span", content_max_length=200))
        record = LLMCall(provider="openai", request_model="gpt-4o",
                         input_messages=[{"role": "user", "content": "mail jane@example.com " + "x" * 500}])
        run(t.emitter, record)
        value = t.span("chat gpt-4o").attributes["gen_ai.input.messages"]
        assert "jane@example.com" not in value and "[EMAIL]" in value
        assert "[truncated" in value and len(value) < 260

    def test_content_events_mode(self, make_telemetry):
        """event_only capture emits the messages as an event, not as span attributes."""
        t = make_telemetry(Settings(capture_content="event"))
        run(t.emitter, LLMCall(provider="openai", request_model="gpt-4o", input_messages=[{"role": "user", "content": "hi"}]))
        assert "gen_ai.input.messages" not in t.span("chat gpt-4o").attributes
        (log,) = t.logs()
        assert log.event_name == "gen_ai.client.inference.operation.details"
        assert "hi" in log.attributes["gen_ai.input.messages"]


class TestOtherRecords:
    def test_agent_workflow_tool_retrieval_spans(self, telemetry):
        """Agent, workflow, tool and retrieval records use the spec's span names and kinds."""
        e = telemetry.emitter
        run(e, AgentInvocation(name="support", id="a1", version="2"))
        run(e, AgentInvocation(name="remote-helper", remote=True))
        run(e, Workflow(name="triage"))
        run(e, ToolExecution(name="lookup_order", call_id="call_1"))
        run(e, Retrieval(data_source="faq", documents=[Document("d1", 0.8), Document("d2", 0.3)]))
        assert telemetry.span("invoke_agent support").kind == SpanKind.INTERNAL
        assert telemetry.span("invoke_agent support").attributes["gen_ai.agent.id"] == "a1"
        assert telemetry.span("invoke_agent remote-helper").kind == SpanKind.CLIENT
        assert telemetry.span("invoke_workflow triage").attributes["gen_ai.operation.name"] == "invoke_workflow"
        tool = telemetry.span("execute_tool lookup_order")
        assert tool.attributes["gen_ai.tool.call.id"] == "call_1"
        retrieval = telemetry.span("retrieval faq")
        assert retrieval.kind == SpanKind.CLIENT
        assert retrieval.attributes["agentotel.retrieval.document.ids"] == ("d1", "d2")
        assert retrieval.attributes["agentotel.retrieval.document.scores"] == (0.8, 0.3)
        assert retrieval.attributes["agentotel.retrieval.top_score"] == 0.8
        ops = sorted(a["gen_ai.operation.name"] for a, _ in telemetry.points("gen_ai.client.operation.duration"))
        assert ops == ["execute_tool", "invoke_agent", "invoke_agent", "invoke_workflow", "retrieval"]

    def test_retrieval_hit_and_miss(self, telemetry):
        """A search is a hit when its best score reaches the threshold; similarity is recorded."""
        e = telemetry.emitter
        run(e, Retrieval(data_source="faq", documents=[Document("d1", 0.9)]))
        run(e, Retrieval(data_source="faq", documents=[Document("d2", 0.2)]))
        run(e, Retrieval(data_source="faq", documents=[]))
        outcomes = {a["agentotel.retrieval.outcome"]: p.value for a, p in telemetry.points("agentotel.retrieval.searches")}
        assert outcomes == {"hit": 1, "miss": 2}
        (_, similarity), = telemetry.points("agentotel.retrieval.similarity")
        assert similarity.count == 2 and similarity.sum == pytest.approx(1.1)

    def test_tool_error(self, telemetry):
        """A failing tool is an error span and counts under error.type for the tool's metrics."""
        run(telemetry.emitter, ToolExecution(name="refund"), error=ValueError("too much"))
        assert telemetry.span("execute_tool refund").attributes["error.type"] == "ValueError"
        (attrs, _), = telemetry.points("gen_ai.client.operation.duration")
        assert attrs["gen_ai.tool.name"] == "refund" and attrs["error.type"] == "ValueError"


class TestLatestExperimental:
    def test_latest_names_and_metrics(self, make_telemetry):
        """Under gen_ai_latest_experimental the newest development names and metrics are emitted."""
        t = make_telemetry(Settings(latest_experimental=True))
        run(t.emitter, LLMCall(provider="anthropic", request_model="claude-haiku-4-5"),
            before_end=lambda r: setattr(r, "usage", Usage(100, 10, cache_creation_input_tokens=50)))
        run(t.emitter, ToolExecution(name="lookup"))
        a = t.span("chat claude-haiku-4-5").attributes
        assert a["gen_ai.usage.cache_write.input_tokens"] == 50
        assert "gen_ai.usage.cache_creation.input_tokens" not in a
        (_, inference), = t.points("gen_ai.client.inference.duration")
        assert inference.count == 1
        assert t.points("gen_ai.execute_tool.duration")
        (_, input_tokens), = t.points("gen_ai.client.inference.usage.input_tokens")
        assert input_tokens.value == 150
        assert t.points("gen_ai.client.token.usage") == []


class TestHostileInput:
    @pytest.mark.parametrize("usage", [Usage(input_tokens=-5, output_tokens=10), Usage(input_tokens=10, output_tokens=10**15),
                                       Usage(input_tokens="12", output_tokens=10), Usage(input_tokens=True, output_tokens=10)])
    def test_negative_or_absurd_usage_is_dropped(self, telemetry, usage):
        """A negative, absurd or non-numeric token count reaches neither the span nor the cost, and
        is counted as an internal error; the believable counts are kept."""
        from agentotel.core import guard

        before = guard.internal_error_counts().get("usage", 0)
        run(telemetry.emitter, LLMCall(provider="openai", request_model="gpt-4o-mini"),
            before_end=lambda r: setattr(r, "usage", usage))
        a = telemetry.span("chat gpt-4o-mini").attributes
        assert all(not isinstance(v, (int, float)) or v >= 0 for v in a.values())
        assert a["gen_ai.usage.input_tokens"] in (0, 10) and a["gen_ai.usage.output_tokens"] in (0, 10)
        assert a["gen_ai.usage.input_tokens"] + a["gen_ai.usage.output_tokens"] == 10
        assert a.get("agentotel.cost.total", 0) < 1 and a.get("agentotel.cost.total", 0) >= 0
        assert guard.internal_error_counts().get("usage", 0) == before + 1

    @pytest.mark.parametrize("content", [None, "prices: [unclosed", "version: 1\nproviders: 3\n"])
    def test_bad_pricing_file_keeps_capture_with_the_bundled_catalog(self, make_telemetry, tmp_path, caplog, content):
        """A missing or malformed pricing file is said once, and calls are still
        captured and priced with the bundled catalog."""
        from agentotel.core import log_once

        path = tmp_path / "prices.yaml"
        if content is not None:
            path.write_text(content)
        log_once._said = log_once.FirstTime()  # said once per process: this test's own
        telemetry = make_telemetry(Settings(pricing_file=str(path)))
        run(telemetry.emitter, LLMCall(provider="openai", request_model="gpt-4o-mini"),
            before_end=lambda r: setattr(r, "usage", Usage(100, 10)))
        assert telemetry.span("chat gpt-4o-mini").attributes["agentotel.cost.total"] > 0
        assert sum("AGENTOTEL_PRICING_FILE" in r.getMessage() for r in caplog.records) == 1

    def test_bad_budget_file_keeps_capture(self, make_telemetry, tmp_path, caplog):
        """A malformed budget file is said once and calls are still captured."""
        from agentotel.core import log_once

        path = tmp_path / "budgets.yaml"
        path.write_text("tenants: [1, 2]\n")
        log_once._said = log_once.FirstTime()  # said once per process: this test's own
        telemetry = make_telemetry(Settings(budget_file=str(path)))
        run(telemetry.emitter, LLMCall(provider="openai", request_model="gpt-4o-mini"))
        assert telemetry.span("chat gpt-4o-mini")
        assert sum("AGENTOTEL_BUDGET_FILE" in r.getMessage() for r in caplog.records) == 1
