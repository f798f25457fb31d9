"""Containment of agentotel's own failures.

Telemetry must never raise into the app. Every entry point runs its telemetry work inside
``contained(component)``: an exception is swallowed, logged once per (component, exception type)
(``log_once``) and counted in the ``agentotel.internal.errors`` self-metric.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import Counter
from contextlib import contextmanager

from opentelemetry import metrics

from ..semconv import agentotel_names
from . import forks
from .log_once import warn_once
from ..version import __version__

_log = logging.getLogger("agentotel")
_lock = threading.Lock()
forks.renew_in_child(sys.modules[__name__])
_counts: Counter = Counter()
_counter = None


def _instrument():
    global _counter
    if _counter is None:
        name, unit, description = agentotel_names.METRIC_INTERNAL_ERRORS
        _counter = metrics.get_meter("agentotel", __version__).create_counter(name, unit=unit, description=description)
    return _counter


def report(component: str, exc: BaseException) -> None:
    """Count an internal error and log it the first time this kind is seen. Never raises."""
    try:
        with _lock:
            _counts[component] += 1
        warn_once(("internal-error", component, type(exc).__name__),
                  "internal error in %s (further ones are counted, not logged): %r", component, exc, exc_info=exc)
        _instrument().add(1, {agentotel_names.COMPONENT: component})
    except Exception:  # noqa: BLE001 - the last line of defence must not raise
        pass


@contextmanager
def contained(component: str):
    """Run a block of telemetry work; an exception in it is reported, not raised."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001
        report(component, exc)


def internal_error_counts() -> dict[str, int]:
    """Internal errors so far, by component."""
    with _lock:
        return dict(_counts)
