"""Keeping API keys out of everything exported: spans and log records, whoever produced them.

agentotel's own LLM spans never record headers or URLs. Other code may put credentials anywhere: the
OpenTelemetry httpx instrumentation puts the full URL (``url.full``, with its query string, where
the Gemini API accepts ``?key=``) on its HTTP client spans and records request headers named in
``OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST`` (``Authorization``, ``x-api-key``...);
a provider's 401 body may echo the key into the SDK's exception, and from there into a span's
status, its ``exception`` event and a ``logging.exception`` record; httpx logs each request's URL.

``SecretScrubber`` is a span processor that replaces credentials (``agentotel.credentials``: provider
keys, bearer tokens, key-bearing query strings, Azure-style keys after a key word) with ``REDACTED``
in every string attribute, the status description and every event's attributes, and replaces the
values of credential headers whole: in ``on_start`` through the span API for URL and header
attributes (what an instrumentation sets when it starts its span), and in ``on_end`` for all of it.
Add it to the ``TracerProvider`` before the exporting processor. ``LogScrubber`` does the same for
log records' bodies and attributes; add it to the ``LoggerProvider`` before the exporting processor.
Values longer than ``credentials.MAX_SCANNED_LENGTH`` are cut to it before they are scanned.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk._logs import LogRecordProcessor
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import Status

from .. import credentials
from ..core import guard

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


def scrub_text(value: str) -> str:
    """``value`` with credentials replaced (and cut to ``credentials.MAX_SCANNED_LENGTH``)."""
    if len(value) <= credentials.MAX_SCANNED_LENGTH and not credentials.may_hold_secret(value):
        return value
    return credentials.scrub(value, REDACTED)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, (tuple, list)):
        return type(value)(scrub_text(v) if isinstance(v, str) else v for v in value)
    return value


def _scrub_any(value: Any) -> Any:
    """A log body or attribute value (``AnyValue``: strings, lists, mappings) with credentials replaced."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, (tuple, list)):
        return type(value)(_scrub_any(v) for v in value)
    if isinstance(value, dict):
        return {k: _scrub_any(v) for k, v in value.items()}
    return value


def _is_redacted(value: Any) -> bool:
    return value in (REDACTED, [REDACTED], (REDACTED,))


def scrubbed(attributes) -> dict[str, Any] | None:
    """The URL and credential-header attributes that need new values, or None when none does."""
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
        if key in _SECRET_HEADER_KEYS and not _is_redacted(value):
            changes[key] = (REDACTED,) if isinstance(value, (tuple, list)) else REDACTED
    return changes or None


def scrubbed_all(attributes) -> dict[str, Any] | None:
    """Every attribute that needs a new value (credential headers, and any value holding a
    credential), or None when none does."""
    if not attributes:
        return None
    if _SECRET_HEADER_KEYS.isdisjoint(attributes) and not credentials.may_hold_secret(_all_text(attributes)):
        return None  # most spans: one scan of all their text together finds no hint
    return _changes(attributes, _scrub_value, (str, tuple, list)) or None


def _all_text(attributes) -> str:
    """The string values of ``attributes`` (in sequences too), joined: one text to look for hints in."""
    parts = []
    for value in attributes.values():
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, (tuple, list)):
            parts.extend(v for v in value if isinstance(v, str))
    return "\n".join(parts)


def scrubbed_any(attributes) -> dict[str, Any] | None:
    """Like ``scrubbed_all``, for log attributes, whose values may also be mappings and nested lists."""
    return _changes(attributes, _scrub_any, (str, tuple, list, dict)) or None


def _changes(attributes, scrub, kinds: tuple[type, ...]) -> dict[str, Any]:
    """Redacted credential headers, and ``scrub(value)`` for values of ``kinds`` it changes."""
    changes: dict[str, Any] = {}
    for key, value in attributes.items():
        if key in _SECRET_HEADER_KEYS:
            if not _is_redacted(value):
                changes[key] = (REDACTED,) if isinstance(value, (tuple, list)) else REDACTED
            continue
        if isinstance(value, kinds):
            clean = scrub(value)
            if clean != value:
                changes[key] = clean
    return changes


def _scrubbed_event(event: Event) -> Event | None:
    changes = scrubbed_all(event.attributes)
    if not changes:
        return None
    return Event(event.name, {**event.attributes, **changes}, event.timestamp)


class SecretScrubber(SpanProcessor):
    """Replaces credentials in span attributes, status and events with ``REDACTED`` before export."""

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
            changes = scrubbed_all(span.attributes)
            if changes:
                old = span._attributes  # noqa: SLF001 - an ended span's attributes are read-only
                fresh = BoundedAttributes(getattr(old, "maxlen", None), {**old, **changes}, immutable=True,
                                          max_value_len=getattr(old, "max_value_len", None))
                span._attributes = fresh  # noqa: SLF001
            status = span.status
            if status is not None and status.description:
                description = scrub_text(status.description)
                if description != status.description:
                    span._status = Status(status.status_code, description)  # noqa: SLF001
            if span.events:
                events = [_scrubbed_event(e) or e for e in span.events]
                if any(new is not old for new, old in zip(events, span.events)):
                    span._events = tuple(events)  # noqa: SLF001
        except Exception as exc:  # noqa: BLE001
            guard.report("secret_scrubber", exc)


class LogScrubber(LogRecordProcessor):
    """Replaces credentials in log record bodies and attributes with ``REDACTED`` before export."""

    def on_emit(self, log_record) -> None:
        try:
            record = getattr(log_record, "log_record", log_record)
            body = record.body
            if body is not None:
                clean = _scrub_any(body)
                if clean != body:
                    record.body = clean
            attributes = record.attributes
            if attributes:
                changes = scrubbed_any(attributes)
                if changes:
                    try:
                        for key, value in changes.items():
                            attributes[key] = value
                    except TypeError:  # an immutable mapping: replace it
                        record.attributes = {**attributes, **changes}
        except Exception as exc:  # noqa: BLE001
            guard.report("secret_scrubber", exc)

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
