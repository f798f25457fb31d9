"""Bounded metric labels, and bad input said once.

A metric label whose values the app chooses (an intent, an evaluation label, a business event's
campaign) could grow without bound and with it the number of series. ``BoundedValues`` keeps the
first ``limit`` distinct values of each label and maps every later new one to ``other``; spans and
events keep the value as given.
"""

from __future__ import annotations

import threading

from ..semconv import agentotel_names
from .log_once import warn_once


class BoundedValues:
    """The values of each label seen so far, at most ``limit`` per label."""

    def __init__(self, limit: int):
        self.limit = limit
        self._seen: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def __call__(self, label: str, value) -> str:
        """``value`` as a label value: itself while the label has room, else ``other``."""
        value = str(value)
        seen = self._seen.get(label)
        if seen is not None and value in seen:
            return value
        with self._lock:
            seen = self._seen.setdefault(label, set())
            if value in seen:
                return value
            if len(seen) < self.limit:
                seen.add(value)
                return value
        warn_once(f"labels:{label}", "more than %d values of %s; further ones are recorded as %r on metrics "
                  "(AGENTOTEL_MAX_LABEL_VALUES)", self.limit, label, agentotel_names.OTHER)
        return agentotel_names.OTHER


def channel(value) -> str | None:
    """A conversation channel as a metric label: one of ``CHANNELS`` or ``other``."""
    if value is None:
        return None
    value = str(value).strip().lower()
    return value if value in agentotel_names.CHANNELS else agentotel_names.OTHER
