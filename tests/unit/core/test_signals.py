"""Business signals: outcomes, escalations, first response, feedback and abandonment."""

from __future__ import annotations

import pytest

import agentotel
from agentotel.core.conversations import ConversationTracker


def by(points, *keys):
    return {tuple(a.get(k) for k in keys): p for a, p in points}


def test_outcomes_and_escalation_reasons(telemetry):
    """Resolved, escalated (with reason) and abandoned conversations are counted by outcome and intent."""
    for cid, outcome, reason in (("c1", "resolved", None), ("c2", "escalated", "legal"), ("c3", "abandoned", None)):
        with agentotel.conversation(cid, tenant="acme", agent="support") as conv:
            conv.set_intent("refund")
        agentotel.record_outcome(cid, outcome, reason=reason)
    counted = by(telemetry.points("agentotel.conversations"), "agentotel.conversation.outcome", "agentotel.conversation.intent")
    assert {k: p.value for k, p in counted.items()} == {
        ("resolved", "refund"): 1, ("escalated", "refund"): 1, ("abandoned", "refund"): 1}
    (attrs, point), = telemetry.points("agentotel.conversation.escalations")
    assert attrs["agentotel.escalation.reason"] == "legal" and point.value == 1
    for attrs, _ in telemetry.points("agentotel.conversations"):
        assert "gen_ai.conversation.id" not in attrs  # never a metric label
    (_, active), = telemetry.points("agentotel.conversation.active")
    assert active.value == 0


def test_first_response_counts_once(telemetry):
    """Only the first response of a conversation is recorded."""
    with agentotel.conversation("c1", agent="support") as conv:
        conv.first_response()
        conv.first_response()
    (_, point), = telemetry.points("agentotel.conversation.first_response.duration")
    assert point.count == 1


def test_cost_per_conversation(telemetry):
    """A conversation's outcome records the cost and tokens of all its LLM calls."""
    for _ in range(2):  # two requests of the same conversation
        with agentotel.conversation("c9", agent="support"):
            with agentotel.llm_call("gpt-4o", provider="openai") as call:
                call.usage = agentotel.Usage(1_000_000, 0)
    agentotel.record_outcome("c9", "resolved")
    (_, cost), = telemetry.points("agentotel.conversation.cost")
    (_, tokens), = telemetry.points("agentotel.conversation.tokens")
    assert cost.sum == pytest.approx(5.00) and tokens.sum == 2_000_000


def test_feedback_metric_and_event(telemetry):
    """Feedback is a CSAT metric and a gen_ai.evaluation.result event on the current trace."""
    with agentotel.conversation("c1", tenant="acme", agent="support"):
        with agentotel.agent("support"):
            agentotel.record_feedback("c1", 2, comment="slow answer")
    (attrs, point), = telemetry.points("agentotel.feedback.score")
    assert point.sum == 2 and attrs["agentotel.tenant.id"] == "acme"
    span = telemetry.span("invoke_agent support")
    (event,) = [e for e in span.events if e.name == "gen_ai.evaluation.result"]
    assert event.attributes["gen_ai.evaluation.score.value"] == 2.0
    assert event.attributes["gen_ai.evaluation.score.label"] == "negative"
    assert "gen_ai.evaluation.explanation" not in event.attributes  # comment is content: off by default
    (log,) = [r for r in telemetry.logs() if r.event_name == "gen_ai.evaluation.result"]
    assert log.trace_id == span.context.trace_id


def test_invalid_outcome_is_contained(telemetry):
    """A wrong outcome never raises into the app; it is counted as an internal error."""
    before = agentotel.internal_error_counts().get("conversation", 0)
    agentotel.record_outcome("c1", "maybe")
    assert agentotel.internal_error_counts()["conversation"] == before + 1


def test_idle_conversations_expire_as_abandoned():
    """A conversation idle past the timeout is handed back to be counted as abandoned."""
    now = [0.0]
    tracker = ConversationTracker(capacity=10, idle_timeout=60, clock=lambda: now[0])
    tracker.touch("old")
    now[0] = 120
    tracker.touch("new")
    assert [cid for cid, _ in tracker.drain_expired()] == ["old"]
    assert len(tracker) == 1


def test_capacity_bounds_memory():
    """The tracker never holds more conversations than its capacity."""
    tracker = ConversationTracker(capacity=3)
    for i in range(10):
        tracker.touch(f"c{i}")
    assert len(tracker) == 3 and len(tracker.drain_expired()) == 7


def test_channel_and_intent_on_conversation_metrics(telemetry):
    """The channel rides the conversation scope onto spans and its metrics; cost, tokens and escalations
    are split by intent; an unknown channel is `other` on metrics."""
    with agentotel.conversation("c1", tenant="acme", agent="support", channel="voice") as conv:
        conv.set_intent("refund")
        with agentotel.llm_call("gpt-4o", provider="openai") as call:
            call.usage = agentotel.Usage(1000, 0)
    agentotel.record_outcome("c1", "escalated", reason="legal")
    with agentotel.conversation("c2", agent="support", channel="pigeon") as conv:
        conv.set_intent("faq")
    agentotel.record_outcome("c2", "resolved")
    assert telemetry.span("chat gpt-4o").attributes["agentotel.conversation.channel"] == "voice"
    costs = {(a["agentotel.conversation.intent"], a["agentotel.conversation.channel"]): p
             for a, p in telemetry.points("agentotel.conversation.cost")}
    assert set(costs) == {("refund", "voice"), ("faq", "other")}
    assert costs[("refund", "voice")].sum > 0
    tokens = {a["agentotel.conversation.intent"]: p.sum for a, p in telemetry.points("agentotel.conversation.tokens")}
    assert tokens == {"refund": 1000, "faq": 0}
    [(attrs, _)] = telemetry.points("agentotel.conversation.escalations")
    assert attrs["agentotel.conversation.intent"] == "refund" and attrs["agentotel.conversation.channel"] == "voice"


def test_intents_are_bounded(make_telemetry):
    """Intents past AGENTOTEL_MAX_LABEL_VALUES are `other` on metrics."""
    from agentotel.config import Settings

    telemetry = make_telemetry(Settings(max_label_values=1))
    for cid, intent in (("a", "refund"), ("b", "faq"), ("c", "refund")):
        agentotel.set_intent(cid, intent)
        agentotel.record_outcome(cid, "resolved")
    counted = {a["agentotel.conversation.intent"]: p.value for a, p in telemetry.points("agentotel.conversations")}
    assert counted == {"refund": 2, "other": 1}
