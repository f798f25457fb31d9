"""Business events: what an agent achieved for the business (a lead, a conversion, revenue).

``record`` adds one event to ``agentotel.business.events`` and its value to
``agentotel.business.value``, both labelled by the event's name and the attributes of
``BUSINESS_KEYS`` (campaign, channel, source...), plus agent and tenant from the current scope. The
keys are a closed set and their values bounded (``labels.BoundedValues``), so the series stay few;
an unknown key is dropped and said once. The current span gets an ``agentotel.business.event``
span event with every attribute as given.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from opentelemetry import trace

from ..semconv import agentotel_names
from .log_once import warn_once

SPAN_EVENT = "agentotel.business.event"


def record(signals, name: str, value=1, attributes: dict[str, Any] | None = None) -> None:
    if not isinstance(name, str) or not name.strip():
        warn_once("business-name", "a business event needs a name (a non-empty string), not %r; not recorded", name)
        return
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(float(value)) or value < 0:
        warn_once(f"business-value:{name}", "business event %r: value must be a number >= 0, not %r; counted "
                  "with value 1", name, value)
        value = 1
    emitter = signals.emitter
    labels: dict[str, Any] = {}
    scope = signals.context_labels(signals.scope_conversation_id())[0]
    for key in (emitter.names.GEN_AI_AGENT_NAME, agentotel_names.TENANT_ID):
        if key in scope:
            labels[key] = scope[key]
    event_attributes: dict[str, Any] = {agentotel_names.BUSINESS_EVENT_NAME: name, "agentotel.business.value": float(value)}
    for key, raw in (attributes or {}).items():
        if key not in agentotel_names.BUSINESS_KEYS:
            warn_once(f"business-key:{key}", "business event attribute %r is not one of %s; dropped", key,
                      ", ".join(agentotel_names.BUSINESS_KEYS))
            continue
        if raw is None:
            continue
        attribute = agentotel_names.BUSINESS_ATTRIBUTE_PREFIX + key
        event_attributes[attribute] = str(raw)
        labels[attribute] = emitter.labels(attribute, raw)
    labels[agentotel_names.BUSINESS_EVENT_NAME] = emitter.labels(agentotel_names.BUSINESS_EVENT_NAME, name)
    emitter.instruments.business_events.add(1, labels)
    emitter.instruments.business_value.add(float(value), labels)
    span = trace.get_current_span()
    if span.is_recording():
        span.add_event(SPAN_EVENT, event_attributes)
