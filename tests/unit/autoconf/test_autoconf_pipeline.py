"""The pipeline's end: bounded by shutdown_timeout, losses settled and reported once."""

from __future__ import annotations

import json
import logging
import re
import time

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace.export import SpanExportResult

from agentotel.autoconf import stats
from agentotel.autoconf.internal_logs import NotFromExportPath, OncePerMessage
from agentotel.autoconf.pipeline import build_pipeline
from tests.support.fake_exporters import FakeLogExporter, FakeMetricExporter, FakeSpanExporter


def emit_all(pipeline, n=3):
    tracer = pipeline.tracer_provider.get_tracer("test")
    logger = pipeline.logger_provider.get_logger("test")
    counter = pipeline.meter_provider.get_meter("test").create_counter("things")
    for _ in range(n):
        tracer.start_span("op").end()
        logger.emit(body="hello")
        counter.add(1)


class TestShutdown:
    def test_hung_exporters_cannot_hold_the_exit(self, gates):
        """With every exporter hanging, shutdown returns within its timeout and counts all as shutdown."""
        pipeline = build_pipeline(Resource.create({}), [FakeSpanExporter(gate=gates())],
                                  [FakeMetricExporter(gate=gates())], [FakeLogExporter(gate=gates())],
                                  logging_handler=False, shutdown_timeout=0.6)
        emit_all(pipeline)
        started = time.monotonic()
        dropped = pipeline.shutdown()
        assert time.monotonic() - started < 0.9
        assert dropped["traces"]["shutdown"] == 3 and dropped["logs"]["shutdown"] == 3
        assert dropped["metrics"]["shutdown"] >= 1

    def test_healthy_exporters_flush_everything_quickly(self):
        """With working exporters, shutdown delivers what was queued and returns at once."""
        spans, metrics, logs = FakeSpanExporter(), FakeMetricExporter(), FakeLogExporter()
        pipeline = build_pipeline(Resource.create({}), [spans], [metrics], [logs], logging_handler=False)
        emit_all(pipeline, n=5)
        started = time.monotonic()
        dropped = pipeline.shutdown()
        assert time.monotonic() - started < 0.5
        assert len(spans.exported) == 5 and len(logs.exported) == 5 and metrics.exported
        assert stats.total_dropped() == 0 and dropped["traces"] == {"queue_full": 0, "export_failed": 0, "shutdown": 0}

    def test_losses_are_summed_up_in_one_warning(self, caplog):
        """A shutdown that lost telemetry logs one warning with the counts as JSON; a second call does nothing."""
        pipeline = build_pipeline(Resource.create({}), [FakeSpanExporter(SpanExportResult.FAILURE)], [], [],
                                  logging_handler=False)
        emit_all(pipeline, n=4)
        with caplog.at_level(logging.WARNING, logger="agentotel"):
            pipeline.shutdown()
            pipeline.shutdown()
        summaries = [r.getMessage() for r in caplog.records if "were not exported" in r.getMessage()]
        assert len(summaries) == 1
        counts = json.loads(re.search(r"dropped=(\{.*\})", summaries[0]).group(1))
        assert counts["traces"]["export_failed"] == 4

    def test_log_handler_is_detached_at_shutdown(self):
        """After shutdown the app's log records no longer go to the stopped log pipeline."""
        pipeline = build_pipeline(Resource.create({}), [], [], [FakeLogExporter()], logging_handler=True)
        root = logging.getLogger()
        root.addHandler(pipeline.log_handler)
        try:
            pipeline.shutdown()
            assert pipeline.log_handler not in root.handlers
        finally:
            root.removeHandler(pipeline.log_handler)

    def test_force_flush_is_bounded_across_signals(self, gates):
        """Pipeline.force_flush(timeout) waits at most timeout in all and says whether everything went out."""
        pipeline = build_pipeline(Resource.create({}), [FakeSpanExporter(gate=gates())], [FakeMetricExporter()],
                                  [FakeLogExporter()], logging_handler=False, shutdown_timeout=0.3)
        emit_all(pipeline)
        started = time.monotonic()
        assert pipeline.force_flush(0.3) is False
        assert time.monotonic() - started < 0.6
        pipeline.shutdown()


class TestInternalLogs:
    def test_repeated_export_errors_are_logged_once(self):
        """The same export-path message passes once; a different one still passes."""
        once = OncePerMessage()
        record = logging.makeLogRecord({"name": "opentelemetry.exporter.otlp.common.http", "levelno": 40,
                                        "msg": "Failed to export %s batch", "args": ("spans",)})
        other = logging.makeLogRecord({"name": "opentelemetry.sdk._shared_internal", "levelno": 30,
                                       "msg": "Queue full, dropping %s."})
        assert [once.filter(record), once.filter(record), once.filter(other)] == [True, False, True]

    def test_records_from_inside_an_export_are_not_exported(self):
        """A record logged while the SDK exports (instrumentation suppressed) stays out of the log pipeline."""
        from opentelemetry import context
        from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY

        record = logging.makeLogRecord({"msg": "export failed"})
        assert NotFromExportPath().filter(record)
        token = context.attach(context.set_value(_SUPPRESS_INSTRUMENTATION_KEY, True))
        try:
            assert not NotFromExportPath().filter(record)
        finally:
            context.detach(token)

    def test_warning_reaches_stderr_when_only_otel_would_see_it(self, capsys):
        """An app that never configured logging still sees agentotel's warning on stderr, once."""
        import io
        import warnings

        from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler

        from agentotel.core.log_once import warn

        logger = logging.getLogger("agentotel.test.only_otel")
        logger.propagate = False
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            logger.addHandler(LoggingHandler(logger_provider=LoggerProvider(shutdown_on_exit=False)))
        warn(logger, "agentotel: lost %d spans", 3)
        assert capsys.readouterr().err == "agentotel: lost 3 spans\n"

        console = io.StringIO()
        logger.addHandler(logging.StreamHandler(console))
        warn(logger, "agentotel: lost %d spans", 4)
        assert capsys.readouterr().err == "" and console.getvalue() == "agentotel: lost 4 spans\n"


class TestSigterm:
    def test_handler_installed_only_over_the_default_action(self):
        """The SIGTERM flush replaces only the default action, never an app's own handler."""
        import signal

        from agentotel.autoconf.pipeline import _flush_on_sigterm

        pipeline = build_pipeline(Resource.create({}), logging_handler=False)
        saved = signal.getsignal(signal.SIGTERM)
        try:
            def own(signum, frame):
                pass

            signal.signal(signal.SIGTERM, own)
            _flush_on_sigterm(pipeline)
            assert signal.getsignal(signal.SIGTERM) is own
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _flush_on_sigterm(pipeline)
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, own)
        finally:
            signal.signal(signal.SIGTERM, saved)
            pipeline.shutdown()

    def test_switch_reads_the_environment(self):
        """AGENTOTEL_FLUSH_ON_SIGTERM is on by default, off with false, and a bad value keeps it on."""
        from agentotel.config import load_settings

        assert load_settings({}).flush_on_sigterm is True
        assert load_settings({"AGENTOTEL_FLUSH_ON_SIGTERM": "false"}).flush_on_sigterm is False
        assert load_settings({"AGENTOTEL_FLUSH_ON_SIGTERM": "maybe"}).flush_on_sigterm is True
