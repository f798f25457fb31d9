"""What the current context says about the conversation and the agent.

The conversation scope travels in W3C baggage (so it crosses process boundaries with the trace);
the current agent name is a context value set by the agent scope.
"""

from __future__ import annotations

from opentelemetry import baggage, context as otel_context

from ..semconv import agentotel_names
from ..semconv import genai

AGENT_KEY = otel_context.create_key("agentotel.agent.name")
# The conversation attributes of a context whose baggage was withheld from an outgoing request.
_HELD_KEY = otel_context.create_key("agentotel.conversation.held")

# Baggage keys are the attribute names they become.
CONVERSATION_KEYS = (genai.GEN_AI_CONVERSATION_ID, genai.USER_ID, agentotel_names.TENANT_ID, agentotel_names.CONVERSATION_CHANNEL)


def current_agent(ctx=None) -> str | None:
    return otel_context.get_value(AGENT_KEY, ctx)


def conversation_attributes(ctx=None) -> dict[str, str]:
    """The conversation attributes the context's baggage carries (empty when none). Read only."""
    held = otel_context.get_value(_HELD_KEY, ctx)
    if held is not None:
        return held
    entries = baggage.get_all(ctx)
    if not entries:
        return {}
    return {key: str(entries[key]) for key in CONVERSATION_KEYS if key in entries}


def without_conversation(ctx=None):
    """``ctx`` (default: the current one) with the conversation scope taken out of its W3C baggage
    (other entries stay), so a request sent in it does not carry the scope; spans started in it
    are still stamped with it."""
    if ctx is None:
        ctx = otel_context.get_current()
    if otel_context.get_value(_HELD_KEY, ctx) is not None:
        return ctx
    held = conversation_attributes(ctx)
    if not held:
        return ctx
    for key in held:
        ctx = baggage.remove_baggage(key, ctx)
    return otel_context.set_value(_HELD_KEY, held, ctx)
