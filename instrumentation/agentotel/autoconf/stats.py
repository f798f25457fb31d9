"""What the export pipeline dropped, by signal and reason.

Every exporting pipeline (one per exporter and signal) keeps a ``Ledger``: items accepted for
export, items the exporter delivered, and items dropped — because the queue was full
(``queue_full``), the exporter gave up on them (``export_failed``), or the process stopped before
they were sent (``shutdown``). ``dropped()`` sums the ledgers; ``register_dropped_metric`` reports
the same numbers as the ``agentotel.telemetry.dropped`` counter, so a dashboard shows telemetry
loss as soon as the collector can be reached again.
"""

from __future__ import annotations

import sys
import threading

from opentelemetry.metrics import CallbackOptions, MeterProvider, Observation

from ..core import forks
from ..semconv import agentotel_names
from ..version import __version__

SIGNALS = ("traces", "metrics", "logs")
QUEUE_FULL = "queue_full"
EXPORT_FAILED = "export_failed"
SHUTDOWN = "shutdown"
REASONS = (QUEUE_FULL, EXPORT_FAILED, SHUTDOWN)
# Metrics are aggregated in place, not queued: they are lost only by export or at shutdown.
_METRIC_PAIRS = tuple((signal, reason) for signal in SIGNALS for reason in REASONS
                      if not (signal == "metrics" and reason == QUEUE_FULL))


class Ledger:
    """Counts of one pipeline. Thread-safe; the counters only grow.

    ``accepted`` counts items handed to the pipeline, ``in_flight`` those inside an exporter call.
    Once ``settle`` has run (at shutdown), whatever is still unaccounted for is a ``shutdown`` drop
    and late results of abandoned exports no longer change the counts.
    """

    def __init__(self, signal: str):
        if signal not in SIGNALS:
            raise ValueError(f"signal must be one of {SIGNALS}, not {signal!r}")
        self.signal = signal
        self.accepted = 0
        self.exported = 0
        self.in_flight = 0
        self.dropped = dict.fromkeys(REASONS, 0)
        self.settled = False
        self._lock = threading.Lock()
        forks.renew_in_child(self)
        forks.call_in_child(self, "restart")

    def restart(self) -> None:
        """Start again from zero (a forked child: what the parent accepted is the parent's to report)."""
        with self._lock:
            self.accepted = self.exported = self.in_flight = 0
            self.dropped = dict.fromkeys(REASONS, 0)

    def accept(self, count: int = 1) -> None:
        with self._lock:
            if self.settled:
                self.dropped[SHUTDOWN] += count
            else:
                self.accepted += count

    def drop(self, reason: str, count: int = 1) -> None:
        with self._lock:
            if not self.settled:
                self.dropped[reason] += count

    def start_export(self, count: int) -> None:
        with self._lock:
            self.in_flight += count

    def finish_export(self, count: int, delivered: bool) -> None:
        with self._lock:
            self.in_flight -= count
            if self.settled:
                return
            if delivered:
                self.exported += count
            else:
                self.dropped[EXPORT_FAILED] += count

    def unresolved(self) -> int:
        """Items accepted but neither delivered nor dropped yet (queued or being exported)."""
        with self._lock:
            return self.accepted - self.exported - sum(self.dropped.values())

    def settle(self) -> int:
        """Count everything still unresolved as dropped at shutdown; returns that number. Idempotent."""
        with self._lock:
            if self.settled:
                return 0
            self.settled = True
            lost = max(self.accepted - self.exported - sum(self.dropped.values()), 0)
            self.dropped[SHUTDOWN] += lost
            return lost

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.dropped)


_registry_lock = threading.Lock()
forks.renew_in_child(sys.modules[__name__], "_registry_lock")
_ledgers: list[Ledger] = []


def new_ledger(signal: str) -> Ledger:
    """A ledger for a new pipeline, included in ``dropped()`` from now on."""
    ledger = Ledger(signal)
    with _registry_lock:
        _ledgers.append(ledger)
    return ledger


def ledgers() -> list[Ledger]:
    with _registry_lock:
        return list(_ledgers)


def dropped() -> dict[str, dict[str, int]]:
    """Telemetry items dropped so far: ``{signal: {reason: count}}`` for every signal and reason."""
    totals = {signal: dict.fromkeys(REASONS, 0) for signal in SIGNALS}
    for ledger in ledgers():
        for reason, count in ledger.snapshot().items():
            totals[ledger.signal][reason] += count
    return totals


def total_dropped() -> int:
    return sum(sum(reasons.values()) for reasons in dropped().values())


def reset() -> None:
    """Forget every ledger (tests)."""
    with _registry_lock:
        _ledgers.clear()


def _observe(_options: CallbackOptions):
    counts = dropped()
    return [Observation(counts[signal][reason], {agentotel_names.SIGNAL: signal, agentotel_names.DROP_REASON: reason})
            for signal, reason in _METRIC_PAIRS]


def register_dropped_metric(meter_provider: MeterProvider) -> None:
    """Report ``dropped()`` as the ``agentotel.telemetry.dropped`` counter of ``meter_provider``.

    Every signal/reason pair that can occur is reported from the start, zero included, so that
    the first drop shows up as an increase rather than as a new series.
    """
    name, unit, description = agentotel_names.METRIC_TELEMETRY_DROPPED
    meter = meter_provider.get_meter("agentotel", __version__)
    meter.create_observable_counter(name, callbacks=[_observe], unit=unit, description=description)
