"""The support agent's rules: intent keywords, tone, order numbers, amounts and escalation."""

from __future__ import annotations

import pytest

from demo.support_agent import rules
from demo.support_agent.agent import Scenarios


@pytest.mark.parametrize("message, intent", [
    ("Where is my order #48213?", "order_status"),
    ("When will order 5521 be delivered?", "shipping"),
    ("I would like a refund of $12 for order #1234", "refund"),
    ("How do I return order #4411?", "return"),
    ("I was charged twice", "billing"),
    ("I forgot my password", "account"),
    ("Is the lamp available in brass?", "product"),
    ("I want to file a complaint about your terrible service.", "complaint"),
    ("I will contact my lawyer about order #3372", "legal"),
    ("Can I speak to a real person please?", "human"),
    ("What is the meaning of life?", "other"),
])
def test_keyword_intents(message, intent):
    """Keyword rules give each kind of message its intent, sharper intents before broad ones."""
    assert rules.classify(message) == intent


def test_model_intent_is_taken_only_when_it_is_a_known_label():
    """A model answer counts as an intent only if it names one of INTENTS (quotes/case ignored)."""
    assert rules.parse_intent(' "Order_Status". ') == "order_status"
    assert rules.parse_intent("order status") == "order_status"
    assert rules.parse_intent("Sure! The intent is refund.") is None
    assert rules.parse_intent(None) is None and rules.parse_intent("") is None


@pytest.mark.parametrize("message, angry", [
    ("WHERE IS MY ORDER?? THIS IS RIDICULOUS", True),
    ("Still nothing!!!", True),
    ("This is useless, I am fed up.", True),
    ("Where is my order? Thanks!", False),
    ("OK", False),
])
def test_angry_tone(message, angry):
    """Shouting, triple exclamation marks and angry words read as an angry customer."""
    assert rules.is_angry(message) is angry


def test_order_numbers_and_amounts():
    """Order numbers and money amounts are read from the usual ways of writing them."""
    assert rules.order_id("Where is my order #48213?") == "48213"
    assert rules.order_id("order number a1234 please") == "A1234"
    assert rules.order_id("status of order 5521") == "5521"
    assert rules.order_id("I have 3 questions") is None
    assert rules.amount("refund of $320 please") == 320.0
    assert rules.amount("refund 45.50 dollars") == 45.5
    assert rules.amount("EUR 19 back") == 19.0
    assert rules.amount("order #48213") is None


@pytest.mark.parametrize("intent, message, reason", [
    ("legal", "I will sue you", rules.REASON_LEGAL),
    ("complaint", "I want to complain", rules.REASON_COMPLAINT),
    ("order_status", "WHERE IS MY PARCEL, THIS IS A SCAM", rules.REASON_ANGRY),
    ("human", "a real person please", rules.REASON_HUMAN_REQUESTED),
    ("legal", "THIS IS RIDICULOUS, MY LAWYER WILL CALL", rules.REASON_LEGAL),  # legal wins over tone
])
def test_message_escalations(intent, message, reason):
    """Legal matters, anger, complaints and requests for a person go to a human with their reason."""
    escalation = rules.escalation_for_message(intent, message)
    assert escalation is not None and escalation.reason == reason and escalation.message


def test_ordinary_messages_do_not_escalate():
    """A calm order question stays with the agent."""
    assert rules.escalation_for_message("order_status", "Where is my order #1234?") is None


def test_refund_limit_and_repeated_misses():
    """Refunds above the limit and the second miss in a row escalate; below them nothing does."""
    assert rules.escalation_for_refund(150.01, 150).reason == rules.REASON_REFUND_OVER_LIMIT
    assert rules.escalation_for_refund(150, 150) is None
    assert rules.escalation_for_misses(rules.MAX_CONSECUTIVE_MISSES - 1) is None
    assert rules.escalation_for_misses(rules.MAX_CONSECUTIVE_MISSES).reason == rules.REASON_LOW_CONFIDENCE


def test_every_reason_has_a_handoff_message():
    """Each escalation reason has the message the customer sees."""
    for reason in rules.REASONS:
        assert rules.handoff(reason).message


def test_scenario_header():
    """The scenario header names the answer call's scenario, or one per step as step=scenario pairs."""
    assert Scenarios.parse(None) == Scenarios()
    assert Scenarios.parse("error_429") == Scenarios(answer="error_429")
    assert Scenarios.parse("classify=tool_call, answer=slow") == Scenarios(classify="tool_call", answer="slow")
    assert Scenarios.parse("classify=malformed") == Scenarios(classify="malformed")
