"""What the current context says about the conversation and the agent.

The conversation scope travels in W3C baggage (so it crosses process boundaries with the trace);
the current agent name is a context value set by the agent scope.
"""

from __future__ import annotations

from opentelemetry import baggage, context as otel_context

from ..semconv import agentotel_names as A
from ..semconv import genai as G

AGENT_KEY = otel_context.create_key("agentotel.agent.name")

# Baggage keys are the attribute names they become.
CONVERSATION_KEYS = (G.GEN_AI_CONVERSATION_ID, G.USER_ID, A.TENANT_ID)


def current_agent(ctx=None) -> str | None:
    return otel_context.get_value(AGENT_KEY, ctx)


def conversation_attributes(ctx=None) -> dict[str, str]:
    """The conversation attributes the context's baggage carries (empty when none)."""
    entries = baggage.get_all(ctx)
    if not entries:
        return {}
    return {key: str(entries[key]) for key in CONVERSATION_KEYS if key in entries}
