"""Anthropic's Messages API wire format, with prompt-cache usage and tool use."""

from __future__ import annotations

import json
from typing import Any

from .scenarios import TOOL_ARGUMENTS, TOOL_NAME, Usage, answer_text, words


def endpoint(path: str) -> str | None:
    return "messages" if path.endswith("/v1/messages") or path.endswith("/messages") else None


def last_user_text(body: dict, name: str) -> str:
    users = [m for m in body.get("messages") or [] if isinstance(m, dict) and m.get("role") == "user"]
    if not users:
        return ""
    content = users[-1].get("content")
    if isinstance(content, str):
        return content
    return " ".join(b.get("text", "") for b in content or [] if isinstance(b, dict) and b.get("type") == "text")


def is_stream(body: dict, path: str) -> bool:
    return body.get("stream") is True


def _usage(u: Usage, output: int | None = None) -> dict:
    return {"input_tokens": u.input, "output_tokens": u.output if output is None else output,
            "cache_read_input_tokens": u.cached, "cache_creation_input_tokens": u.cache_write,
            "service_tier": "standard"}


def error_body(status: int) -> dict:
    kind = {429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}.get(status, "invalid_request_error")
    return {"type": "error", "error": {"type": kind, "message": f"fake provider error {status}"},
            "request_id": "req_fake"}


def response(body: dict, path: str, scenario: str, usage: Usage) -> dict:
    model = body.get("model") or "claude-haiku-4-5"
    tools = [t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)]
    content: list[dict[str, Any]]
    if scenario == "tool_call":
        content = [{"type": "text", "text": "Let me look that up."},
                   {"type": "tool_use", "id": "toolu_fake_1", "name": tools[0] if tools else TOOL_NAME,
                    "input": TOOL_ARGUMENTS}]
        stop = "tool_use"
    else:
        content = [{"type": "text", "text": answer_text(last_user_text(body, "messages"))}]
        stop = "end_turn"
    return {"id": "msg_fake_1", "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": stop, "stop_sequence": None, "usage": _usage(usage)}


def events(body: dict, path: str, scenario: str, usage: Usage) -> list[tuple[str | None, str]]:
    full = response(body, path, scenario, usage)
    start = {**full, "content": [], "stop_reason": None, "usage": _usage(usage, output=1)}
    out: list[dict] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(full["content"]):
        if block["type"] == "text":
            out.append({"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}})
            if index == 0:
                out.append({"type": "ping"})
            for word in words(block["text"]):
                out.append({"type": "content_block_delta", "index": index,
                            "delta": {"type": "text_delta", "text": word}})
        else:
            out.append({"type": "content_block_start", "index": index,
                        "content_block": {**block, "input": {}}})
            arguments = json.dumps(block["input"])
            for piece in (arguments[: len(arguments) // 2], arguments[len(arguments) // 2:]):
                out.append({"type": "content_block_delta", "index": index,
                            "delta": {"type": "input_json_delta", "partial_json": piece}})
        out.append({"type": "content_block_stop", "index": index})
    out.append({"type": "message_delta", "delta": {"stop_reason": full["stop_reason"], "stop_sequence": None},
                "usage": {"output_tokens": usage.output}})
    out.append({"type": "message_stop"})
    if scenario == "stream_error":
        out = out[: len(out) // 2] + [{"type": "error", "error": {"type": "overloaded_error",
                                                                   "message": "fake overload"}}]
    return [(e["type"], json.dumps(e)) for e in out]
