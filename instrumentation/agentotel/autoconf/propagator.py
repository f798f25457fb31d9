"""``agentotel_conversation``: the conversation scope from an app's own request headers.

Chat front-ends and API gateways usually send the conversation, user and tenant as plain headers
(``x-conversation-id``, ``x-user-id``, ``x-tenant-id`` by default; see
``AGENTOTEL_CONVERSATION_ID_HEADER`` and its siblings). On extraction this propagator copies them
into W3C baggage under the attribute names (``gen_ai.conversation.id``, ``user.id``,
``agentotel.tenant.id``), so the server instrumentation's extracted context carries them through
the whole request: the stamping span processor puts them on every span, and the W3C baggage
propagator forwards them on outgoing calls. A header wins over baggage that names the same key,
because the header is the app's own contract with its clients.

It injects nothing: downstream services receive the scope through W3C baggage, never as a copy of
headers that may be the app's private API.
"""

from __future__ import annotations

from opentelemetry import baggage
from opentelemetry.context import Context
from opentelemetry.propagators.textmap import (
    CarrierT,
    Getter,
    Setter,
    TextMapPropagator,
    default_getter,
    default_setter,
)

from ..config import settings
from ..core.scope import CONVERSATION_KEYS

#: Longest header value taken; longer values are cut (an id, not a payload).
MAX_VALUE_LENGTH = 256


def _clean(value: str) -> str:
    """Printable ASCII only, trimmed and bounded: the value becomes a span attribute and baggage."""
    value = "".join(ch for ch in value.strip() if " " <= ch <= "~")
    return value[:MAX_VALUE_LENGTH]


class ConversationHeaderPropagator(TextMapPropagator):
    """Extracts the conversation id, user id and tenant headers into baggage; injects nothing."""

    def __init__(self, headers: tuple[str, str, str] | None = None):
        if headers is None:
            current = settings()
            headers = (current.conversation_id_header, current.user_id_header, current.tenant_header)
        self._pairs = tuple((header.lower(), key) for header, key in zip(headers, CONVERSATION_KEYS) if header)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(header for header, _ in self._pairs)

    def extract(self, carrier: CarrierT, context: Context | None = None,
                getter: Getter[CarrierT] = default_getter) -> Context:
        ctx = context if context is not None else Context()
        for header, key in self._pairs:
            values = getter.get(carrier, header)
            if not values:
                continue
            value = _clean(values[0] if isinstance(values, (list, tuple)) else str(values))
            if value:
                ctx = baggage.set_baggage(key, value, context=ctx)
        return ctx

    def inject(self, carrier: CarrierT, context: Context | None = None,
               setter: Setter[CarrierT] = default_setter) -> None:
        return None

    @property
    def fields(self) -> set[str]:
        """Headers this propagator sets on injection: none."""
        return set()
