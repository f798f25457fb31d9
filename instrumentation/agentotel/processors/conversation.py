"""``ConversationStamper``: the conversation scope on every span another instrumentation starts.

It copies the conversation attributes that the context's baggage carries (``gen_ai.conversation.id``,
``user.id``, ``agentotel.tenant.id``) onto each span as it starts: FastAPI server spans, HTTP client
spans, database spans. agentotel's own spans are stamped by the emitter and left alone. Never raises.
"""

from __future__ import annotations

from opentelemetry.sdk.trace import Span, SpanProcessor

from ..core import guard
from ..core.scope import conversation_attributes

#: The instrumentation scope of agentotel's own spans.
OWN_SCOPE = "agentotel"


class ConversationStamper(SpanProcessor):
    """Stamps ``gen_ai.conversation.id``, ``user.id`` and ``agentotel.tenant.id`` from baggage."""

    def on_start(self, span: Span, parent_context=None) -> None:
        try:
            scope = span.instrumentation_scope
            if scope is not None and scope.name == OWN_SCOPE:
                return  # the emitter stamps its own spans
            attributes = conversation_attributes(parent_context)
            if attributes:
                span.set_attributes(attributes)
        except Exception as exc:  # noqa: BLE001
            guard.report("conversation_stamper", exc)
