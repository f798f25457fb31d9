"""OpenAI's wire format: chat completions, the Responses API, embeddings and legacy completions."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

from .scenarios import (EMBEDDING_DIMENSIONS, EMBEDDING_TOKENS, TOOL_ARGUMENTS, TOOL_NAME, Usage, answer_text,
                        words)

CREATED = 1_760_000_000


def endpoint(path: str) -> str | None:
    for suffix, name in (("/chat/completions", "chat"), ("/responses", "responses"),
                         ("/embeddings", "embeddings"), ("/completions", "completions")):
        if path.endswith(suffix):
            return name
    return None


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def last_user_text(body: dict, name: str) -> str:
    if name == "responses":
        given = body.get("input")
        if isinstance(given, str):
            return given
        users = [i for i in given or [] if isinstance(i, dict) and i.get("role") == "user"]
        return _text_of(users[-1].get("content")) if users else ""
    if name == "completions":
        prompt = body.get("prompt")
        return prompt if isinstance(prompt, str) else ""
    users = [m for m in body.get("messages") or [] if isinstance(m, dict) and m.get("role") == "user"]
    return _text_of(users[-1].get("content")) if users else ""


def has_tool_result(body: dict, name: str) -> bool:
    """True when the request carries a tool's result after its last user message (the second turn
    of a tool call: a ``tool`` message, or a ``function_call_output`` input item)."""
    if name == "responses":
        items = body.get("input") if isinstance(body.get("input"), list) else []
        kinds = [(i.get("role"), i.get("type")) for i in items if isinstance(i, dict)]
        result = "function_call_output"
    else:
        kinds = [(m.get("role"), None) for m in body.get("messages") or [] if isinstance(m, dict)]
        result = "tool"
    last_user = max((n for n, (role, _) in enumerate(kinds) if role == "user"), default=-1)
    return any(role == result or kind == result for role, kind in kinds[last_user + 1:])


def is_stream(body: dict, path: str) -> bool:
    return body.get("stream") is True


def _tool_name(body: dict) -> str:
    for tool in body.get("tools") or []:
        name = (tool.get("function") or {}).get("name") or tool.get("name") if isinstance(tool, dict) else None
        if isinstance(name, str):
            return name
    return TOOL_NAME


def _usage(u: Usage, responses: bool = False) -> dict:
    if responses:
        return {"input_tokens": u.input, "input_tokens_details": {"cached_tokens": u.cached},
                "output_tokens": u.output, "output_tokens_details": {"reasoning_tokens": u.reasoning},
                "total_tokens": u.input + u.output}
    return {"prompt_tokens": u.input, "completion_tokens": u.output, "total_tokens": u.input + u.output,
            "prompt_tokens_details": {"cached_tokens": u.cached, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": u.reasoning, "audio_tokens": 0}}


def error_body(status: int) -> dict:
    kind = {429: ("rate_limit_exceeded", "requests"), 500: ("server_error", "server_error")}.get(
        status, ("invalid_request_error", "invalid_request_error"))
    return {"error": {"message": f"fake provider error {status}", "type": kind[1], "param": None, "code": kind[0]}}


def response(body: dict, path: str, scenario: str, usage: Usage) -> dict:
    name = endpoint(path)
    model = body.get("model") or "gpt-4o-mini"
    text = answer_text(last_user_text(body, name))
    tool = scenario == "tool_call"
    if name == "embeddings":
        return _embeddings(body, model)
    if name == "responses":
        return _responses(body, model, text, tool, usage)
    if name == "completions":
        return {"id": "cmpl-fake-1", "object": "text_completion", "created": CREATED, "model": model,
                "choices": [{"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}],
                "usage": _usage(usage)}
    message: dict[str, Any] = {"role": "assistant", "content": None if tool else text, "refusal": None}
    if tool:
        message["tool_calls"] = [{"id": "call_fake_1", "type": "function",
                                  "function": {"name": _tool_name(body), "arguments": json.dumps(TOOL_ARGUMENTS)}}]
    return {"id": "chatcmpl-fake-1", "object": "chat.completion", "created": CREATED, "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if tool else "stop"}],
            "usage": _usage(usage), "system_fingerprint": "fp_fake"}


def _embeddings(body: dict, model: str) -> dict:
    inputs = body.get("input")
    count = len(inputs) if isinstance(inputs, list) and inputs and not isinstance(inputs[0], int) else 1
    dims = body.get("dimensions") if isinstance(body.get("dimensions"), int) else EMBEDDING_DIMENSIONS
    vector = [round(0.1 * (i + 1), 3) for i in range(dims)]
    encoded: Any = vector
    if body.get("encoding_format") == "base64":
        encoded = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
    return {"object": "list", "model": model,
            "data": [{"object": "embedding", "index": i, "embedding": encoded} for i in range(count)],
            "usage": {"prompt_tokens": EMBEDDING_TOKENS, "total_tokens": EMBEDDING_TOKENS}}


def _responses(body: dict, model: str, text: str, tool: bool, usage: Usage) -> dict:
    turn = 2 if has_tool_result(body, "responses") else 1  # a new response, a new id (clients key by it)
    if tool:
        output = [{"type": "function_call", "id": "fc_fake_1", "call_id": "call_fake_1", "name": _tool_name(body),
                   "arguments": json.dumps(TOOL_ARGUMENTS), "status": "completed"}]
    else:
        output = [{"type": "message", "id": f"msg_fake_{turn}", "role": "assistant", "status": "completed",
                   "content": [{"type": "output_text", "text": text, "annotations": []}]}]
    return {"id": f"resp_fake_{turn}", "object": "response", "created_at": CREATED, "status": "completed",
            "model": model, "output": output, "usage": _usage(usage, responses=True),
            "parallel_tool_calls": True, "tool_choice": "auto", "tools": [], "error": None,
            "incomplete_details": None, "instructions": None, "metadata": {}, "text": {"format": {"type": "text"}}}


def events(body: dict, path: str, scenario: str, usage: Usage) -> list[tuple[str | None, str]]:
    """The stream: (event name, data) pairs in order."""
    full = response(body, path, scenario, usage)
    if endpoint(path) == "responses":
        return _responses_events(full)
    chat = endpoint(path) == "chat"
    base = {"id": full["id"], "object": "chat.completion.chunk" if chat else "text_completion",
            "created": CREATED, "model": full["model"]}
    choice = full["choices"][0]
    out: list[dict] = []
    if chat:
        out.append({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                         "finish_reason": None}]})
        calls = choice["message"].get("tool_calls") or []
        for call in calls:
            out.append({**base, "choices": [{"index": 0, "finish_reason": None, "delta": {"tool_calls": [
                {"index": 0, "id": call["id"], "type": "function",
                 "function": {"name": call["function"]["name"], "arguments": ""}}]}}]})
            arguments = call["function"]["arguments"]
            for piece in (arguments[: len(arguments) // 2], arguments[len(arguments) // 2:]):
                out.append({**base, "choices": [{"index": 0, "finish_reason": None, "delta": {
                    "tool_calls": [{"index": 0, "function": {"arguments": piece}}]}}]})
        for word in words(choice["message"]["content"]) if choice["message"]["content"] else []:
            out.append({**base, "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]})
        out.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]})
    else:
        for word in words(choice["text"]):
            out.append({**base, "choices": [{"index": 0, "text": word, "finish_reason": None}]})
        out.append({**base, "choices": [{"index": 0, "text": "", "finish_reason": choice["finish_reason"]}]})
    if (body.get("stream_options") or {}).get("include_usage"):
        out.append({**base, "choices": [], "usage": full["usage"]})
    if scenario == "stream_error":
        out.insert(len(out) // 2, {"error": {"message": "fake overload", "type": "server_error", "code": None}})
    return [(None, json.dumps(chunk)) for chunk in out] + [(None, "[DONE]")]


def _responses_events(full: dict) -> list[tuple[str | None, str]]:
    created = {**full, "status": "in_progress", "output": [], "usage": None}
    seq = iter(range(1000))
    out = [{"type": "response.created", "response": created}, {"type": "response.in_progress", "response": created}]
    for index, item in enumerate(full["output"]):
        out.append({"type": "response.output_item.added", "output_index": index, "item": {**item, "status": "in_progress"}})
        if item["type"] == "message":
            text = item["content"][0]["text"]
            for word in words(text):
                out.append({"type": "response.output_text.delta", "item_id": item["id"], "output_index": index,
                            "content_index": 0, "delta": word})
            out.append({"type": "response.output_text.done", "item_id": item["id"], "output_index": index,
                        "content_index": 0, "text": text})
        out.append({"type": "response.output_item.done", "output_index": index, "item": item})
    out.append({"type": "response.completed", "response": full})
    return [(e["type"], json.dumps({**e, "sequence_number": next(seq)})) for e in out]
