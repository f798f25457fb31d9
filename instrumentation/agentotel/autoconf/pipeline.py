"""The three providers with counting, bounded exporting pipelines, and their bounded end.

``build_pipeline`` makes a TracerProvider (agentotel's span processors first, then one counting
batch processor per exporter), a MeterProvider (one bounded periodic reader per push exporter,
pull readers as given) and a LoggerProvider (one counting batch processor per exporter), plus the
``logging`` handler that exports the app's log records with their trace context.

Both first wait for the emitter's background worker (``core.deferral``), which may still hold the
end of recent operations, within the same time budget.

None of the providers registers the SDK's own exit handler (which may wait ~30 s for a collector
that does not answer). ``Pipeline.shutdown`` replaces it: traces and logs are flushed in parallel,
then metrics (so the final export carries the drop counts), all within ``shutdown_timeout``;
whatever is left is counted as dropped at ``shutdown`` and summed up in one warning. It runs at
exit, and on SIGTERM where SIGTERM would otherwise kill the process without running ``atexit``; a
SIGTERM that comes while it runs ends the process once it is over. ``forking`` carries all of this
into forked workers and children.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import signal
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler, LogRecordProcessor
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExporter, MetricReader
from opentelemetry.sdk.metrics.view import View
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from ..core import deferral, forks, signal_mask
from . import stats
from ..config import settings as current_settings
from .exporting import (
    BoundedMetricReader,
    CountingLogExporter,
    CountingLogProcessor,
    CountingMetricExporter,
    CountingSpanExporter,
    CountingSpanProcessor,
)
from . import forking, sigterm_watch
from .internal_logs import NotFromExportPath, quiet_export_path, warn

_log = logging.getLogger("agentotel")

#: Share of the shutdown budget kept for the final metric export, which runs last.
_METRICS_SHARE = 1 / 3
#: Share of the shutdown budget the emitter's background worker may take first.
_DRAIN_SHARE = 1 / 3
#: Seconds the SIGTERM handler waits beyond the shutdown budget for a flush on another thread.
_HANDLER_MARGIN = 0.5


@dataclass
class Pipeline:
    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    logger_provider: LoggerProvider
    shutdown_timeout: float
    log_handler: logging.Handler | None = None
    metric_readers: list[MetricReader] = field(default_factory=list)
    ledgers: list[stats.Ledger] = field(default_factory=list)
    exporters: list = field(default_factory=list)  # the exporters, innermost first (``forking``)
    #: The process whose ``shutdown`` started (a forked child's copy does not count as its own).
    _stopped_in: int | None = field(default=None, repr=False)
    _stopping_thread: int | None = field(default=None, repr=False)
    _finished: threading.Event = field(default_factory=threading.Event, repr=False)
    #: Reentrant: the SIGTERM handler may interrupt ``shutdown`` on the main thread while it holds it.
    _stop_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _signal_after_stop: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        forks.renew_in_child(self, "_stop_lock", threading.RLock)

    @property
    def stopping(self) -> bool:
        """True while ``shutdown`` runs in this process (on any thread)."""
        return self._stopped_in == os.getpid() and not self._finished.is_set()

    @property
    def stopping_on_this_thread(self) -> bool:
        """True while ``shutdown`` runs in this process on the calling thread (a signal handler that
        interrupted it)."""
        return self.stopping and self._stopping_thread == threading.get_ident()

    @property
    def stop_lock_held_here(self) -> bool:
        """True when the calling thread holds the stop lock (``shutdown`` interrupted on its first lines)."""
        return self._stop_lock._is_owned()

    def die_after_stop(self, signum: int) -> None:
        """A signal that ends the process came while ``shutdown`` runs: it ends the process with that
        signal when the (bounded) shutdown is over, instead of cutting it short."""
        self._signal_after_stop = signum

    def wait_stopped(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a ``shutdown`` running on another thread to end."""
        return self._finished.wait(timeout)

    def force_flush(self, timeout: float = 2.0) -> bool:
        """Export what is queued, waiting at most ``timeout`` seconds in all; True when all went out."""
        deadline = time.monotonic() + timeout
        ok = deferral.worker.drain(timeout)
        # The readers directly: MeterProvider.force_flush reports True whatever its readers say.
        for flush in (self.tracer_provider.force_flush, self.logger_provider.force_flush,
                      *(reader.force_flush for reader in self.metric_readers)):
            ok = bool(flush(max(int((deadline - time.monotonic()) * 1000), 0))) and ok
        return ok

    def shutdown(self, timeout: float | None = None) -> dict[str, dict[str, int]]:
        """Flush and stop the providers within ``timeout`` (default ``shutdown_timeout``) seconds.

        Returns ``stats.dropped()`` (the whole process's counts) after settling this pipeline's
        ledgers. Safe to call more than once.
        """
        with self._stop_lock:
            if self._stopped_in == os.getpid():
                return stats.dropped()
            # ``_stopped_in`` last: a signal handler that sees it finds the rest in place
            self._finished = threading.Event()
            self._signal_after_stop = None
            self._stopping_thread = threading.get_ident()
            self._stopped_in = os.getpid()
        try:
            return self._shutdown(self.shutdown_timeout if timeout is None else timeout)
        finally:
            self._finished.set()
            if self._signal_after_stop is not None:
                _die_of(self._signal_after_stop)

    def _shutdown(self, timeout: float) -> dict[str, dict[str, int]]:
        start = time.monotonic()
        deadline = start + timeout
        deferral.worker.drain(max(timeout * _DRAIN_SHARE, 0))
        first = _start(self.tracer_provider.shutdown, "traces"), _start(self.logger_provider.shutdown, "logs")
        for done in first:
            done.wait(max(deadline - timeout * _METRICS_SHARE - time.monotonic(), 0))
        remaining_ms = max(deadline - time.monotonic(), 0) * 1000
        metrics_done = _start(lambda: self.meter_provider.shutdown(timeout_millis=remaining_ms), "metrics")
        metrics_done.wait(max(deadline - time.monotonic(), 0))
        # Records logged from now on cannot be exported; without the OTel handler they reach the
        # app's own handlers or Python's last-resort stderr handler.
        if self.log_handler is not None:
            logging.getLogger().removeHandler(self.log_handler)
        for ledger in self.ledgers:
            ledger.settle()
        dropped = stats.dropped()
        lost = sum(sum(reasons.values()) for reasons in dropped.values())
        if lost:
            warn(_log, "agentotel: %d telemetry items were not exported (shutdown took %.2fs): dropped=%s",
                 lost, time.monotonic() - start, json.dumps(dropped, sort_keys=True))
        return dropped


def _die_of(signum: int) -> None:
    """End the process with ``signum`` as its default action would."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)
    else:  # only the main thread may change handlers: ours, there, sees the shutdown over and dies
        os.kill(os.getpid(), signum)


def _start(fn, name: str) -> threading.Event:
    done = threading.Event()

    def run():
        signal_mask.block_in_this_thread()
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - shutdown must finish whatever one provider does
            _log.warning("agentotel: shutting down %s failed: %r", name, exc)
        finally:
            done.set()

    threading.Thread(target=run, name=f"agentotel-shutdown-{name}", daemon=True).start()
    return done


def build_pipeline(
    resource: Resource,
    span_exporters: Sequence[SpanExporter] = (),
    metric_exporters: Sequence[MetricExporter | MetricReader] = (),
    log_exporters: Sequence[LogRecordExporter] = (),
    *,
    span_processors: Sequence[SpanProcessor] = (),
    log_record_processors: Sequence[LogRecordProcessor] = (),
    sampler=None,
    id_generator=None,
    views: Sequence[View] = (),
    logging_handler: bool = True,
    shutdown_timeout: float = 2.0,
) -> Pipeline:
    """Providers wired as described in the module docstring (not yet global). The threads they start
    never take a termination signal (``core.signal_mask``)."""
    with signal_mask.blocked():
        return _providers(resource, span_exporters, metric_exporters, log_exporters, span_processors,
                          log_record_processors, sampler, id_generator, views, logging_handler, shutdown_timeout)


def _providers(resource, span_exporters, metric_exporters, log_exporters, span_processors, log_record_processors,
               sampler, id_generator, views, logging_handler, shutdown_timeout) -> Pipeline:
    quiet_export_path()
    ledgers: list[stats.Ledger] = []
    exporters: list = [*span_exporters, *metric_exporters, *log_exporters]

    def ledger(signal_name: str) -> stats.Ledger:
        ledgers.append(stats.new_ledger(signal_name))
        return ledgers[-1]

    tracer_provider = TracerProvider(resource=resource, sampler=sampler, id_generator=id_generator,
                                     shutdown_on_exit=False)
    for processor in span_processors:
        tracer_provider.add_span_processor(processor)
    for exporter in span_exporters:
        counting = CountingSpanExporter(exporter, ledger("traces"))
        tracer_provider.add_span_processor(
            CountingSpanProcessor(BatchSpanProcessor(counting), counting, shutdown_timeout))

    readers = []
    for exporter in metric_exporters:
        if isinstance(exporter, MetricReader):  # pull exporters (Prometheus) read on demand
            readers.append(exporter)
        else:
            counting = CountingMetricExporter(exporter, ledger("metrics"))
            readers.append(BoundedMetricReader(counting, shutdown_timeout))
    meter_provider = MeterProvider(resource=resource, metric_readers=readers, views=list(views),
                                   shutdown_on_exit=False)
    stats.register_dropped_metric(meter_provider)

    logger_provider = LoggerProvider(resource=resource, shutdown_on_exit=False)
    for processor in log_record_processors:
        logger_provider.add_log_record_processor(processor)
    for exporter in log_exporters:
        counting = CountingLogExporter(exporter, ledger("logs"))
        logger_provider.add_log_record_processor(
            CountingLogProcessor(BatchLogRecordProcessor(counting), counting, shutdown_timeout))

    handler = None
    if logging_handler:
        with warnings.catch_warnings():
            # The SDK marks its handler deprecated in favour of a separate package; it is the
            # handler the SDK's own configurator installs, and the one this package ships with.
            warnings.simplefilter("ignore", DeprecationWarning)
            handler = LoggingHandler(level=logging.NOTSET, logger_provider=logger_provider)
        handler.addFilter(NotFromExportPath())
    return Pipeline(tracer_provider, meter_provider, logger_provider, shutdown_timeout, handler, readers, ledgers,
                    exporters)


_installed: Pipeline | None = None


def install(pipeline: Pipeline) -> None:
    """Make the pipeline's providers global, attach its log handler and register its bounded exit."""
    global _installed
    from opentelemetry import metrics, trace
    from opentelemetry._logs import set_logger_provider

    trace.set_tracer_provider(pipeline.tracer_provider)
    metrics.set_meter_provider(pipeline.meter_provider)
    set_logger_provider(pipeline.logger_provider)
    if pipeline.log_handler is not None:
        logging.getLogger().addHandler(pipeline.log_handler)
        _keep_handler_on_reconfigure(pipeline.log_handler)
    atexit.register(pipeline.shutdown)
    sigterm = current_settings().flush_on_sigterm
    if sigterm:
        _flush_on_sigterm(pipeline)
    forking.prepare(pipeline, sigterm_handler if sigterm else None)
    _installed = pipeline


def _flush_on_sigterm(pipeline: Pipeline) -> None:
    """On SIGTERM, shut the pipeline down (bounded), then die of SIGTERM as the default action would.

    Only where SIGTERM still has its default action (an app's own handler is never replaced) and
    from the main thread (where Python runs signal handlers). Servers that handle SIGTERM themselves
    and then re-raise it with the handler they found (uvicorn does) end up here after their
    graceful shutdown.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return
    signal.signal(signal.SIGTERM, sigterm_handler(pipeline))
    sigterm_watch.start()


def sigterm_handler(pipeline: Pipeline):
    """A SIGTERM handler that shuts ``pipeline`` down (bounded), then dies of the signal as the
    default action would. Arriving while the pipeline already shuts down (the process is exiting and
    flushing), it lets that bounded shutdown finish first."""

    def on_sigterm(signum, frame):
        sigterm_watch.handler_began()
        if pipeline.stopping_on_this_thread:  # the shutdown this handler interrupted resumes, then dies
            pipeline.die_after_stop(signum)
            return
        try:
            if pipeline.stopping:  # running on another thread: wait for it (bounded), never resume a wait
                pipeline.wait_stopped(pipeline.shutdown_timeout + _HANDLER_MARGIN)
            elif pipeline.stop_lock_held_here:  # interrupted on shutdown's first lines: run it here
                pipeline.shutdown()
            else:  # on a thread of its own: the interrupted code may hold a lock the flush needs
                _start(pipeline.shutdown, "sigterm").wait(pipeline.shutdown_timeout + _HANDLER_MARGIN)
        finally:
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

    return sigterm_watch.mark_flush_handler(on_sigterm)


def installed() -> Pipeline | None:
    """The pipeline ``install`` made global, if any."""
    return _installed


def _keep_handler_on_reconfigure(handler: logging.Handler) -> None:
    """Keep the handler when the app calls ``basicConfig``/``dictConfig`` (the SDK's own helper)."""
    try:
        from opentelemetry.sdk._configuration import _overwrite_logging_config_fns
    except ImportError:  # pragma: no cover - older SDK: a reconfiguring app may remove the handler
        return
    _overwrite_logging_config_fns(handler)
