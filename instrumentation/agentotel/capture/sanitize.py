"""Keeping the conversation scope out of captured requests.

The conversation scope (``gen_ai.conversation.id``, ``user.id``, ``agentotel.tenant.id``) travels in
W3C baggage inside the process; it is not sent to an LLM provider. Credentials in what is exported
are the span and log processors' work (``agentotel.processors.secrets``).
"""

from __future__ import annotations

from ..core.scope import CONVERSATION_KEYS


def drop_conversation_baggage(headers) -> None:
    """Take the conversation scope (``gen_ai.conversation.id``, ``user.id``, ``agentotel.tenant.id``)
    out of a request's W3C ``baggage`` header, in place; other entries stay. For the SDKs that
    inject trace headers themselves before sending (the ``anthropic`` SDK)."""
    value = headers.get("baggage")
    if not value:
        return
    items = value.split(",")
    kept = [item.strip() for item in items if item.split("=", 1)[0].strip() not in CONVERSATION_KEYS]
    if len(kept) == len(items):
        return
    if kept:
        headers["baggage"] = ",".join(kept)
    else:
        del headers["baggage"]
