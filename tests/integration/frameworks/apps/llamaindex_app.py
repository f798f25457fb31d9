"""A LlamaIndex app with no telemetry code, against the provider at ``LLM_BASE_URL``: a query
engine over in-memory documents (embeddings and an answer), then a function agent with one tool
(a tool call, then the answer). ``RUNS`` is the number of questions each gets; ``STREAM=1``
streams the query engine's answer.
"""

from __future__ import annotations

import asyncio
import os

from llama_index.core import Document, Settings, VectorStoreIndex
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.embeddings.openai import OpenAIEmbedding
from llama_index.llms.openai import OpenAI

DOCUMENTS = [
    Document(text="Refunds are paid within 5 days of the return.", id_="faq-refunds"),
    Document(text="Orders ship within 2 days; tracking is e-mailed.", id_="faq-shipping"),
    Document(text="Support is open 9:00-17:00 on weekdays.", id_="faq-hours"),
]


def lookup_order(order_id: str) -> str:
    """Look up an order by its id."""
    return f"Order {order_id} shipped on 2026-11-30; contact jane.doe@example.com for changes."


async def main() -> None:
    base = f"{os.environ['LLM_BASE_URL']}/v1"
    Settings.llm = OpenAI(model="gpt-4o-mini", api_base=base, api_key=os.environ["OPENAI_API_KEY"])
    Settings.embed_model = OpenAIEmbedding(model="text-embedding-3-small", api_base=base,
                                           api_key=os.environ["OPENAI_API_KEY"])
    index = VectorStoreIndex.from_documents(DOCUMENTS)
    engine = index.as_query_engine(similarity_top_k=2, streaming=os.environ.get("STREAM") == "1")
    agent = FunctionAgent(name="support", tools=[lookup_order], system_prompt="Answer questions about orders.")
    for index_ in range(1, int(os.environ.get("RUNS", "2")) + 1):
        response = engine.query(f"How fast are refunds paid? ({index_})")
        text = "".join(response.response_gen) if hasattr(response, "response_gen") else str(response)
        print("answer:", text, flush=True)
        result = await agent.run(user_msg=f"Where is my order A-100{index_}? [scenario:tool_call]")
        print("agent:", result, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
