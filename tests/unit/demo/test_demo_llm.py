"""The agent's SDK calls against the bundled fake provider: request shape, answers, streams, errors."""

from __future__ import annotations

import anthropic
import openai
import pytest

from demo.support_agent.llm import Models
from demo.support_agent.settings import Settings


@pytest.fixture
async def models(fake_provider):
    fake_provider.clear()
    models = Models(Settings(openai_base_url=f"{fake_provider.base_url}/v1", anthropic_base_url=fake_provider.base_url,
                             openai_api_key="k", anthropic_api_key="k"))
    yield models
    await models.close()


async def test_classify_declares_the_tools_and_reads_a_model_tool_call(models, fake_provider):
    """Classification sends the three tools; a tool call in the answer becomes a ModelToolCall."""
    plain = await models.classify("Where is my order #1234?")
    called = await models.classify("Where is my order #1234?", scenario="tool_call")
    assert plain.intent is None and plain.tool_calls == []  # the canned text names no intent
    (call,) = called.tool_calls
    assert call.name == "lookup_order" and call.arguments["order_id"] and call.id
    sent = fake_provider.requests[0]
    assert [t["function"]["name"] for t in sent["body"]["tools"]] == ["lookup_order", "check_shipping", "issue_refund"]
    assert sent["body"]["model"] == "gpt-4o-mini"


@pytest.mark.parametrize("stream", [False, True])
async def test_answers_from_both_providers(models, stream):
    """Both answer calls return the model's text, plain or streamed."""
    history = [{"role": "user", "content": "How long does shipping take?"}]
    by_openai = await models.answer_openai("- facts", history, stream=stream)
    by_anthropic = await models.answer_anthropic("- facts", history, stream=stream)
    assert "How long does shipping take?" in by_openai.text and by_openai.provider == "openai"
    assert "How long does shipping take?" in by_anthropic.text and by_anthropic.model == "claude-haiku-4-5"


async def test_scenario_header_reaches_the_provider_and_errors_surface(models, fake_provider):
    """A requested scenario is sent as x-fake-scenario; provider errors are raised, not retried."""
    with pytest.raises(openai.RateLimitError):
        await models.answer_openai("- facts", [{"role": "user", "content": "hi"}], scenario="error_429")
    with pytest.raises(anthropic.InternalServerError):
        await models.answer_anthropic("- facts", [{"role": "user", "content": "hi"}], scenario="error_500")
    sent = fake_provider.requests
    assert len(sent) == 2  # no SDK retries
    assert {r["headers"].get("x-fake-scenario") for r in sent} == {"error_429", "error_500"}
