"""A LangGraph ReAct agent as an app builds it (real ``langgraph`` and ``langchain-openai``)."""

from __future__ import annotations


def make_agent(base_url: str, *, stream: bool = False, responses: bool = False, name: str = "support", tools=None):
    """``create_react_agent`` with ChatOpenAI and two tools, as an app builds it."""
    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI
    from langgraph.prebuilt import create_react_agent

    @tool
    def lookup_order(order_id: str) -> str:
        """Look up an order by its id."""
        return f"order {order_id}: shipped"

    @tool
    def refund(order_id: str) -> str:
        """Refund an order."""
        return "refunded"

    import httpx

    # a client of this test's own: langchain-openai's shared async client is bound to the first event loop
    model = ChatOpenAI(model="gpt-4o-mini", base_url=f"{base_url}/v1", api_key="sk-test-key", streaming=stream,
                       stream_usage=True, use_responses_api=responses, http_async_client=httpx.AsyncClient())
    return create_react_agent(model, tools or [lookup_order, refund], name=name)


QUESTION = "Where is my order A-1001? [scenario:tool_call]"
