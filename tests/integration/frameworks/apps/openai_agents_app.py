"""An OpenAI Agents SDK app with no telemetry code: one agent with one tool, run once per
conversation against the provider at ``LLM_BASE_URL``.

``OPENAI_API`` picks the wire (``responses`` or ``chat_completions``), ``STREAM=1`` runs it streamed,
``RUNS`` is the number of conversations (``group_id`` conv-1, conv-2...). The SDK's own export of
its traces goes to ``TRACE_INGEST_URL`` (OpenAI's endpoint cannot be reached from tests).
"""

from __future__ import annotations

import asyncio
import os

from agents import (Agent, ModelSettings, RunConfig, Runner, function_tool, set_default_openai_api,
                    set_default_openai_client)
from agents.tracing.processors import default_exporter
from openai import AsyncOpenAI


@function_tool
def lookup_order(order_id: str) -> str:
    """Look up an order by its id."""
    return f"Order {order_id} shipped on 2026-11-30; contact jane.doe@example.com for changes."


agent = Agent(name="support", instructions="Answer questions about orders.", tools=[lookup_order],
              model="gpt-4o-mini")


async def main() -> None:
    set_default_openai_client(AsyncOpenAI(base_url=f"{os.environ['LLM_BASE_URL']}/v1"))
    set_default_openai_api(os.environ.get("OPENAI_API", "responses"))
    if os.environ.get("TRACE_INGEST_URL"):
        default_exporter().endpoint = os.environ["TRACE_INGEST_URL"]
    for index in range(1, int(os.environ.get("RUNS", "2")) + 1):
        question = f"Where is my order A-100{index}? [scenario:tool_call]"
        # A streamed chat completion reports usage only when asked to (stream_options.include_usage).
        config = RunConfig(group_id=f"conv-{index}", model_settings=ModelSettings(include_usage=True))
        if os.environ.get("STREAM") == "1":
            result = Runner.run_streamed(agent, question, run_config=config)
            async for _ in result.stream_events():
                pass
        else:
            result = await Runner.run(agent, question, run_config=config)
        print("answer:", result.final_output, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
