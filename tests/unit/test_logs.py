"""Logs carry the current trace and span ids, on stdout as JSON and over OTLP."""

from __future__ import annotations

import json
import logging

import agentotel
from agentotel.logs import JsonFormatter, export_logs


def test_json_formatter_carries_trace_ids_and_conversation(telemetry):
    """The JSON line holds the message, trace and span ids and the conversation scope."""
    record_holder = []

    class Capture(logging.Handler):
        def emit(self, record):
            record_holder.append(self.format(record))

    handler = Capture()
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("test.json")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        with agentotel.conversation("c-5", tenant="acme"):
            with agentotel.agent("support"):
                log.info("refund issued", extra={"order": "A1"})
    finally:
        log.removeHandler(handler)
    entry = json.loads(record_holder[0])
    span = telemetry.span("invoke_agent support")
    assert entry["message"] == "refund issued" and entry["order"] == "A1"
    assert entry["trace_id"] == format(span.context.trace_id, "032x")
    assert entry["span_id"] == format(span.context.span_id, "016x")
    assert entry["gen_ai.conversation.id"] == "c-5"


def test_exported_log_records_are_correlated(telemetry):
    """Records exported through the OTLP handler carry the span context they were logged in."""
    log = logging.getLogger("test.otlp")
    log.setLevel(logging.INFO)
    handler = export_logs(telemetry.logger_provider, logger=log)
    try:
        with agentotel.tool("lookup"):
            log.warning("order not found")
    finally:
        log.removeHandler(handler)
    (record,) = [r for r in telemetry.logs() if r.body == "order not found"]
    span = telemetry.span("execute_tool lookup")
    assert record.trace_id == span.context.trace_id and record.span_id == span.context.span_id


def test_json_formatter_replaces_keys():
    """A key in the message, an extra field or the exception text never reaches the JSON line."""
    key = "sk-proj-" + "Zx9Cv8Bn7Mq6Wr5Ty4Ui3Op2" * 2
    formatter = JsonFormatter()
    try:
        raise PermissionError(f"Incorrect API key provided: {key}")
    except PermissionError as exc:
        record = logging.makeLogRecord({"msg": "call failed with %s", "args": (key,), "levelname": "ERROR",
                                        "exc_info": (type(exc), exc, exc.__traceback__), "caller_key": key})
    line = formatter.format(record)
    assert key not in line and "REDACTED" in json.loads(line)["message"]
