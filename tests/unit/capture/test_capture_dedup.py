"""No duplicates: when another instrumentation already records the LLM call, capture adopts its span."""

from __future__ import annotations

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from agentotel.api.operations import llm_call

from .conftest import recorded_json, split, stream_class
from .test_capture_lifecycle import CHAT_URL, SSE_HEADERS, STREAM_BODY, chat_request, client_for, json_reply

OPENAI_V2 = "opentelemetry.instrumentation.openai_v2"
ANTHROPIC_SDK = "com.anthropic.sdk.python"


def foreign_span(telemetry, scope, attributes=None):
    attributes = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
                  "gen_ai.request.model": "gpt-4o"} if attributes is None else attributes
    return telemetry.tracer(scope).start_as_current_span("their llm span", kind=SpanKind.CLIENT, attributes=attributes)


def own_metric_points(telemetry, name):
    data = telemetry.reader.get_metrics_data()
    return [p for rm in data.resource_metrics for sm in rm.scope_metrics if sm.scope.name == "agentotel"
            for m in sm.metrics if m.name == name for p in m.data.data_points]


class TestAdoption:
    def test_metric_recording_instrumentation(self, instrument, telemetry, httpx_module):
        """Under an openai-v2 span: no second span; its span gets usage and cost; only cost metrics are added."""
        client = client_for(httpx_module, json_reply(httpx_module, recorded_json("openai_chat_response.json")))
        with foreign_span(telemetry, OPENAI_V2):
            client.post(CHAT_URL, json=chat_request())
        (span,) = telemetry.spans()
        assert span.name == "their llm span" and span.instrumentation_scope.name == OPENAI_V2
        a = span.attributes
        assert a["gen_ai.usage.input_tokens"] == 1117
        assert a["agentotel.cost.total"] > 0 and a["agentotel.cost.currency"] == "USD"
        assert a["gen_ai.request.temperature"] == 0.3
        assert own_metric_points(telemetry, "gen_ai.client.token.usage") == []
        assert own_metric_points(telemetry, "gen_ai.client.operation.duration") == []
        (cost,) = own_metric_points(telemetry, "agentotel.llm.cost")
        assert cost.value == pytest.approx(a["agentotel.cost.total"])

    def test_spans_only_instrumentation(self, instrument, telemetry, httpx_module):
        """Under the anthropic SDK's own span, capture adds cost to it and records the GenAI metrics once."""
        client = client_for(httpx_module, json_reply(httpx_module, recorded_json("anthropic_response.json")))
        attributes = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic",
                      "gen_ai.request.model": "claude-sonnet-4-5"}
        with foreign_span(telemetry, ANTHROPIC_SDK, attributes):
            client.post("http://anthropic.test/v1/messages", json=recorded_json("anthropic_request.json"))
        (span,) = telemetry.spans()
        assert span.attributes["agentotel.cost.total"] > 0
        tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in own_metric_points(telemetry, "gen_ai.client.token.usage")}
        assert tokens == {"input": 21 + 188086, "output": 393}

    def test_token_recording_instrumentation_gets_durations(self, instrument, telemetry, httpx_module):
        """Under pydantic-ai's own span (it records token usage, no duration): the duration point is
        added, the tokens are not counted twice."""
        client = client_for(httpx_module, json_reply(httpx_module, recorded_json("openai_chat_response.json")))
        with foreign_span(telemetry, "pydantic-ai"):
            client.post(CHAT_URL, json=chat_request())
        (span,) = telemetry.spans()
        assert span.attributes["agentotel.cost.total"] > 0
        (duration,) = own_metric_points(telemetry, "gen_ai.client.operation.duration")
        assert duration.count == 1
        assert own_metric_points(telemetry, "gen_ai.client.token.usage") == []

    def test_legacy_span_gets_semconv_names(self, instrument, telemetry, httpx_module):
        """A pre-semconv LLM span (gen_ai.system only) is adopted and given operation, provider and model."""
        client = client_for(httpx_module, json_reply(httpx_module, recorded_json("openai_chat_response.json")))
        with foreign_span(telemetry, "opentelemetry.instrumentation.openai.v1", {"gen_ai.system": "openai"}):
            client.post(CHAT_URL, json=chat_request())
        (span,) = telemetry.spans()
        a = span.attributes
        assert (a["gen_ai.operation.name"], a["gen_ai.provider.name"], a["gen_ai.request.model"]) == (
            "chat", "openai", "gpt-4o-2024-08-06")

    def test_failed_attempt_leaves_owner_status(self, instrument, telemetry, httpx_module):
        """A failed attempt under an adopted span sets neither its status nor its error.type."""
        client = client_for(httpx_module, json_reply(httpx_module, {"error": {}}, 429))
        with foreign_span(telemetry, OPENAI_V2):
            client.post(CHAT_URL, json=chat_request())
        (span,) = telemetry.spans()
        assert span.status.status_code == StatusCode.UNSET
        assert "error.type" not in span.attributes

    def test_stream_enriches_before_owner_ends(self, instrument, telemetry, httpx_module):
        """For a stream, usage and cost are written onto the adopted span as soon as the last event is read."""
        cls = stream_class(httpx_module)
        client = client_for(httpx_module, lambda r: httpx_module.Response(
            200, headers=SSE_HEADERS, stream=cls(split(STREAM_BODY, 90))))
        with foreign_span(telemetry, OPENAI_V2) as span:
            with client.stream("POST", CHAT_URL, json=chat_request(stream=True)) as response:
                response.read()
            assert span.attributes["gen_ai.usage.output_tokens"] == 250
            assert "agentotel.cost.total" in span.attributes
        assert len(telemetry.spans()) == 1


class TestNoAdoption:
    def test_own_llm_call_scope_owns_the_call(self, instrument, telemetry, httpx_module):
        """Inside an agentotel llm_call() scope capture records nothing: the scope is the LLM span."""
        client = client_for(httpx_module, json_reply(httpx_module, recorded_json("openai_chat_response.json")))
        with llm_call("gpt-4o", provider="openai"):
            client.post(CHAT_URL, json=chat_request())
        assert [s.name for s in telemetry.spans()] == ["chat gpt-4o"]
        assert "gen_ai.usage.input_tokens" not in telemetry.spans()[0].attributes

    @pytest.mark.parametrize("attributes", [{"gen_ai.operation.name": "invoke_agent"}, {"http.route": "/chat"}])
    def test_other_spans_are_parents(self, instrument, telemetry, httpx_module, attributes):
        """Agent spans of other frameworks and server spans are parents of capture's own LLM span."""
        client = client_for(httpx_module, json_reply(httpx_module, recorded_json("openai_chat_response.json")))
        with foreign_span(telemetry, "some.framework", attributes) as parent:
            client.post(CHAT_URL, json=chat_request())
        llm = telemetry.span("chat gpt-4o-2024-08-06")
        assert llm.parent.span_id == parent.get_span_context().span_id
