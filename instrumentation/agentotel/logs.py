"""Logs correlated with traces: OTLP export of Python ``logging`` and a JSON formatter for stdout.

Records exported through ``LoggingHandler`` carry the trace and span ids of the span current when
they were logged. ``JsonFormatter`` writes one JSON object per line with the same ids and the
conversation scope, for log shippers that read stdout; credentials in its message, extra fields and
exception text are replaced as in exported records (``agentotel.credentials``).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from opentelemetry import trace

from . import credentials
from .core.scope import conversation_attributes

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, trace/span ids, conversation."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            entry["trace_id"] = format(ctx.trace_id, "032x")
            entry["span_id"] = format(ctx.span_id, "016x")
        entry.update(conversation_attributes())
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        for key, value in entry.items():
            if isinstance(value, str) and credentials.may_hold_secret(value):
                entry[key] = credentials.scrub(value, "REDACTED")
        return json.dumps(entry, ensure_ascii=False)


def export_logs(logger_provider, level: int = logging.INFO, logger: logging.Logger | None = None) -> logging.Handler:
    """Attach an OTLP-exporting handler (trace-correlated) to ``logger`` (default: the root)."""
    from opentelemetry.sdk._logs import LoggingHandler

    handler = LoggingHandler(level=level, logger_provider=logger_provider)
    (logger or logging.getLogger()).addHandler(handler)
    return handler
