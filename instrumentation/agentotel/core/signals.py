"""Business signals of a conversation: its start, intent, first response, outcome and feedback.

These are what the support teams' dashboards are made of: automation, resolution and escalation
rates, first-response and resolution time, CSAT, cost per conversation. Metric labels stay
low-cardinality: agent, tenant, intent, outcome, reason — never the conversation id, which goes on
spans and events only.
"""

from __future__ import annotations

import time
from typing import Any

from opentelemetry import trace

from ..semconv import agentotel_names as A
from ..semconv import genai as G
from .conversations import ConversationState
from .scope import conversation_attributes, current_agent


class ConversationSignals:
    def __init__(self, emitter):
        self.e = emitter
        self.n = emitter.n
        self.ins = emitter.instruments
        self.tracker = emitter.conversations

    def _labels(self, state: ConversationState, **extra) -> dict[str, Any]:
        labels = {k: v for k, v in extra.items() if v is not None}
        if state.agent:
            labels[self.n.GEN_AI_AGENT_NAME] = state.agent
        if state.tenant:
            labels[A.TENANT_ID] = state.tenant
        return labels

    def _settle_expired(self) -> None:
        for _, state in self.tracker.drain_expired():
            self._record_end(state, A.OUTCOME_ABANDONED, None)

    def start(self, conversation_id: str, agent: str | None, tenant: str | None) -> ConversationState:
        state, created = self.tracker.touch(conversation_id, agent=agent, tenant=tenant)
        if created:
            self.ins.active.add(1, self._labels(state))
        self._settle_expired()
        return state

    def set_intent(self, conversation_id: str, intent: str) -> None:
        state, _ = self.tracker.touch(conversation_id)
        state.intent = intent
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attribute(A.CONVERSATION_INTENT, intent)

    def first_response(self, conversation_id: str) -> None:
        state, _ = self.tracker.touch(conversation_id)
        if state.first_response_recorded:
            return
        state.first_response_recorded = True
        self.ins.first_response.record(time.monotonic() - state.started_at, self._labels(state))

    def end(self, conversation_id: str, outcome: str, reason: str | None = None, intent: str | None = None) -> None:
        if outcome not in A.OUTCOMES:
            raise ValueError(f"outcome must be one of {A.OUTCOMES}, not {outcome!r}")
        state = self.tracker.pop(conversation_id)
        if state is None:  # outcome of a conversation this process never saw start
            state = ConversationState(started_at=time.monotonic(), last_seen=time.monotonic())
            scope = self._scope()
            state.agent, state.tenant = scope.get("agent"), scope.get("tenant")
            self.ins.active.add(1, self._labels(state))
        if intent:
            state.intent = intent
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attribute(A.CONVERSATION_OUTCOME, outcome)
            if reason:
                span.set_attribute(A.ESCALATION_REASON, reason)
            if state.intent:
                span.set_attribute(A.CONVERSATION_INTENT, state.intent)
        self._record_end(state, outcome, reason)

    def _scope(self) -> dict[str, str | None]:
        conv = conversation_attributes()
        return {"agent": current_agent(), "tenant": conv.get(A.TENANT_ID)}

    def _record_end(self, state: ConversationState, outcome: str, reason: str | None) -> None:
        ins = self.ins
        base = self._labels(state)
        ins.active.add(-1, base)
        ins.conversations.add(1, {**base, A.CONVERSATION_OUTCOME: outcome, A.CONVERSATION_INTENT: state.intent or "unknown"})
        if outcome == A.OUTCOME_ESCALATED:
            ins.escalations.add(1, {**base, A.ESCALATION_REASON: reason or "unspecified",
                                    A.CONVERSATION_INTENT: state.intent or "unknown"})
        with_outcome = {**base, A.CONVERSATION_OUTCOME: outcome}
        # An abandoned conversation ended when it was last seen; the others end now.
        ended_at = state.last_seen if outcome == A.OUTCOME_ABANDONED else time.monotonic()
        ins.conversation_duration.record(ended_at - state.started_at, with_outcome)
        ins.conversation_cost.record(state.cost, with_outcome)
        ins.conversation_tokens.record(state.tokens, with_outcome)

    def feedback(self, conversation_id: str | None, score: float, comment: str | None = None,
                 scale_max: float = 5, label: str | None = None) -> None:
        state = self.tracker.find(conversation_id) if conversation_id else None
        scope = self._scope()
        labels: dict[str, Any] = {}
        agent = (state.agent if state else None) or scope["agent"]
        tenant = (state.tenant if state else None) or scope["tenant"]
        if agent:
            labels[self.n.GEN_AI_AGENT_NAME] = agent
        if tenant:
            labels[A.TENANT_ID] = tenant
        labels[A.CONVERSATION_INTENT] = (state.intent if state else None) or "unknown"
        self.ins.feedback.record(score, labels)
        n = self.n
        if label is None:
            label = "positive" if score >= 0.8 * scale_max else "negative" if score <= 0.4 * scale_max else "neutral"
        attributes: dict[str, Any] = {
            n.GEN_AI_EVALUATION_NAME: "csat",
            n.GEN_AI_EVALUATION_SCORE_VALUE: float(score),
            n.GEN_AI_EVALUATION_SCORE_LABEL: label,
        }
        if conversation_id:
            attributes[G.GEN_AI_CONVERSATION_ID] = conversation_id
        if comment and self.e.settings.capture_any_content:
            attributes[n.GEN_AI_EVALUATION_EXPLANATION] = self.e.serialize(comment)
        span = trace.get_current_span()
        if span.is_recording():
            span.add_event(n.EVENT_EVALUATION_RESULT, attributes)
        self.e.event_logger.emit(event_name=n.EVENT_EVALUATION_RESULT, attributes=attributes, body=None)
