"""What the fake provider does with a request: the scenario, the canned usage and the answer text.

A request picks its scenario with the header ``x-fake-scenario: NAME`` or the text ``[scenario:NAME]``
in its last user message:

==================  ================================================================================
``ok`` (default)    a canned answer that echoes the last user message
``tool_call``       the model asks for the tool ``lookup_order`` (the first declared tool, if any);
                    once the request carries the tool's result (OpenAI wire), the answer
``error_429``       HTTP 429 with the provider's error body and ``retry-after-ms: 1``
``error_500``       HTTP 500 with the provider's error body
``flaky``           HTTP 429 on the first attempt of a request body, the answer on the retry
``malformed``       HTTP 200 whose JSON is cut short (a stream: one event of broken JSON among good ones)
``truncated``       the connection closes half-way through the body (a stream: half-way through events)
``non_json``        HTTP 200 with an HTML page
``stream_error``    a stream that reports the provider's error event half-way through
``slow``            waits ``SLOW_SECONDS`` before the first byte and between stream events
==================  ================================================================================

``x-fake-delay: SECONDS`` adds a delay before the first byte to any scenario. ``x-fake-usage:
input=N,output=N,cached=N,reasoning=N,cache_write=N`` overrides the canned usage below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

SCENARIOS = ("ok", "tool_call", "error_429", "error_500", "flaky", "malformed", "truncated", "non_json",
             "stream_error", "slow")
SLOW_SECONDS = 0.3
SCENARIO_HEADER = "x-fake-scenario"
DELAY_HEADER = "x-fake-delay"
USAGE_HEADER = "x-fake-usage"
_MAGIC = re.compile(r"\[scenario:([a-z0-9_]+)\]")


@dataclass(frozen=True)
class Usage:
    """Canned token counts. ``input`` is what the provider reports as its input count: for OpenAI and
    Gemini it includes ``cached``, for Anthropic it is fresh input only (cache counts beside it)."""

    input: int
    output: int
    cached: int
    reasoning: int = 0
    cache_write: int = 0


OPENAI_USAGE = Usage(input=100, output=40, cached=20, reasoning=8)
ANTHROPIC_USAGE = Usage(input=100, output=40, cached=30, cache_write=10)
GEMINI_USAGE = Usage(input=100, output=40, cached=20, reasoning=8)
EMBEDDING_TOKENS = 12
EMBEDDING_DIMENSIONS = 8
TOOL_NAME = "lookup_order"
TOOL_ARGUMENTS = {"order_id": "A-1001"}


def scenario_of(headers: dict[str, str], last_user_text: str) -> str:
    """The scenario a request asks for (``ok`` when it names none or an unknown one)."""
    name = headers.get(SCENARIO_HEADER, "").strip().lower()
    if not name:
        found = _MAGIC.search(last_user_text or "")
        name = found.group(1) if found else "ok"
    return name if name in SCENARIOS else "ok"


def usage_of(headers: dict[str, str], default: Usage) -> Usage:
    raw = headers.get(USAGE_HEADER)
    if not raw:
        return default
    fields = {}
    for item in raw.split(","):
        key, _, value = item.partition("=")
        key = key.strip()
        if key in ("input", "output", "cached", "reasoning", "cache_write") and value.strip().isdigit():
            fields[key] = int(value)
    return replace(default, **fields)


def delay_of(headers: dict[str, str], scenario: str) -> float:
    try:
        delay = float(headers.get(DELAY_HEADER, "0") or 0)
    except ValueError:
        delay = 0.0
    return max(delay, SLOW_SECONDS if scenario == "slow" else 0.0)


def answer_text(last_user_text: str) -> str:
    """The canned answer: deterministic, and it shows which question it answers."""
    question = _MAGIC.sub("", last_user_text or "").strip()
    if not question:
        return "Hello from the fake provider."
    return f"You asked: {question[:200]}. Here is a canned answer from the fake provider."


def words(text: str) -> list[str]:
    """The answer split as a stream delivers it, a word at a time (spaces kept)."""
    pieces = re.findall(r"\S+\s*", text)
    return pieces or [text]
