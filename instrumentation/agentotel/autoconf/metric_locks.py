"""New locks for the metrics SDK's state in a forked child.

The SDK renews its MeterProvider's own locks after fork, not those of the state below it: the
measurement consumer, each reader's storage and export lock, each view's match and each
aggregation. The periodic reader holds them while it collects and exports (every
``OTEL_METRIC_EXPORT_INTERVAL``), other threads while they record. A child forked at such a moment
would wait for that lock forever: on its first recording of the same series, or at its final
export. ``renew(meter_provider)`` replaces every one of them with a new lock of the same kind; it
runs in each forked child before any other code of the child does.
"""

from __future__ import annotations

import threading

_RLOCK = type(threading.RLock())


def renew(meter_provider) -> int:
    """Replace the locks of ``meter_provider``'s metric state; returns how many were replaced."""
    renewed = 0
    consumer = getattr(meter_provider, "_measurement_consumer", None)
    renewed += _renew(consumer, "_lock")
    for reader, storage in dict(getattr(consumer, "_reader_storages", None) or {}).items():
        renewed += _renew(reader, "_export_lock") + _renew(storage, "_lock")
        for matches in dict(getattr(storage, "_instrument_view_instrument_matches", None) or {}).values():
            for match in matches:
                renewed += _renew(match, "_lock")
                for aggregation in dict(getattr(match, "_attributes_aggregation", None) or {}).values():
                    renewed += _renew(aggregation, "_lock")
    for meter in dict(getattr(meter_provider, "_meters", None) or {}).values():
        renewed += _renew(meter, "_instrument_registration_lock")
    return renewed


def _renew(owner, name: str) -> int:
    lock = getattr(owner, name, None)
    if lock is None or not hasattr(lock, "acquire"):
        return 0
    setattr(owner, name, threading.RLock() if isinstance(lock, _RLOCK) else threading.Lock())
    return 1
