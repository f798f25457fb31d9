"""OpenAI's wire format (and every OpenAI-compatible server): chat completions, the Responses API,
embeddings and legacy completions, each as a request, a response and a stream of events.

Usage is recorded as reported: ``prompt_tokens`` / ``input_tokens`` (which include cached input),
``completion_tokens`` / ``output_tokens`` (which include reasoning), with the cached and reasoning
counts from their ``*_details`` objects.
"""

from __future__ import annotations

import base64
from typing import Any

from ...core.records import LLMCall, ToolCall
from ..fastjson import loads
from ..routes import Route
from ._common import (arguments, dig, integer, num, obj, output_message, seq, strings, text, text_part,
                      tool_call_part, tool_response_part)

_OUTPUT_TYPES = {"json_object": "json", "json_schema": "json", "text": "text"}


# ---------------------------------------------------------------------------------- request
def request(record: LLMCall, body: Any, route: Route, content: bool) -> None:
    body = obj(body)
    if record.request_model is None:
        record.request_model = text(body.get("model"))
    if route.endpoint == "embeddings":
        fmt = text(body.get("encoding_format"))
        record.encoding_formats = [fmt] if fmt else None
        if record.embedding_dimensions is None:  # the response's vectors say it better (read first or not)
            record.embedding_dimensions = integer(body.get("dimensions"))
        return
    record.stream = body.get("stream") is True
    record.temperature = num(body.get("temperature"))
    record.top_p = num(body.get("top_p"))
    record.frequency_penalty = num(body.get("frequency_penalty"))
    record.presence_penalty = num(body.get("presence_penalty"))
    record.seed = integer(body.get("seed"))
    record.stop_sequences = strings(body.get("stop"))
    choices = integer(body.get("n"))
    if choices is not None and choices != 1:
        record.choice_count = choices
    tools = body.get("tools")
    if isinstance(tools, list):
        record.tool_definition_count = len(tools)
    if route.endpoint == "responses":
        record.max_tokens = integer(body.get("max_output_tokens"))
        record.output_type = _OUTPUT_TYPES.get(dig(body, "text", "format", "type"))
        if content:
            _responses_input(record, body)
        return
    record.max_tokens = integer(body.get("max_completion_tokens", body.get("max_tokens")))
    record.output_type = _OUTPUT_TYPES.get(dig(body, "response_format", "type"))
    if content:
        if route.endpoint == "completions":
            prompt = body.get("prompt")
            record.input_messages = [{"role": "user", "parts": [text_part(p) for p in (strings(prompt) or [])]}]
        else:
            _chat_input(record, body.get("messages"))


def _content_parts(value: Any) -> list[dict]:
    if isinstance(value, str):
        return [text_part(value)]
    parts = []
    for item in seq(value):
        item = obj(item)
        kind = item.get("type")
        if kind in ("text", "input_text", "output_text") and isinstance(item.get("text"), str):
            parts.append(text_part(item["text"]))
        elif kind:
            parts.append({"type": kind})
    return parts


def _chat_input(record: LLMCall, messages: Any) -> None:
    system, inputs = [], []
    for message in seq(messages):
        message = obj(message)
        role = message.get("role")
        if role in ("system", "developer"):
            system.extend(_content_parts(message.get("content")))
            continue
        if role == "tool":
            inputs.append({"role": "tool", "parts": [tool_response_part(message.get("tool_call_id"),
                                                                         message.get("content"))]})
            continue
        parts = _content_parts(message.get("content"))
        for call in seq(message.get("tool_calls")):
            call = obj(call)
            parts.append(tool_call_part(call.get("id"), dig(call, "function", "name"),
                                        arguments(dig(call, "function", "arguments"))))
        inputs.append({"role": role, "parts": parts})
    record.input_messages = inputs
    if system:
        record.system_instructions = system


def _responses_input(record: LLMCall, body: dict) -> None:
    instructions = text(body.get("instructions"))
    if instructions:
        record.system_instructions = [text_part(instructions)]
    given = body.get("input")
    if isinstance(given, str):
        record.input_messages = [{"role": "user", "parts": [text_part(given)]}]
        return
    inputs = []
    for item in seq(given):
        item = obj(item)
        kind = item.get("type", "message")
        if kind == "message":
            inputs.append({"role": item.get("role"), "parts": _content_parts(item.get("content"))})
        elif kind == "function_call":
            inputs.append({"role": "assistant", "parts": [tool_call_part(
                item.get("call_id"), item.get("name"), arguments(item.get("arguments")))]})
        elif kind == "function_call_output":
            inputs.append({"role": "tool", "parts": [tool_response_part(item.get("call_id"), item.get("output"))]})
    record.input_messages = inputs


# ---------------------------------------------------------------------------------- response
def _usage(record: LLMCall, usage: Any) -> None:
    usage = obj(usage)
    if not usage:
        return
    counts = record.usage
    if "prompt_tokens" in usage or "completion_tokens" in usage:
        counts.input_tokens = integer(usage.get("prompt_tokens"))
        counts.output_tokens = integer(usage.get("completion_tokens"))
        counts.cache_read_input_tokens = integer(dig(usage, "prompt_tokens_details", "cached_tokens"))
        counts.reasoning_output_tokens = integer(dig(usage, "completion_tokens_details", "reasoning_tokens"))
    else:  # Responses API
        counts.input_tokens = integer(usage.get("input_tokens"))
        counts.output_tokens = integer(usage.get("output_tokens"))
        counts.cache_read_input_tokens = integer(dig(usage, "input_tokens_details", "cached_tokens"))
        counts.reasoning_output_tokens = integer(dig(usage, "output_tokens_details", "reasoning_tokens"))


def response(record: LLMCall, body: Any, route: Route, content: bool) -> None:
    body = obj(body)
    record.response_id = text(body.get("id"))
    record.response_model = text(body.get("model"))
    if route.endpoint == "embeddings":
        _embeddings(record, body)
        return
    if route.endpoint == "responses":
        _responses(record, body, content)
        return
    _usage(record, body.get("usage"))
    reasons, outputs, calls = [], [], []
    for choice in seq(body.get("choices")):
        choice = obj(choice)
        reason = text(choice.get("finish_reason"))
        reasons.append(reason or "")
        message = obj(choice.get("message"))
        parts = []
        for call in seq(message.get("tool_calls")):
            call = obj(call)
            name, args = dig(call, "function", "name"), arguments(dig(call, "function", "arguments"))
            calls.append(ToolCall(name=name if isinstance(name, str) else "", id=text(call.get("id")), arguments=args))
            if content:
                parts.append(tool_call_part(call.get("id"), name, args))
        if content:
            said = message.get("content") if route.endpoint == "chat" else choice.get("text")
            if isinstance(said, str):
                parts.insert(0, text_part(said))
            outputs.append(output_message(parts, reason))
    if reasons:
        record.finish_reasons = reasons
    if calls:
        record.tool_calls = calls
    if content and outputs:
        record.output_messages = outputs


def _embeddings(record: LLMCall, body: dict) -> None:
    usage = obj(body.get("usage"))
    record.usage.input_tokens = integer(usage.get("prompt_tokens"))
    first = obj(seq(body.get("data"))[0]) if seq(body.get("data")) else {}
    vector = first.get("embedding")
    if isinstance(vector, list):
        record.embedding_dimensions = len(vector)
    elif isinstance(vector, str):  # encoding_format=base64: little-endian float32
        try:
            record.embedding_dimensions = len(base64.b64decode(vector)) // 4
        except ValueError:
            pass


def _responses(record: LLMCall, body: dict, content: bool) -> None:
    _usage(record, body.get("usage"))
    calls, parts = [], []
    for item in seq(body.get("output")):
        item = obj(item)
        kind = item.get("type")
        if kind == "function_call":
            args = arguments(item.get("arguments"))
            calls.append(ToolCall(name=text(item.get("name")) or "", id=text(item.get("call_id")), arguments=args))
            if content:
                parts.append(tool_call_part(item.get("call_id"), item.get("name"), args))
        elif kind == "message" and content:
            parts.extend(_content_parts(item.get("content")))
    status = text(body.get("status"))
    if status == "completed":
        reason = "tool_calls" if calls else "stop"
    elif status == "incomplete":
        reason = text(dig(body, "incomplete_details", "reason")) or "length"
    else:
        reason = status
    if reason:
        record.finish_reasons = [reason]
    if calls:
        record.tool_calls = calls
    if content and (parts or reason):
        record.output_messages = [output_message(parts, reason)]


# ---------------------------------------------------------------------------------- stream
class StreamState:
    """Accumulates a streamed response from its events, then writes it into the record."""

    __slots__ = ("record", "route", "content", "done", "_text", "_calls", "_reasons")

    def __init__(self, record: LLMCall, route: Route, content: bool):
        self.record = record
        self.route = route
        self.content = content
        self.done = False
        self._text: dict[int, list[str]] = {}
        self._calls: dict[int, dict[int, dict]] = {}
        self._reasons: dict[int, str] = {}

    def event(self, name: str, data: str) -> None:
        if data == "[DONE]":
            self.done = True
            return
        chunk = loads(data)
        if not isinstance(chunk, dict):
            return
        if self.route.endpoint == "responses":
            self._responses_event(chunk)
            return
        error = chunk.get("error")
        if error:
            self.record.error_type = text(dig(error, "type")) or text(dig(error, "code")) or "error"
            return
        record = self.record
        if record.response_id is None:
            record.response_id = text(chunk.get("id"))
        if record.response_model is None:
            record.response_model = text(chunk.get("model"))
        if chunk.get("usage"):
            _usage(record, chunk["usage"])
        for choice in seq(chunk.get("choices")):
            choice = obj(choice)
            index = integer(choice.get("index")) or 0
            reason = text(choice.get("finish_reason"))
            if reason:
                self._reasons[index] = reason
            delta = obj(choice.get("delta")) if self.route.endpoint == "chat" else choice
            said = delta.get("content") if self.route.endpoint == "chat" else delta.get("text")
            if self.content and isinstance(said, str):
                self._text.setdefault(index, []).append(said)
            for call in seq(delta.get("tool_calls")):
                call = obj(call)
                slot = self._calls.setdefault(index, {}).setdefault(integer(call.get("index")) or 0,
                                                                    {"id": None, "name": "", "arguments": []})
                if call.get("id"):
                    slot["id"] = call["id"]
                name = dig(call, "function", "name")
                if isinstance(name, str):
                    slot["name"] += name
                piece = dig(call, "function", "arguments")
                if isinstance(piece, str):
                    slot["arguments"].append(piece)

    def _responses_event(self, event: dict) -> None:
        kind = event.get("type")
        record = self.record
        if kind in ("response.created", "response.in_progress"):
            snapshot = obj(event.get("response"))
            record.response_id = record.response_id or text(snapshot.get("id"))
            record.response_model = record.response_model or text(snapshot.get("model"))
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            response(record, event.get("response"), self.route, self.content)
            if kind == "response.failed":
                record.error_type = text(dig(event, "response", "error", "code")) or "failed"
            self.done = True
        elif kind == "error":
            record.error_type = text(event.get("code")) or "error"

    def finish(self) -> None:
        if self.route.endpoint == "responses":
            return
        record = self.record
        indexes = sorted(set(self._reasons) | set(self._text) | set(self._calls))
        if self._reasons:
            record.finish_reasons = [self._reasons.get(i, "") for i in indexes]
        calls, outputs = [], []
        for i in indexes:
            said = "".join(self._text.get(i, ()))
            parts = [text_part(said)] if said else []
            for _, slot in sorted(self._calls.get(i, {}).items()):
                args = arguments("".join(slot["arguments"]))
                calls.append(ToolCall(name=slot["name"], id=slot["id"], arguments=args))
                parts.append(tool_call_part(slot["id"], slot["name"], args))
            outputs.append(output_message(parts, self._reasons.get(i)))
        if calls:
            record.tool_calls = calls
        if self.content and outputs:
            record.output_messages = outputs

