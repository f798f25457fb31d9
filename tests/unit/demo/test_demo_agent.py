"""One turn of the support agent: which steps run, their spans, and the conversation's signals."""

from __future__ import annotations

from dataclasses import dataclass, field

from opentelemetry.trace import StatusCode

import agentotel
from demo.support_agent import rules
from demo.support_agent.agent import Conversation, Scenarios, SupportAgent
from demo.support_agent.llm import Answer, Classification, ModelToolCall
from demo.support_agent.settings import Settings

SETTINGS = Settings(openai_base_url=None, anthropic_base_url=None, openai_api_key="k", anthropic_api_key="k",
                    refund_limit=150.0)


@dataclass
class FakeModels:
    """Stands in for the SDK calls: answers as told, fails where told, remembers what it was asked."""

    intent: str | None = None
    tool_calls: list[ModelToolCall] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)
    calls: list[tuple[str, str | None]] = field(default_factory=list)

    async def classify(self, message, scenario=None):
        self.calls.append(("classify", scenario))
        if "classify" in self.failing:
            raise RuntimeError("rate limited")
        return Classification(self.intent, list(self.tool_calls))

    async def _answer(self, provider, model, scenario):
        self.calls.append((provider, scenario))
        if provider in self.failing:
            raise ConnectionError("provider down")
        return Answer(f"answer from {model}", model, provider)

    async def answer_openai(self, facts, history, scenario=None, stream=False):
        return await self._answer("openai", "gpt-4.1-mini", scenario)

    async def answer_anthropic(self, facts, history, scenario=None, stream=False):
        return await self._answer("anthropic", "claude-haiku-4-5", scenario)


async def turn(models, message, conv=None, scenarios=Scenarios()):
    conv = conv or Conversation("c-1", user_id="u-1", tenant="acme")
    agent = SupportAgent(SETTINGS, models)
    with agentotel.conversation(conv.id, user_id=conv.user_id, tenant=conv.tenant, agent="support"):
        return await agent.turn(conv, message, scenarios), conv


def names(telemetry):
    return sorted(s.name for s in telemetry.spans())


async def test_order_question_runs_retrieval_and_tool_under_the_agent_span(telemetry):
    """An order question: retrieval and lookup_order spans are children of invoke_agent support, all in the conversation."""
    result, _ = await turn(FakeModels(), "Where is my order #48213?")
    assert result.intent == "order_status" and result.tools == ["lookup_order"] and not result.escalated
    assert result.model == "gpt-4.1-mini" and "order-tracking" in result.sources
    agent_span = telemetry.span("invoke_agent support")
    for name in ("retrieval faq", "execute_tool lookup_order"):
        child = telemetry.span(name)
        assert child.parent.span_id == agent_span.context.span_id
        assert child.attributes["gen_ai.conversation.id"] == "c-1"
        assert child.attributes["agentotel.tenant.id"] == "acme"
    assert agent_span.attributes["agentotel.conversation.intent"] == "order_status"


async def test_model_tool_calls_replace_the_intent_tools(telemetry):
    """Tools the model calls run (with their call id) instead of the tools the intent implies."""
    models = FakeModels(intent="order_status", tool_calls=[ModelToolCall("check_shipping", {"order_id": "4411"}, "call_7")])
    result, _ = await turn(models, "Where is my order #48213?", scenarios=Scenarios(classify="tool_call"))
    assert result.tools == ["check_shipping"]
    assert telemetry.span("execute_tool check_shipping").attributes["gen_ai.tool.call.id"] == "call_7"
    assert ("classify", "tool_call") in models.calls


async def test_refund_over_the_limit_escalates_before_refunding(telemetry):
    """A refund above the limit goes to a human: no issue_refund runs, the escalation reason is counted."""
    result, conv = await turn(FakeModels(), "Please refund $320 for order #2539")
    assert result.escalated and result.escalation_reason == rules.REASON_REFUND_OVER_LIMIT
    assert conv.outcome == "escalated"
    assert "execute_tool issue_refund" not in names(telemetry)
    (attrs, point), = telemetry.points("agentotel.conversation.escalations")
    assert attrs["agentotel.escalation.reason"] == "refund_over_limit" and point.value == 1


async def test_small_refund_is_issued(telemetry):
    """A refund within the limit runs issue_refund and is answered by the Anthropic model."""
    result, _ = await turn(FakeModels(), "I would like a refund of $12 for order #1234")
    assert result.tools == ["issue_refund"] and result.model == "claude-haiku-4-5" and not result.escalated


async def test_legal_threat_escalates_without_retrieval_or_answer(telemetry):
    """A legal threat is handed over at once: no retrieval, no tool, no answer call."""
    models = FakeModels()
    result, _ = await turn(models, "I will contact my lawyer about order #3372")
    assert result.escalated and result.escalation_reason == rules.REASON_LEGAL
    assert names(telemetry) == ["invoke_agent support"]
    assert [c for c, _ in models.calls] == ["classify"]


async def test_second_miss_in_a_row_escalates_low_confidence(telemetry):
    """Two questions in a row the FAQ cannot answer hand the conversation to a human."""
    conv = Conversation("c-2", tenant="globex")
    first, _ = await turn(FakeModels(), "Do you sell pizza?", conv)
    second, _ = await turn(FakeModels(), "Can you recommend a good movie?", conv)
    assert not first.escalated and first.reply
    assert second.escalated and second.escalation_reason == rules.REASON_LOW_CONFIDENCE


async def test_answer_falls_back_to_the_other_provider(telemetry):
    """When the first answer model fails, the other answers; the scenario goes to the first call only."""
    models = FakeModels(failing={"openai"})
    result, _ = await turn(models, "Where is my order #48213?", scenarios=Scenarios(answer="error_500"))
    assert result.model == "claude-haiku-4-5" and result.provider_errors == ["answer: ConnectionError"]
    assert models.calls[1:] == [("openai", "error_500"), ("anthropic", None)]


async def test_both_providers_failing_escalates_agent_error(telemetry):
    """With both answer models down the customer is handed to a human (agent_error)."""
    result, _ = await turn(FakeModels(failing={"openai", "anthropic"}), "How long does shipping take?")
    assert result.escalated and result.escalation_reason == rules.REASON_AGENT_ERROR
    assert len(result.provider_errors) == 2


async def test_classifier_failure_falls_back_to_keywords(telemetry):
    """When the intent model fails the keyword rules classify and the turn is still answered."""
    result, _ = await turn(FakeModels(failing={"classify"}), "How long does shipping take?")
    assert result.intent == "shipping" and result.reply and result.provider_errors == ["classify: RuntimeError"]


async def test_unknown_order_is_a_tool_error_the_turn_survives(telemetry):
    """A lookup of an order that does not exist fails its tool span; the agent still answers."""
    result, _ = await turn(FakeModels(), "Where is my order #95555?")
    assert result.tool_errors and result.reply and not result.escalated
    span = telemetry.span("execute_tool lookup_order")
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"]


async def test_intent_is_recorded_once_per_conversation(telemetry):
    """The conversation's intent is its first specific one; later turns do not relabel it."""
    conv = Conversation("c-3", tenant="acme")
    await turn(FakeModels(), "Where is my order #48213?", conv)
    await turn(FakeModels(), "Can I pay with PayPal?", conv)
    agentotel.record_outcome(conv.id, "resolved")
    (attrs, _), = telemetry.points("agentotel.conversations")
    assert attrs["agentotel.conversation.intent"] == "order_status"
