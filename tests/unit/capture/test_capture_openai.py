"""OpenAI's wire format into LLMCall records, from recorded JSON."""

from __future__ import annotations

import base64
import json
import struct

from agentotel.capture.providers import openai
from agentotel.capture.routes import Route
from agentotel.capture.sse import SSEParser
from agentotel.core.records import LLMCall, ToolCall

from .conftest import recorded_bytes, recorded_json

CHAT = Route("openai", "openai", "chat", "chat")
RESPONSES = Route("openai", "openai", "chat", "responses")
EMBEDDINGS = Route("openai", "openai", "embeddings", "embeddings")


def streamed(body: bytes, route: Route, content: bool = True) -> LLMCall:
    record = LLMCall(provider="openai")
    state = openai.StreamState(record, route, content)
    SSEParser(state.event).feed(body)
    state.finish()
    assert state.done
    return record


class TestChatRequest:
    def test_parameters(self):
        """Model, sampling parameters, stop, seed, choice count, output type and tool count are read."""
        record = LLMCall()
        openai.request(record, recorded_json("openai_chat_request.json"), CHAT, content=False)
        assert record.request_model == "gpt-4o-2024-08-06"
        assert (record.temperature, record.top_p, record.max_tokens) == (0.3, 0.9, 512)
        assert (record.frequency_penalty, record.presence_penalty, record.seed) == (0.1, 0.2, 42)
        assert record.stop_sequences == ["\n\nUser:"]
        assert record.choice_count == 2
        assert record.output_type == "json"
        assert record.tool_definition_count == 2
        assert record.stream is False
        assert record.input_messages is None and record.system_instructions is None

    def test_content_in_semconv_shape(self):
        """With content on, messages become role/parts; developer messages become system instructions."""
        record = LLMCall()
        openai.request(record, recorded_json("openai_chat_request.json"), CHAT, content=True)
        assert record.system_instructions == [{"type": "text", "content": "You are a support agent for an online shop."}]
        user, assistant, tool = record.input_messages
        assert user == {"role": "user", "parts": [{"type": "text", "content": "Where is my order A-1001?"}]}
        assert assistant["parts"] == [{"type": "tool_call", "id": "call_Xq1", "name": "lookup_order",
                                       "arguments": {"order_id": "A-1001"}}]
        assert tool == {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_Xq1",
                                                   "response": '{"status":"shipped"}'}]}


class TestChatResponse:
    def test_usage_choices_and_tool_calls(self):
        """Response id/model, finish reason per choice, usage as reported and tool calls are read."""
        record = LLMCall()
        openai.response(record, recorded_json("openai_chat_response.json"), CHAT, content=True)
        assert record.response_id == "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG"
        assert record.response_model == "gpt-4o-2024-08-06"
        assert record.finish_reasons == ["stop", "tool_calls"]
        u = record.usage
        assert (u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.reasoning_output_tokens) == (1117, 46, 1024, 0)
        assert record.tool_calls == [ToolCall(name="refund", id="call_Zy9", arguments={"order_id": "A-1001", "amount": 12.5})]
        assert record.output_messages[0] == {"role": "assistant", "finish_reason": "stop",
                                             "parts": [{"type": "text", "content": "Your order A-1001 has shipped."}]}

    def test_unexpected_schema_reads_what_it_can(self):
        """Fields of the wrong type are skipped, never raised: the rest is still read."""
        record = LLMCall()
        body = {"id": 7, "model": "gpt-4o", "choices": "oops",
                "usage": {"prompt_tokens": "ten", "completion_tokens": 5, "prompt_tokens_details": []}}
        openai.response(record, body, CHAT, content=True)
        assert record.response_model == "gpt-4o" and record.response_id is None
        assert (record.usage.input_tokens, record.usage.output_tokens) == (None, 5)
        for bad in (None, [], "text", 3):
            openai.response(LLMCall(), bad, CHAT, content=True)


class TestChatStream:
    def test_recorded_stream_with_usage_and_tool_call(self):
        """A stream rebuilds tool calls from argument fragments and takes usage from the final chunk."""
        record = streamed(recorded_bytes("openai_chat_stream.txt"), CHAT)
        assert record.response_id == "chatcmpl-AbC1"
        assert record.response_model == "o3-mini-2025-01-31"
        assert record.finish_reasons == ["tool_calls"]
        u = record.usage
        assert (u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.reasoning_output_tokens) == (300, 250, 128, 192)
        assert record.tool_calls == [ToolCall(name="lookup_order", id="call_A1", arguments={"order_id": "A-1001"})]
        assert record.output_messages[0]["parts"][0] == {"type": "text", "content": "Checking your order…"}

    def test_stream_without_include_usage(self):
        """Without stream_options.include_usage the stream has no usage: none is recorded."""
        body = b"".join(line + b"\n\n" for line in recorded_bytes("openai_chat_stream.txt").split(b"\n\n")
                        if line and b'"usage":{' not in line)
        record = streamed(body, CHAT, content=False)
        assert record.usage.input_tokens is None and record.usage.output_tokens is None
        assert record.finish_reasons == ["tool_calls"] and record.output_messages is None

    def test_error_event(self):
        """An error object in the stream sets the provider's error type."""
        record = LLMCall()
        state = openai.StreamState(record, CHAT, False)
        state.event("message", json.dumps({"error": {"type": "server_error", "message": "boom"}}))
        assert record.error_type == "server_error"


class TestResponsesAPI:
    def test_response(self):
        """Responses API usage, output text and function calls are read; status gives the finish reason."""
        record = LLMCall()
        openai.response(record, recorded_json("openai_responses_response.json"), RESPONSES, content=True)
        assert record.response_model == "gpt-4.1-2025-04-14"
        u = record.usage
        assert (u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.reasoning_output_tokens) == (2036, 320, 1920, 256)
        assert record.finish_reasons == ["tool_calls"]
        assert record.tool_calls == [ToolCall(name="lookup_order", id="call_q2", arguments={"order_id": "A-1001"})]
        assert record.output_messages[0]["parts"][0] == {"type": "text", "content": "Let me check that order."}

    def test_request(self):
        """max_output_tokens, instructions and string input are read from a Responses request."""
        record = LLMCall()
        openai.request(record, {"model": "gpt-4.1", "input": "hi", "instructions": "Be brief.",
                                "max_output_tokens": 64, "stream": True, "tools": [{"type": "web_search"}]},
                       RESPONSES, content=True)
        assert (record.request_model, record.max_tokens, record.stream, record.tool_definition_count) == ("gpt-4.1", 64, True, 1)
        assert record.input_messages == [{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]
        assert record.system_instructions == [{"type": "text", "content": "Be brief."}]

    def test_stream_ends_at_completed_event(self):
        """The response.completed event carries the usage and ends the stream."""
        full = recorded_json("openai_responses_response.json")
        events = [{"type": "response.created", "response": {**full, "usage": None, "output": []}},
                  {"type": "response.output_text.delta", "delta": "Let"},
                  {"type": "response.completed", "response": full}]
        body = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()
        record = streamed(body, RESPONSES)
        assert record.response_id == full["id"] and record.usage.output_tokens == 320


class TestEmbeddings:
    def test_float_and_base64_dimensions(self):
        """Embedding dimensions are counted for float vectors and for base64-encoded ones."""
        record = LLMCall()
        openai.request(record, {"model": "text-embedding-3-small", "input": "x", "encoding_format": "base64"},
                       EMBEDDINGS, content=False)
        assert record.encoding_formats == ["base64"]
        vector = base64.b64encode(struct.pack("<3f", 0.1, 0.2, 0.3)).decode()
        openai.response(record, {"model": "text-embedding-3-small", "data": [{"embedding": vector}],
                                 "usage": {"prompt_tokens": 8, "total_tokens": 8}}, EMBEDDINGS, content=False)
        assert (record.embedding_dimensions, record.usage.input_tokens, record.usage.output_tokens) == (3, 8, None)
        floats = LLMCall()
        openai.response(floats, {"data": [{"embedding": [0.0] * 5}], "usage": {"prompt_tokens": 2}}, EMBEDDINGS, False)
        assert floats.embedding_dimensions == 5
