"""A CrewAI app with no telemetry code: a crew of one agent with one tool and one task, kicked off
once per conversation against the provider at ``LLM_BASE_URL``. ``RUNS`` is the number of kickoffs,
``STREAM=1`` streams the model's answers.
"""

from __future__ import annotations

import os

from crewai import LLM, Agent, Crew, Task
from crewai.tools import tool


@tool("lookup_order")
def lookup_order(order_id: str) -> str:
    """Look up an order by its id."""
    return f"Order {order_id} shipped on 2026-11-30; contact jane.doe@example.com for changes."


def main() -> None:
    llm = LLM(model="openai/gpt-4o-mini", base_url=f"{os.environ['LLM_BASE_URL']}/v1",
              api_key=os.environ["OPENAI_API_KEY"], stream=os.environ.get("STREAM") == "1")
    agent = Agent(role="support", goal="Answer questions about orders.", backstory="A support agent.",
                  tools=[lookup_order], llm=llm, verbose=False)
    for index in range(1, int(os.environ.get("RUNS", "2")) + 1):
        task = Task(description=f"Where is my order A-100{index}? [scenario:tool_call]",
                    expected_output="Where the order is.", agent=agent)
        crew = Crew(name="support-crew", agents=[agent], tasks=[task], verbose=False)
        print("answer:", crew.kickoff().raw, flush=True)


if __name__ == "__main__":
    main()
