"""Keeping the SDK's own log lines from flooding the app's logs or feeding back into telemetry.

With the collector down, the OTLP exporters and batch processors log an error for every failed
batch (several a second under load), and the records of an app's root logger are themselves
exported — so each failed log export would log a failure that is queued for export, and so on.
Two filters stop that: ``OncePerMessage`` lets each distinct message of the SDK's export path
through once (the loss itself is counted in ``agentotel.telemetry.dropped``), and
``NotFromExportPath`` keeps records logged inside an export (where the SDK suppresses
instrumentation) out of the exported logs.

agentotel's own warnings go through ``core.log_once.warn``: when the only handler that would see
them is the OTel one (usual for an app that never configured ``logging``; its records cannot be
exported while the collector is down), they are also written to stderr, as Python does for a
logger without handlers.
"""

from __future__ import annotations

import logging

from opentelemetry import context as otel_context

from ..core.log_once import FirstTime, warn

try:  # the key the SDK sets while it exports; public as a string since 1.0
    from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY
except ImportError:  # pragma: no cover - older API
    _SUPPRESS_INSTRUMENTATION_KEY = "suppress_instrumentation"

#: Loggers of the export path whose repeated messages are logged once.
EXPORT_PATH_LOGGERS = (
    "opentelemetry.exporter.otlp.common.http",
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.exporter.otlp.proto.http.metric_exporter",
    "opentelemetry.exporter.otlp.proto.http._log_exporter",
    "opentelemetry.exporter.otlp.proto.grpc.exporter",
    "opentelemetry.exporter.otlp.proto.grpc.metric_exporter",
    "opentelemetry.sdk._shared_internal",
    "opentelemetry.sdk.trace.export",
    "opentelemetry.sdk._logs._internal.export",
    "opentelemetry.sdk.metrics._internal.export",
)


class OncePerMessage(logging.Filter):
    """Passes each (logger, level, message template) the first time only."""

    def __init__(self):
        super().__init__()
        self._seen = FirstTime()

    def filter(self, record: logging.LogRecord) -> bool:
        return self._seen.first((record.name, record.levelno, str(record.msg)))


class NotFromExportPath(logging.Filter):
    """Rejects records logged while the SDK exports (instrumentation suppressed)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not otel_context.get_value(_SUPPRESS_INSTRUMENTATION_KEY)


_once = OncePerMessage()


def quiet_export_path() -> None:
    """Install ``OncePerMessage`` on the export path's loggers. Idempotent."""
    for name in EXPORT_PATH_LOGGERS:
        logger = logging.getLogger(name)
        if _once not in logger.filters:
            logger.addFilter(_once)
