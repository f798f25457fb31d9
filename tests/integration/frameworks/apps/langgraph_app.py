"""A LangGraph support agent with no telemetry code: ``create_react_agent`` with ChatOpenAI, a tool
that looks an order up (reading a LangChain retriever) and a refund tool. It answers ``RUNS``
questions, each a conversation of its own (LangGraph ``thread_id``), and exits.

Environment: ``LLM_BASE_URL`` (the fake provider), ``RUNS`` (default 3), ``MODE`` (``sync`` or
``async``), ``STREAM`` and ``RESPONSES`` (``1``: streamed, the Responses API), ``FAKE_USAGE`` (the
provider's usage, as its ``x-fake-usage`` header), ``QUESTION``.
"""

from __future__ import annotations

import asyncio
import os
import warnings

import httpx
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from langgraph.prebuilt import create_react_agent

warnings.filterwarnings("ignore", message=".*create_react_agent.*")

ORDERS = {"A-1001": "shipped on Monday", "A-1002": "waiting for stock"}


class OrderRetriever(BaseRetriever):
    """The order notes that mention an order id, with a relevance score."""

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [Document(page_content=f"Order {key}: {note}", id=f"order-{key}", metadata={"score": 0.9})
                for key, note in ORDERS.items() if key in query]


retriever = OrderRetriever()


@tool
def lookup_order(order_id: str) -> str:
    """Look an order up by its id."""
    docs = retriever.invoke(order_id)
    return docs[0].page_content if docs else "no such order"


@tool
def refund(order_id: str) -> str:
    """Refund an order."""
    return f"refund of {order_id} started"


def build_agent():
    headers = {"x-fake-usage": os.environ["FAKE_USAGE"]} if os.environ.get("FAKE_USAGE") else None
    model = ChatOpenAI(model="gpt-4o-mini", base_url=f"{os.environ['LLM_BASE_URL']}/v1", api_key="sk-app-secret-0001",
                       streaming=os.environ.get("STREAM") == "1", stream_usage=True,
                       use_responses_api=os.environ.get("RESPONSES") == "1", default_headers=headers,
                       http_async_client=httpx.AsyncClient())
    return create_react_agent(model, [lookup_order, refund], name="support")


def question(run: int) -> dict:
    text = os.environ.get("QUESTION", "Where is my order A-1001? [scenario:tool_call]")
    return {"messages": [("user", text)]}


def config(run: int) -> dict:
    return {"configurable": {"thread_id": f"thread-{run}"}}


async def main_async(agent, runs: int) -> None:
    for run in range(runs):
        answer = await agent.ainvoke(question(run), config=config(run))
        print(answer["messages"][-1].content, flush=True)


def main() -> None:
    agent = build_agent()
    runs = int(os.environ.get("RUNS", "3"))
    if os.environ.get("MODE") == "async":
        asyncio.run(main_async(agent, runs))
        return
    for run in range(runs):
        answer = agent.invoke(question(run), config=config(run))
        print(answer["messages"][-1].content, flush=True)


if __name__ == "__main__":
    main()
