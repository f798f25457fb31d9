"""Gemini's wire format into LLMCall records, from recorded JSON."""

from __future__ import annotations

from agentotel.capture.providers import gemini
from agentotel.capture.routes import Route
from agentotel.capture.sse import SSEParser
from agentotel.core.records import LLMCall, ToolCall

from .conftest import recorded_bytes, recorded_json

GENERATE = Route("gcp.gemini", "gemini", "generate_content", "generate", "gemini-2.5-flash")
STREAM = Route("gcp.gemini", "gemini", "generate_content", "generate", "gemini-2.5-pro", stream=True)


class TestRequest:
    def test_generation_config_and_tools(self):
        """generationConfig parameters, JSON output and tool declarations (plus built-in tools) are read."""
        record = LLMCall(request_model=GENERATE.model)
        gemini.request(record, recorded_json("gemini_request.json"), GENERATE, content=True)
        assert (record.temperature, record.top_p, record.top_k, record.max_tokens) == (0.7, 0.95, 64, 2048)
        assert (record.stop_sequences, record.seed, record.choice_count) == (["STOP!"], 7, None)
        assert record.output_type == "json"
        assert record.tool_definition_count == 3
        assert record.system_instructions == [{"type": "text", "content": "You are a support agent."}]
        assert [m["role"] for m in record.input_messages] == ["user", "assistant", "user"]
        assert record.input_messages[2]["parts"][0]["type"] == "tool_call_response"


class TestResponse:
    def test_usage_thoughts_and_function_call(self):
        """usageMetadata counts, thought parts as reasoning and function calls are read."""
        record = LLMCall()
        gemini.response(record, recorded_json("gemini_response.json"), GENERATE, content=True)
        assert (record.response_id, record.response_model) == ("zXzGaJ-kJ8qRz7IP4sWb8Ao", "gemini-2.5-flash")
        u = record.usage
        assert (u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.reasoning_output_tokens) == (5432, 120, 4096, 200)
        assert record.finish_reasons == ["STOP"]
        assert record.tool_calls == [ToolCall(name="refund", id=None, arguments={"order_id": "A-1001"})]
        parts = record.output_messages[0]["parts"]
        assert parts[0] == {"type": "reasoning", "content": "Thinking about it"}
        assert parts[1] == {"type": "text", "content": "Your order has shipped."}

    def test_json_array_stream_body(self):
        """streamGenerateContent without alt=sse returns a JSON array: its chunks are merged."""
        chunks = [{"candidates": [{"content": {"parts": [{"text": "a"}]}}], "modelVersion": "m"},
                  {"candidates": [{"content": {"parts": [{"text": "b"}]}, "finishReason": "STOP"}],
                   "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2}}]
        record = LLMCall()
        gemini.response(record, chunks, STREAM, content=True)
        assert record.output_messages[0]["parts"] == [{"type": "text", "content": "ab"}]
        assert (record.usage.input_tokens, record.usage.output_tokens, record.finish_reasons) == (3, 2, ["STOP"])


class TestStream:
    def test_recorded_stream(self):
        """Text is merged across chunks; the last chunk's usage metadata is the total."""
        record = LLMCall()
        state = gemini.StreamState(record, STREAM, True)
        SSEParser(state.event).feed(recorded_bytes("gemini_stream.txt"))
        state.finish()
        u = record.usage
        assert (u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.reasoning_output_tokens) == (812, 64, 512, 400)
        assert record.finish_reasons == ["MAX_TOKENS"]
        assert record.output_messages[0]["parts"] == [{"type": "text", "content": "Your order has shipped."}]

    def test_without_content_keeps_only_calls(self):
        """Without content capture no text is accumulated, but function calls are still recorded."""
        record = LLMCall()
        state = gemini.StreamState(record, STREAM, False)
        state.event("message", '{"candidates": [{"content": {"parts": [{"text": "x"}, '
                               '{"functionCall": {"name": "f", "args": {}}}]}}]}')
        state.finish()
        assert record.output_messages is None and record.tool_calls == [ToolCall(name="f", arguments={})]
