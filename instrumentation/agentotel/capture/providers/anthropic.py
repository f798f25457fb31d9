"""Anthropic's Messages API wire format: request, response and the stream of message events.

Usage is recorded as reported: ``input_tokens`` (fresh input only), ``output_tokens``,
``cache_read_input_tokens`` and ``cache_creation_input_tokens``; the catalog's accounting rules add
the cache counts to the input count.
"""

from __future__ import annotations

from typing import Any

from ...core.records import LLMCall, ToolCall
from ..fastjson import loads
from ..routes import Route
from ._common import (arguments, dig, integer, num, obj, output_message, seq, strings, text, text_part,
                      tool_call_part, tool_response_part)


def request(record: LLMCall, body: Any, route: Route, content: bool) -> None:
    body = obj(body)
    if record.request_model is None:
        record.request_model = text(body.get("model"))
    record.stream = body.get("stream") is True
    record.max_tokens = integer(body.get("max_tokens"))
    record.temperature = num(body.get("temperature"))
    record.top_p = num(body.get("top_p"))
    record.top_k = num(body.get("top_k"))
    record.stop_sequences = strings(body.get("stop_sequences"))
    tools = body.get("tools")
    if isinstance(tools, list):
        record.tool_definition_count = len(tools)
    if dig(body, "output_config", "format", "type") == "json_schema":
        record.output_type = "json"
    if content:
        system = body.get("system")
        if system:
            record.system_instructions = _parts(system)
        record.input_messages = [{"role": obj(m).get("role"), "parts": _parts(obj(m).get("content"))}
                                 for m in seq(body.get("messages"))]


def _parts(value: Any) -> list[dict]:
    if isinstance(value, str):
        return [text_part(value)]
    parts = []
    for block in seq(value):
        block = obj(block)
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            parts.append(text_part(block["text"]))
        elif kind == "tool_use":
            parts.append(tool_call_part(block.get("id"), block.get("name"), block.get("input")))
        elif kind == "tool_result":
            parts.append(tool_response_part(block.get("tool_use_id"), block.get("content")))
        elif kind == "thinking" and isinstance(block.get("thinking"), str):
            parts.append({"type": "reasoning", "content": block["thinking"]})
        elif kind:
            parts.append({"type": kind})
    return parts


def _usage(record: LLMCall, usage: Any) -> None:
    """Copy the counts present in ``usage``; a stream reports them across two events."""
    usage = obj(usage)
    counts = record.usage
    for field, attr in (("input_tokens", "input_tokens"), ("output_tokens", "output_tokens"),
                        ("cache_read_input_tokens", "cache_read_input_tokens"),
                        ("cache_creation_input_tokens", "cache_creation_input_tokens")):
        value = integer(usage.get(field))
        if value is not None:
            setattr(counts, attr, value)
    thinking = integer(dig(usage, "output_tokens_details", "thinking_tokens"))
    if thinking is not None:
        counts.reasoning_output_tokens = thinking


def _tool_calls(blocks: list) -> list[ToolCall]:
    return [ToolCall(name=text(b.get("name")) or "", id=text(b.get("id")), arguments=b.get("input"))
            for b in map(obj, blocks) if b.get("type") == "tool_use"]


def response(record: LLMCall, body: Any, route: Route, content: bool) -> None:
    body = obj(body)
    record.response_id = text(body.get("id"))
    record.response_model = text(body.get("model"))
    _usage(record, body.get("usage"))
    reason = text(body.get("stop_reason"))
    if reason:
        record.finish_reasons = [reason]
    blocks = seq(body.get("content"))
    calls = _tool_calls(blocks)
    if calls:
        record.tool_calls = calls
    if content:
        record.output_messages = [output_message(_parts(blocks), reason)]


class StreamState:
    """Rebuilds the message from ``message_start``, content-block and ``message_delta`` events."""

    __slots__ = ("record", "route", "content", "done", "_blocks", "_json", "_reason")

    def __init__(self, record: LLMCall, route: Route, content: bool):
        self.record = record
        self.route = route
        self.content = content
        self.done = False
        self._blocks: dict[int, dict] = {}
        self._json: dict[int, list[str]] = {}
        self._reason: str | None = None

    def event(self, name: str, data: str) -> None:
        event = loads(data)
        if not isinstance(event, dict):
            return
        kind = event.get("type") or name
        record = self.record
        if kind == "message_start":
            message = obj(event.get("message"))
            record.response_id = text(message.get("id"))
            record.response_model = text(message.get("model"))
            _usage(record, message.get("usage"))
        elif kind == "content_block_start":
            block = dict(obj(event.get("content_block")))
            self._blocks[integer(event.get("index")) or 0] = block
        elif kind == "content_block_delta":
            self._delta(integer(event.get("index")) or 0, obj(event.get("delta")))
        elif kind == "message_delta":
            self._reason = text(dig(event, "delta", "stop_reason")) or self._reason
            _usage(record, event.get("usage"))
        elif kind == "message_stop":
            self.done = True
        elif kind == "error":
            record.error_type = text(dig(event, "error", "type")) or "error"

    def _delta(self, index: int, delta: dict) -> None:
        kind = delta.get("type")
        if kind == "input_json_delta":
            piece = delta.get("partial_json")
            if isinstance(piece, str):
                self._json.setdefault(index, []).append(piece)
        elif self.content:
            block = self._blocks.setdefault(index, {"type": "text", "text": ""})
            for field in ("text", "thinking"):
                piece = delta.get(field)
                if isinstance(piece, str):
                    block[field] = (block.get(field) or "") + piece

    def finish(self) -> None:
        record = self.record
        for index, pieces in self._json.items():
            block = self._blocks.get(index)
            if block is not None:
                block["input"] = arguments("".join(pieces))
        blocks = [self._blocks[i] for i in sorted(self._blocks)]
        if self._reason:
            record.finish_reasons = [self._reason]
        calls = _tool_calls(blocks)
        if calls:
            record.tool_calls = calls
        if self.content and (blocks or self._reason):
            record.output_messages = [output_message(_parts(blocks), self._reason)]
