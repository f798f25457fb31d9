"""Anthropic's Messages wire format into LLMCall records, from recorded JSON."""

from __future__ import annotations

from agentotel.capture.providers import anthropic
from agentotel.capture.routes import Route
from agentotel.capture.sse import SSEParser
from agentotel.core.records import LLMCall, ToolCall

from .conftest import recorded_bytes, recorded_json

MESSAGES = Route("anthropic", "anthropic", "chat", "messages")


class TestRequest:
    def test_parameters_and_content(self):
        """Model, max_tokens, sampling, stop sequences, tools, system and messages are read."""
        record = LLMCall()
        anthropic.request(record, recorded_json("anthropic_request.json"), MESSAGES, content=True)
        assert record.request_model == "claude-sonnet-4-5-20250929"
        assert (record.max_tokens, record.temperature, record.top_k, record.top_p) == (1024, 0.5, 40, 0.95)
        assert record.stop_sequences == ["END"] and record.tool_definition_count == 1
        assert record.stream is False
        assert record.system_instructions == [{"type": "text", "content": "You are a support agent."}]
        user, assistant, result = record.input_messages
        assert user["parts"] == [{"type": "text", "content": "Where is my order A-1001?"}]
        assert assistant["parts"][0]["type"] == "tool_call"
        assert result["parts"] == [{"type": "tool_call_response", "id": "toolu_01", "response": "shipped"}]


class TestResponse:
    def test_usage_as_reported_and_tool_use(self):
        """Fresh input, cache read and cache creation are kept apart as Anthropic reports them."""
        record = LLMCall()
        anthropic.response(record, recorded_json("anthropic_response.json"), MESSAGES, content=True)
        u = record.usage
        assert (u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens) == (21, 393, 0, 188086)
        assert record.finish_reasons == ["tool_use"]
        assert record.tool_calls == [ToolCall(name="refund", id="toolu_02", arguments={"order_id": "A-1001", "amount": 12.5})]
        assert record.output_messages[0]["parts"][0] == {"type": "text", "content": "I'll issue the refund."}

    def test_unexpected_schema(self):
        """A body of unexpected shape records what it can and never raises."""
        record = LLMCall()
        anthropic.response(record, {"model": "claude-haiku-4-5", "content": {"x": 1}, "usage": "none"}, MESSAGES, True)
        assert record.response_model == "claude-haiku-4-5" and record.usage.input_tokens is None


class TestStream:
    def test_recorded_stream(self):
        """message_start usage, message_delta output and stop reason, and streamed tool input are read."""
        record = LLMCall()
        state = anthropic.StreamState(record, MESSAGES, True)
        SSEParser(state.event).feed(recorded_bytes("anthropic_stream.txt"))
        assert state.done
        state.finish()
        assert record.response_id == "msg_014p7gG3wDgGV9EUtLvnow3U"
        assert record.response_model == "claude-haiku-4-5-20251001"
        u = record.usage
        assert (u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens) == (472, 89, 2048, 0)
        assert record.finish_reasons == ["tool_use"]
        assert record.tool_calls == [ToolCall(name="lookup_order", id="toolu_01T1x1fJ34qAmk2tNTrN7Up6",
                                              arguments={"order_id": "A-1001"})]
        assert record.output_messages[0]["parts"][0] == {"type": "text", "content": "Okay, let me check the order."}

    def test_error_event(self):
        """An error event mid-stream sets the provider's error type."""
        record = LLMCall()
        state = anthropic.StreamState(record, MESSAGES, False)
        state.event("error", '{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}')
        assert record.error_type == "overloaded_error"
