"""The agent's model calls, through the providers' own SDKs.

Nothing here creates telemetry: under ``opentelemetry-instrument`` agentotel captures every
``openai`` and ``anthropic`` SDK call (spans, tokens, cost) by itself. This module only shapes
requests and reads answers: intent classification and tool choice with OpenAI, answers with
Anthropic (optionally streamed) or OpenAI.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from anthropic import AsyncAnthropic
from openai import AsyncOpenAI

from . import rules, tools
from .settings import PROVIDER_SCENARIO_HEADER, Settings

log = logging.getLogger(__name__)

CLASSIFY_PROMPT = (
    "You route messages to the support desk of Pebble & Pine, a small homeware shop. "
    "Reply with exactly one intent from this list and nothing else: " + ", ".join(rules.INTENTS) + ". "
    "If the customer gives an order number and wants its status, shipping or a refund, call the matching tool."
)
ANSWER_PROMPT = (
    "You are the support assistant of Pebble & Pine, a small homeware shop. Answer in two or three "
    "friendly sentences, using only the facts below. If they do not answer the question, say so.\n\n"
    "Facts:\n{facts}"
)


@dataclass
class ModelToolCall:
    name: str
    arguments: dict[str, Any]
    id: str | None = None


@dataclass
class Classification:
    intent: str | None
    tool_calls: list[ModelToolCall] = field(default_factory=list)


@dataclass
class Answer:
    text: str
    model: str
    provider: str


def _headers(scenario: str | None) -> dict[str, str] | None:
    return {PROVIDER_SCENARIO_HEADER: scenario} if scenario else None


def _tool_calls(message: Any) -> list[ModelToolCall]:
    calls = []
    for call in getattr(message, "tool_calls", None) or []:
        function = getattr(call, "function", None)
        if function is None or function.name not in tools.TOOLS:
            continue
        try:
            arguments = json.loads(function.arguments or "{}")
        except json.JSONDecodeError:
            log.warning("model sent unreadable arguments for tool %s", function.name)
            continue
        if isinstance(arguments, dict):
            calls.append(ModelToolCall(function.name, arguments, getattr(call, "id", None)))
    return calls


class Models:
    """The two SDK clients and the calls the agent makes with them."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.openai = AsyncOpenAI(api_key=settings.openai_api_key, base_url=settings.openai_base_url,
                                  timeout=settings.llm_timeout, max_retries=settings.llm_retries)
        self.anthropic = AsyncAnthropic(api_key=settings.anthropic_api_key, base_url=settings.anthropic_base_url,
                                        timeout=settings.llm_timeout, max_retries=settings.llm_retries)

    async def classify(self, message: str, scenario: str | None = None) -> Classification:
        """The intent the model names (None if it names none) and the tools it calls."""
        response = await self.openai.chat.completions.create(
            model=self.settings.classifier_model,
            messages=[{"role": "system", "content": CLASSIFY_PROMPT}, {"role": "user", "content": message}],
            tools=tools.specs(),
            tool_choice="auto",
            temperature=0,
            max_completion_tokens=60,
            extra_headers=_headers(scenario),
        )
        if not response.choices:
            return Classification(None)
        choice = response.choices[0].message
        return Classification(rules.parse_intent(choice.content), _tool_calls(choice))

    async def answer_openai(self, facts: str, history: list[dict[str, str]], scenario: str | None = None,
                            stream: bool = False) -> Answer:
        model = self.settings.openai_model
        messages = [{"role": "system", "content": ANSWER_PROMPT.format(facts=facts)}, *history]
        if not stream:
            response = await self.openai.chat.completions.create(
                model=model, messages=messages, temperature=0.3, max_completion_tokens=300, extra_headers=_headers(scenario))
            text = response.choices[0].message.content if response.choices else ""
            return Answer(text or "", response.model or model, "openai")
        parts = []
        chunks = await self.openai.chat.completions.create(
            model=model, messages=messages, temperature=0.3, max_completion_tokens=300, stream=True,
            stream_options={"include_usage": True}, extra_headers=_headers(scenario))
        async for chunk in chunks:
            if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
        return Answer("".join(parts), model, "openai")

    async def answer_anthropic(self, facts: str, history: list[dict[str, str]], scenario: str | None = None,
                               stream: bool = False) -> Answer:
        model = self.settings.anthropic_model
        request = dict(model=model, system=ANSWER_PROMPT.format(facts=facts), messages=history,
                       max_tokens=300, extra_headers=_headers(scenario))
        if not stream:
            response = await self.anthropic.messages.create(**request)
            text = "".join(block.text for block in response.content if getattr(block, "type", "") == "text")
            return Answer(text, response.model or model, "anthropic")
        parts = []
        events = await self.anthropic.messages.create(**request, stream=True)
        async for event in events:
            if event.type == "content_block_delta" and getattr(event.delta, "type", "") == "text_delta":
                parts.append(event.delta.text)
        return Answer("".join(parts), model, "anthropic")

    async def close(self) -> None:
        await self.openai.close()
        await self.anthropic.close()
