"""Defensive readers for provider JSON: a field of the wrong type reads as missing, never raises.

Content helpers build the GenAI semantic conventions' message shape
(``{"role": ..., "parts": [{"type": "text", "content": ...}, ...]}``).
"""

from __future__ import annotations

from typing import Any

from ..fastjson import loads


def obj(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def seq(value: Any) -> list:
    return value if isinstance(value, list) else []


def dig(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def integer(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def strings(value: Any) -> list[str] | None:
    """A stop-sequence style field: one string or a list of strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return value
    return None


def arguments(value: Any) -> Any:
    """Tool-call arguments: JSON text parsed when it parses, else kept as given."""
    if isinstance(value, str):
        try:
            return loads(value)
        except ValueError:
            return value
    return value


def text_part(content: str) -> dict:
    return {"type": "text", "content": content}


def tool_call_part(call_id: Any, name: Any, args: Any) -> dict:
    part = {"type": "tool_call", "name": name, "arguments": args}
    if call_id is not None:
        part["id"] = call_id
    return part


def tool_response_part(call_id: Any, response: Any) -> dict:
    part = {"type": "tool_call_response", "response": response}
    if call_id is not None:
        part["id"] = call_id
    return part


def output_message(parts: list[dict], finish_reason: str | None, role: str = "assistant") -> dict:
    message = {"role": role, "parts": parts}
    if finish_reason is not None:
        message["finish_reason"] = finish_reason
    return message
