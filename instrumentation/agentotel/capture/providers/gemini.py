"""Google Gemini's wire format (Gemini API and Vertex AI): ``generateContent`` and
``streamGenerateContent`` (server-sent events with ``?alt=sse``, else one JSON array).

Usage is recorded as reported in ``usageMetadata``: ``promptTokenCount`` (which includes
``cachedContentTokenCount``), ``candidatesTokenCount`` and, beside it, ``thoughtsTokenCount``.
The model comes from the path (``models/{model}:generateContent``).
"""

from __future__ import annotations

from typing import Any

from ...core.records import LLMCall, ToolCall
from ..fastjson import loads
from ..routes import Route
from ._common import (dig, integer, num, obj, output_message, seq, strings, text, text_part, tool_call_part,
                      tool_response_part)

_ROLES = {"model": "assistant"}


def request(record: LLMCall, body: Any, route: Route, content: bool) -> None:
    body = obj(body)
    record.stream = route.stream
    config = obj(body.get("generationConfig"))
    record.temperature = num(config.get("temperature"))
    record.top_p = num(config.get("topP"))
    record.top_k = num(config.get("topK"))
    record.max_tokens = integer(config.get("maxOutputTokens"))
    record.stop_sequences = strings(config.get("stopSequences"))
    record.seed = integer(config.get("seed"))
    record.frequency_penalty = num(config.get("frequencyPenalty"))
    record.presence_penalty = num(config.get("presencePenalty"))
    candidates = integer(config.get("candidateCount"))
    if candidates is not None and candidates != 1:
        record.choice_count = candidates
    mime = text(config.get("responseMimeType"))
    if mime:
        record.output_type = "json" if mime == "application/json" else "text"
    tools = body.get("tools")
    if isinstance(tools, list):
        # A tool entry either declares functions or enables one built-in tool (search, code execution).
        record.tool_definition_count = sum(len(seq(obj(t).get("functionDeclarations"))) or 1 for t in tools)
    if content:
        system = dig(body, "systemInstruction", "parts")
        if system:
            record.system_instructions = _parts(system)
        record.input_messages = [{"role": _ROLES.get(obj(c).get("role"), obj(c).get("role") or "user"),
                                  "parts": _parts(obj(c).get("parts"))} for c in seq(body.get("contents"))]


def _parts(value: Any) -> list[dict]:
    parts = []
    for part in seq(value):
        part = obj(part)
        if isinstance(part.get("text"), str):
            kind = "reasoning" if part.get("thought") is True else "text"
            parts.append(text_part(part["text"]) if kind == "text" else {"type": kind, "content": part["text"]})
        elif "functionCall" in part:
            call = obj(part["functionCall"])
            parts.append(tool_call_part(call.get("id"), call.get("name"), call.get("args")))
        elif "functionResponse" in part:
            result = obj(part["functionResponse"])
            parts.append(tool_response_part(result.get("id"), result.get("response")))
        elif part:
            parts.append({"type": next(iter(part))})
    return parts


def _usage(record: LLMCall, metadata: Any) -> None:
    metadata = obj(metadata)
    if not metadata:
        return
    counts = record.usage
    counts.input_tokens = integer(metadata.get("promptTokenCount"))
    counts.output_tokens = integer(metadata.get("candidatesTokenCount"))
    counts.cache_read_input_tokens = integer(metadata.get("cachedContentTokenCount"))
    counts.reasoning_output_tokens = integer(metadata.get("thoughtsTokenCount"))
    if counts.output_tokens is None and counts.input_tokens is not None:
        counts.output_tokens = 0  # a response cut off before any candidate token reports no count


class _Candidates:
    """Candidates merged across stream chunks (one chunk for a plain response)."""

    __slots__ = ("reasons", "parts", "content")

    def __init__(self, content: bool):
        self.reasons: dict[int, str] = {}
        self.parts: dict[int, list[dict]] = {}
        self.content = content  # without content capture only function calls are kept

    def add(self, chunk: dict) -> None:
        for position, candidate in enumerate(seq(chunk.get("candidates"))):
            candidate = obj(candidate)
            index = integer(candidate.get("index"))
            index = position if index is None else index
            reason = text(candidate.get("finishReason"))
            if reason:
                self.reasons[index] = reason
            parts = seq(dig(candidate, "content", "parts"))
            if not self.content:
                parts = [p for p in parts if isinstance(p, dict) and "functionCall" in p]
            self.parts.setdefault(index, []).extend(parts)

    def write(self, record: LLMCall) -> None:
        content = self.content
        indexes = sorted(set(self.reasons) | set(self.parts))
        if self.reasons:
            record.finish_reasons = [self.reasons.get(i, "") for i in indexes]
        calls, outputs = [], []
        for i in indexes:
            raw = self.parts.get(i, [])
            for part in map(obj, raw):
                call = obj(part.get("functionCall"))
                if call:
                    calls.append(ToolCall(name=text(call.get("name")) or "", id=text(call.get("id")),
                                          arguments=call.get("args")))
            if content:
                outputs.append(output_message(_merge_text(_parts(raw)), self.reasons.get(i)))
        if calls:
            record.tool_calls = calls
        if content and outputs:
            record.output_messages = outputs


def _merge_text(parts: list[dict]) -> list[dict]:
    """Join consecutive text parts, which a stream delivers a few words at a time."""
    merged: list[dict] = []
    for part in parts:
        if merged and part["type"] == "text" and merged[-1]["type"] == "text":
            merged[-1] = text_part(merged[-1]["content"] + part["content"])
        else:
            merged.append(part)
    return merged


def _metadata(record: LLMCall, chunk: dict) -> None:
    if record.response_id is None:
        record.response_id = text(chunk.get("responseId"))
    if record.response_model is None:
        record.response_model = text(chunk.get("modelVersion"))
    _usage(record, chunk.get("usageMetadata"))


def response(record: LLMCall, body: Any, route: Route, content: bool) -> None:
    chunks = body if isinstance(body, list) else [body]  # streamGenerateContent without alt=sse
    candidates = _Candidates(content)
    for chunk in map(obj, chunks):
        _metadata(record, chunk)
        candidates.add(chunk)
    candidates.write(record)


class StreamState:
    """Each event is a partial GenerateContentResponse; usage in the last one is the total."""

    __slots__ = ("record", "route", "content", "done", "_candidates")

    def __init__(self, record: LLMCall, route: Route, content: bool):
        self.record = record
        self.route = route
        self.content = content
        self.done = False
        self._candidates = _Candidates(content)

    def event(self, name: str, data: str) -> None:
        chunk = loads(data)
        if not isinstance(chunk, dict):
            return
        error = chunk.get("error")
        if error:
            self.record.error_type = text(dig(error, "status")) or str(dig(error, "code") or "error")
            return
        _metadata(self.record, chunk)
        self._candidates.add(chunk)

    def finish(self) -> None:
        self._candidates.write(self.record)
