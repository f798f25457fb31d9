"""Saying a problem once: agentotel's one way to log what may repeat.

``FirstTime`` is a thread-safe set of keys that answers whether a key is new (its lock is renewed
in a forked child). ``warn_once(key, message, *args)`` logs ``message`` on the ``agentotel`` logger
the first time ``key`` is seen in the process, through ``warn``: also on stderr when only
OpenTelemetry's logging handler would see it (an export problem must not go only to the export
that fails). Never raises.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Hashable

from . import forks

_log = logging.getLogger("agentotel")


class FirstTime:
    """Keys seen so far; ``first(key)`` is True the first time a key is given, then False."""

    def __init__(self):
        self._seen: set[Hashable] = set()
        self._lock = threading.Lock()
        forks.renew_in_child(self)

    def first(self, key: Hashable) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            self._seen.add(key)
            return True


_said = FirstTime()


def warn_once(key: Hashable, message: str, *args, level: int = logging.WARNING, exc_info=None) -> None:
    """Log ``message % args`` (prefixed ``agentotel: ``) the first time ``key`` is seen. Never raises."""
    try:
        if _said.first(key):
            warn(_log, "agentotel: " + message, *args, level=level, exc_info=exc_info)
    except Exception:  # noqa: BLE001 - reporting a problem must not become one
        pass


def _handlers(logger: logging.Logger) -> list[logging.Handler]:
    """The handlers a record logged on ``logger`` reaches (without Python's last resort)."""
    found: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None:
        found.extend(current.handlers)
        if not current.propagate:
            break
        current = current.parent
    return found


def _otel_handlers() -> tuple[type, ...]:
    """OpenTelemetry's logging handler class, when the SDK is installed."""
    try:
        from opentelemetry.sdk._logs import LoggingHandler
    except ImportError:
        return ()
    return (LoggingHandler,)


def warn(logger: logging.Logger, message: str, *args, level: int = logging.WARNING, exc_info=None) -> None:
    """Log a problem; also to stderr when only the OTel handler would see it. Never raises."""
    try:
        logger.log(level, message, *args, exc_info=exc_info)
        handlers = _handlers(logger)
        otel = _otel_handlers()
        # No handler at all: Python's last resort has printed it. Only OTel handlers: nobody will.
        if handlers and otel and logger.isEnabledFor(level) and all(
                isinstance(handler, otel) or level < handler.level for handler in handlers):
            sys.stderr.write((message % args if args else message) + "\n")
    except Exception:  # noqa: BLE001 - reporting a problem must not become one
        pass
