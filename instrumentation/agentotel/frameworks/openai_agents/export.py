"""The SDK's export of its own traces to OpenAI, kept out of the app's telemetry.

``BackendSpanExporter.export`` posts batches to ``/v1/traces/ingest`` from a background thread,
where no span is current: any HTTP instrumentation would make each post (and each failure, such
as a missing or a non-OpenAI key) a root trace of its own. Its calls run with OpenTelemetry
instrumentation suppressed instead. ``WRAPS`` drives both wrapping and unwrapping.
"""

from __future__ import annotations

import importlib

from opentelemetry.instrumentation.utils import suppress_http_instrumentation, suppress_instrumentation, unwrap
from wrapt import wrap_function_wrapper

#: (module, class, method) run with instrumentation suppressed.
WRAPS: tuple[tuple[str, str, str], ...] = (
    ("agents.tracing.processors", "BackendSpanExporter", "export"),
)
_wrapped: list[tuple[type, str]] = []


def _untraced(wrapped, instance, args, kwargs):
    with suppress_instrumentation(), suppress_http_instrumentation():
        return wrapped(*args, **kwargs)


def suppress_export_tracing() -> None:
    for module_name, cls_name, method in WRAPS:
        try:
            module = importlib.import_module(module_name)
            cls = getattr(module, cls_name)
        except (ImportError, AttributeError):
            continue
        wrap_function_wrapper(module, f"{cls_name}.{method}", _untraced)
        _wrapped.append((cls, method))


def restore_export_tracing() -> None:
    while _wrapped:
        cls, method = _wrapped.pop()
        unwrap(cls, method)
