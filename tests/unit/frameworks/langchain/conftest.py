"""LangChain fixtures: capture and the LangChain instrumentor on the test telemetry's emitter, a
LangGraph ReAct agent (real ``langgraph`` and ``langchain-openai``) on the fake provider."""

from __future__ import annotations

import pytest

from agentotel.capture import LLMInstrumentor
from agentotel.frameworks.langchain import LangChainInstrumentor


@pytest.fixture
def instrumented(telemetry, fake_provider):
    """Capture (the fake provider's OpenAI base URL) and the LangChain instrumentor, then neither."""
    capture, langchain = LLMInstrumentor(), LangChainInstrumentor()
    capture.instrument(base_urls={f"{fake_provider.base_url}/v1": "openai"})
    langchain.instrument()
    yield telemetry
    langchain.uninstrument()
    capture.uninstrument()
