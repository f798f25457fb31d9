"""A pydantic-ai app with no telemetry code: one agent with one tool, run once per conversation
against the provider at ``LLM_BASE_URL``.

``OPENAI_API`` picks the model class (``responses`` or ``chat_completions``), ``STREAM=1`` runs it
streamed, ``RUNS`` is the number of runs, and ``PYDANTIC_AI_INSTRUMENT=1`` turns pydantic-ai's own
instrumentation on (``Agent.instrument_all()``), as an app that uses it would.
"""

from __future__ import annotations

import asyncio
import os

from pydantic_ai import Agent
from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel
from pydantic_ai.providers.openai import OpenAIProvider


def lookup_order(order_id: str) -> str:
    """Look up an order by its id."""
    return f"Order {order_id} shipped on 2026-11-30; contact jane.doe@example.com for changes."


async def main() -> None:
    if os.environ.get("PYDANTIC_AI_INSTRUMENT") == "1":
        Agent.instrument_all()
    provider = OpenAIProvider(base_url=f"{os.environ['LLM_BASE_URL']}/v1", api_key=os.environ["OPENAI_API_KEY"])
    model_class = OpenAIResponsesModel if os.environ.get("OPENAI_API") == "responses" else OpenAIChatModel
    agent = Agent(model_class("gpt-4o-mini", provider=provider), name="support",
                  instructions="Answer questions about orders.", tools=[lookup_order])
    for index in range(1, int(os.environ.get("RUNS", "2")) + 1):
        question = f"Where is my order A-100{index}? [scenario:tool_call]"
        if os.environ.get("STREAM") == "1":
            async with agent.run_stream(question) as result:
                output = await result.get_output()
        else:
            output = (await agent.run(question)).output
        print("answer:", output, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
