"""Running sums kept by agentotel and reported through an asynchronous counter.

Each point a synchronous counter records costs the OpenTelemetry SDK about as much as a histogram
point (validating the attributes, hashing them, finding the aggregation, the exemplar filter), and
an LLM call adds to the cost counter on every call. ``ObservedSum`` keeps the running total per
attribute set itself (one dict look-up and an addition) and the SDK reads the totals through an
``ObservableCounter`` when it collects: the same metric — a monotonic sum, with views, temporality
and the cardinality limit applied by the SDK as for any counter — for a tenth of the cost. What
it gives up is exemplars, which an observable instrument cannot carry.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry.metrics import CallbackOptions, Meter, Observation

from . import forks

from . import guard

#: Attribute sets kept per sum (the SDK's default cardinality limit); more go to one overflow set.
LIMIT = 2000
#: The attribute set of the points beyond the limit, as the SDK names it.
OVERFLOW = {"otel.metric.overflow": True}

_logger = logging.getLogger(__name__)


class ObservedSum:
    """A monotonic sum with ``Counter.add``'s signature (``context`` is ignored: no exemplars)."""

    def __init__(self, meter: Meter, name: str, unit: str = "", description: str = "", limit: int = LIMIT):
        self.name = name
        self._limit = limit
        self._sums: dict[Any, list] = {}  # frozenset of items -> [attributes, total]
        self._lock = threading.Lock()
        forks.renew_in_child(self)
        self._warned = False
        meter.create_observable_counter(name, callbacks=[self._observe], unit=unit, description=description)

    def add(self, amount: float, attributes: Mapping[str, Any] | None = None, context=None) -> None:
        if not (amount >= 0 and math.isfinite(amount)):  # what the SDK's counter refuses too
            if not self._warned:
                self._warned = True
                _logger.warning("agentotel: %s takes non-negative finite amounts only; %r dropped", self.name, amount)
            return
        try:
            key = frozenset(attributes.items()) if attributes else frozenset()
        except TypeError as exc:  # an unhashable value: a list attribute
            guard.report("metrics", exc)
            return
        sums = self._sums
        with self._lock:
            entry = sums.get(key)
            if entry is None:
                if len(sums) >= self._limit:
                    key = frozenset(OVERFLOW.items())
                    entry = sums.get(key)
                if entry is None:
                    entry = sums[key] = [dict(key), 0]
            entry[1] += amount

    def totals(self) -> list[tuple[dict[str, Any], float]]:
        """(attributes, total) of every attribute set so far."""
        with self._lock:
            return [(dict(attributes), total) for attributes, total in self._sums.values()]

    def _observe(self, options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(total, attributes) for attributes, total in self.totals()]
