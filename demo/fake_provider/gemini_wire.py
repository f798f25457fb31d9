"""Google Gemini's wire format: ``models/{model}:generateContent`` and ``:streamGenerateContent``."""

from __future__ import annotations

import json
import re

from .scenarios import TOOL_ARGUMENTS, TOOL_NAME, Usage, answer_text, words

_METHOD = re.compile(r"/models/([^/:]+):(generateContent|streamGenerateContent)$")


def endpoint(path: str) -> str | None:
    found = _METHOD.search(path)
    return found.group(2) if found else None


def model_of(path: str) -> str:
    found = _METHOD.search(path)
    return found.group(1) if found else "gemini-2.5-flash"


def last_user_text(body: dict, name: str) -> str:
    users = [c for c in body.get("contents") or [] if isinstance(c, dict) and c.get("role", "user") == "user"]
    if not users:
        return ""
    return " ".join(p.get("text", "") for p in users[-1].get("parts") or [] if isinstance(p, dict))


def is_stream(body: dict, path: str) -> bool:
    return endpoint(path) == "streamGenerateContent"


def _usage(u: Usage) -> dict:
    return {"promptTokenCount": u.input, "candidatesTokenCount": u.output, "cachedContentTokenCount": u.cached,
            "thoughtsTokenCount": u.reasoning, "totalTokenCount": u.input + u.output + u.reasoning}


def error_body(status: int) -> dict:
    kind = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL"}.get(status, "INVALID_ARGUMENT")
    return {"error": {"code": status, "message": f"fake provider error {status}", "status": kind}}


def _tool_name(body: dict) -> str:
    for tool in body.get("tools") or []:
        for declaration in (tool or {}).get("functionDeclarations") or []:
            if isinstance(declaration, dict) and declaration.get("name"):
                return declaration["name"]
    return TOOL_NAME


def response(body: dict, path: str, scenario: str, usage: Usage) -> dict:
    if scenario == "tool_call":
        parts = [{"functionCall": {"name": _tool_name(body), "args": TOOL_ARGUMENTS}}]
    else:
        parts = [{"text": answer_text(last_user_text(body, "generateContent"))}]
    return {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": _usage(usage), "modelVersion": model_of(path), "responseId": "resp-fake-1"}


def events(body: dict, path: str, scenario: str, usage: Usage) -> list[tuple[str | None, str]]:
    full = response(body, path, scenario, usage)
    base = {"modelVersion": full["modelVersion"], "responseId": full["responseId"]}
    parts = full["candidates"][0]["content"]["parts"]
    pieces = [{"text": w} for w in words(parts[0]["text"])] if "text" in parts[0] else parts
    partial = {"promptTokenCount": usage.input, "totalTokenCount": usage.input}
    out = []
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        candidate = {"content": {"role": "model", "parts": [piece]}, "index": 0}
        if last:
            candidate["finishReason"] = "STOP"
        out.append({"candidates": [candidate], "usageMetadata": full["usageMetadata"] if last else partial, **base})
    if scenario == "stream_error":
        out.insert(len(out) // 2, {"error": {"code": 503, "message": "fake overload", "status": "UNAVAILABLE"}})
    return [(None, json.dumps(chunk)) for chunk in out]
