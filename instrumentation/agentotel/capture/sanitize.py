"""Keeping API keys out of exported spans, including the spans of other instrumentations.

agentotel's own LLM spans never record headers or URLs. Other instrumentations may: the
OpenTelemetry httpx instrumentation puts the full URL (``url.full``, with its query string, where
the Gemini API accepts ``?key=``) on its HTTP client spans, and records request headers named in
``OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST`` (``Authorization``, ``x-api-key``...)
unless they are also listed in ``OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS``.

``SecretScrubber`` is a span processor that replaces those values with ``REDACTED``: in ``on_start``
through the span API (what an instrumentation sets when it starts its span), and again in ``on_end``
for what was set later and for span events (an exception message that quotes a URL). Add it to the
``TracerProvider`` before the exporting processor.
"""

from __future__ import annotations

import re
from typing import Any

from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor

from ..core import guard
from ..core.scope import CONVERSATION_KEYS

REDACTED = "REDACTED"
_OWN_SCOPE = "agentotel"
#: Request and response headers that carry credentials.
SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie", "set-cookie",
})
_HEADER_PREFIXES = ("http.request.header.", "http.response.header.")
_SECRET_HEADER_KEYS = frozenset(prefix + name.replace("-", sep) for prefix in _HEADER_PREFIXES
                                for name in SECRET_HEADERS for sep in ("-", "_"))
#: Attributes that hold a URL or a query string.
URL_ATTRIBUTES = ("url.full", "url.query", "http.url", "http.target", "url.original")
#: Every attribute key that may hold a secret: most spans have none, and are let through at once.
_SENSITIVE_KEYS = frozenset(URL_ATTRIBUTES) | _SECRET_HEADER_KEYS
#: Query parameters that carry credentials (``?key=`` is the Gemini API's).
_SECRET_QUERY = re.compile(r"(?i)((?:^|[?&;])(?:key|api[-_]?key|x-goog-api-key|access_token|token)=)[^&#;\s'\"]*")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")


def scrub_text(value: str) -> str:
    """``value`` with secret query parameters and bearer tokens replaced."""
    if "=" in value:
        value = _SECRET_QUERY.sub(r"\1" + REDACTED, value)
    if "earer" in value:
        value = _BEARER.sub(r"\1" + REDACTED, value)
    return value


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, (tuple, list)):
        return type(value)(scrub_text(v) if isinstance(v, str) else v for v in value)
    return value


def scrubbed(attributes) -> dict[str, Any] | None:
    """The attributes that need new values, or None when nothing in ``attributes`` is secret."""
    if not attributes or _SENSITIVE_KEYS.isdisjoint(attributes):
        return None
    changes: dict[str, Any] = {}
    for key in URL_ATTRIBUTES:
        value = attributes.get(key)
        if value is not None:
            clean = _scrub_value(value)
            if clean != value:
                changes[key] = clean
    for key, value in attributes.items():
        if key in _SECRET_HEADER_KEYS and value not in (REDACTED, [REDACTED], (REDACTED,)):
            changes[key] = (REDACTED,) if isinstance(value, (tuple, list)) else REDACTED
    return changes or None


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


def _scrubbed_event(event: Event) -> Event | None:
    attributes = event.attributes
    if not attributes:
        return None
    changes = {}
    for key, value in attributes.items():
        clean = _scrub_value(value)
        if clean != value:
            changes[key] = clean
    if not changes:
        return None
    return Event(event.name, {**attributes, **changes}, event.timestamp)


class SecretScrubber(SpanProcessor):
    """Replaces credentials in span attributes and events with ``REDACTED`` before export."""

    def on_start(self, span: Span, parent_context=None) -> None:
        try:
            scope = span.instrumentation_scope
            if scope is not None and scope.name == _OWN_SCOPE:
                return  # agentotel starts its spans with names and models only; on_end scrubs them
            changes = scrubbed(span.attributes)
            if changes:
                span.set_attributes(changes)
        except Exception as exc:  # noqa: BLE001
            guard.report("secret_scrubber", exc)

    def on_end(self, span: ReadableSpan) -> None:
        try:
            changes = scrubbed(span.attributes)
            if changes:
                old = span._attributes  # noqa: SLF001 - an ended span's attributes are read-only
                fresh = BoundedAttributes(getattr(old, "maxlen", None), {**old, **changes}, immutable=True,
                                          max_value_len=getattr(old, "max_value_len", None))
                span._attributes = fresh  # noqa: SLF001
            if span.events:
                events = [_scrubbed_event(e) or e for e in span.events]
                if any(new is not old for new, old in zip(events, span.events)):
                    span._events = tuple(events)  # noqa: SLF001
        except Exception as exc:  # noqa: BLE001
            guard.report("secret_scrubber", exc)
