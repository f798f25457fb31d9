"""Business signals of a conversation: its start, intent, first response, outcome and feedback.

These are what the support teams' dashboards are made of: automation, resolution and escalation
rates, first-response and resolution time, CSAT, cost per conversation. Metric labels stay
low-cardinality: agent, tenant, channel, intent, outcome, reason — never the conversation id, which
goes on spans and events only. Intents are bounded (``labels.BoundedValues``), channels a closed set.
"""

from __future__ import annotations

import time
from typing import Any

from opentelemetry import trace

from ..semconv import agentotel_names
from ..semconv import genai
from .conversations import ConversationState
from .evaluations import record as record_evaluation
from .labels import channel as channel_label
from .scope import conversation_attributes, current_agent


class ConversationSignals:
    def __init__(self, emitter):
        self.emitter = emitter
        self.names = emitter.names
        self.ins = emitter.instruments
        self.tracker = emitter.conversations

    def _labels(self, state: ConversationState, **extra) -> dict[str, Any]:
        labels = {k: v for k, v in extra.items() if v is not None}
        if state.agent:
            labels[self.names.GEN_AI_AGENT_NAME] = state.agent
        if state.tenant:
            labels[agentotel_names.TENANT_ID] = state.tenant
        if state.channel:
            labels[agentotel_names.CONVERSATION_CHANNEL] = channel_label(state.channel)
        return labels

    def intent_label(self, intent: str | None) -> str:
        """The intent as a metric label: bounded, ``unknown`` when none was set."""
        return self.emitter.labels(agentotel_names.CONVERSATION_INTENT, intent) if intent else agentotel_names.UNKNOWN

    def _settle_expired(self) -> None:
        for _, state in self.tracker.drain_expired():
            self._record_end(state, agentotel_names.OUTCOME_ABANDONED, None)

    def start(self, conversation_id: str, agent: str | None, tenant: str | None,
              channel: str | None = None) -> ConversationState:
        state, created = self.tracker.touch(conversation_id, agent=agent, tenant=tenant, channel=channel)
        if created:
            self.ins.active.add(1, self._labels(state))
        self._settle_expired()
        return state

    def set_intent(self, conversation_id: str, intent: str) -> None:
        state, _ = self.tracker.touch(conversation_id)
        state.intent = intent
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attribute(agentotel_names.CONVERSATION_INTENT, intent)

    def first_response(self, conversation_id: str) -> None:
        state, _ = self.tracker.touch(conversation_id)
        if state.first_response_recorded:
            return
        state.first_response_recorded = True
        self.ins.first_response.record(time.monotonic() - state.started_at, self._labels(state))

    def end(self, conversation_id: str, outcome: str, reason: str | None = None, intent: str | None = None) -> None:
        if outcome not in agentotel_names.OUTCOMES:
            raise ValueError(f"outcome must be one of {agentotel_names.OUTCOMES}, not {outcome!r}")
        state = self.tracker.pop(conversation_id)
        if state is None:  # outcome of a conversation this process never saw start
            state = ConversationState(started_at=time.monotonic(), last_seen=time.monotonic())
            scope = self._scope()
            state.agent, state.tenant = scope.get("agent"), scope.get("tenant")
            state.channel = scope.get("channel")
            self.ins.active.add(1, self._labels(state))
        if intent:
            state.intent = intent
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attribute(agentotel_names.CONVERSATION_OUTCOME, outcome)
            if reason:
                span.set_attribute(agentotel_names.ESCALATION_REASON, reason)
            if state.intent:
                span.set_attribute(agentotel_names.CONVERSATION_INTENT, state.intent)
        self._record_end(state, outcome, reason)

    def _scope(self) -> dict[str, str | None]:
        conv = conversation_attributes()
        return {"agent": current_agent(), "tenant": conv.get(agentotel_names.TENANT_ID), "channel": conv.get(agentotel_names.CONVERSATION_CHANNEL)}

    def _record_end(self, state: ConversationState, outcome: str, reason: str | None) -> None:
        ins = self.ins
        base = self._labels(state)
        ins.active.add(-1, base)
        intent = self.intent_label(state.intent)
        ins.conversations.add(1, {**base, agentotel_names.CONVERSATION_OUTCOME: outcome, agentotel_names.CONVERSATION_INTENT: intent})
        if outcome == agentotel_names.OUTCOME_ESCALATED:
            ins.escalations.add(1, {**base, agentotel_names.ESCALATION_REASON: reason or "unspecified",
                                    agentotel_names.CONVERSATION_INTENT: intent})
        with_outcome = {**base, agentotel_names.CONVERSATION_OUTCOME: outcome, agentotel_names.CONVERSATION_INTENT: intent}
        # An abandoned conversation ended when it was last seen; the others end now.
        ended_at = state.last_seen if outcome == agentotel_names.OUTCOME_ABANDONED else time.monotonic()
        ins.conversation_duration.record(ended_at - state.started_at, with_outcome)
        ins.conversation_cost.record(state.cost, with_outcome)
        ins.conversation_tokens.record(state.tokens, with_outcome)

    def scope_conversation_id(self) -> str | None:
        """The conversation id of the current scope (W3C baggage), if any."""
        return conversation_attributes().get(genai.GEN_AI_CONVERSATION_ID)

    def context_labels(self, conversation_id: str | None) -> tuple[dict[str, Any], ConversationState | None]:
        """Agent, tenant, channel and intent labels of a conversation (tracked or from the current
        scope), for signals recorded about it: feedback, evaluations."""
        state = self.tracker.find(conversation_id) if conversation_id else None
        scope = self._scope()
        labels: dict[str, Any] = {}
        agent = (state.agent if state else None) or scope["agent"]
        tenant = (state.tenant if state else None) or scope["tenant"]
        channel = (state.channel if state else None) or scope["channel"]
        if agent:
            labels[self.names.GEN_AI_AGENT_NAME] = agent
        if tenant:
            labels[agentotel_names.TENANT_ID] = tenant
        if channel:
            labels[agentotel_names.CONVERSATION_CHANNEL] = channel_label(channel)
        labels[agentotel_names.CONVERSATION_INTENT] = self.intent_label(state.intent if state else None)
        return labels, state

    def feedback(self, conversation_id: str | None, score: float, comment: str | None = None,
                 scale_max: float = 5, label: str | None = None) -> None:
        """CSAT: the feedback histogram, and the ``csat`` evaluation (event and evaluation metrics)."""
        labels, _ = self.context_labels(conversation_id)
        self.ins.feedback.record(score, labels)
        if label is None:
            label = "positive" if score >= 0.8 * scale_max else "negative" if score <= 0.4 * scale_max else "neutral"
        record_evaluation(self, agentotel_names.EVALUATION_CSAT, float(score), label, comment, conversation_id=conversation_id,
                          labels=labels)
